// Holding a client's commands back without blocking the event loop: MIGRATE waiting for its target,
// writes during a manual failover's pause. Held commands queue in client.pending (dispatch does
// that for blocked clients) and run, in order, on release.
import type { Client } from '../client.js';
import type { Server } from '../server.js';

/** queued: told of each command that arrives while the client is held (migrate-ahead.ts). */
export function hold(c: Client, untilMs = 0, onTimeout: () => void = () => undefined, queued?: (argv: Buffer[]) => void): void {
  const state = {
    keys: [] as string[],
    db: c.db,
    deadline: untilMs,
    timer: null as NodeJS.Timeout | null,
    tryServe: () => false,
    onTimeout,
    queued,
  };
  if (untilMs > 0) state.timer = setTimeout(onTimeout, Math.max(0, untilMs - Date.now()));
  c.blocked = state;
}

export function release(srv: Server, c: Client): void {
  if (c.blocked?.timer) clearTimeout(c.blocked.timer);
  c.blocked = null;
  srv.scheduleFlush(c);
  while (!c.blocked && !c.closed && c.pending.length > 0) srv.dispatch.execute(c, c.pending.shift() as Buffer[]);
  srv.scheduleFlush(c);
}
