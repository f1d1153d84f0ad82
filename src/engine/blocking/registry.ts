// Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, BLMPOP...): per key a FIFO of waiting clients,
// a set of "ready" keys signalled by writes, and the loop that serves them after each top-level
// command (after EXEC as a whole, not inside it), in the order clients blocked.
import type { Client } from '../client.js';
import type { Db } from '../store/db.js';
import type { Server } from '../server.js';

/**
 * Tries to run the blocked operation now, writing the client's reply when it succeeds. `emit`
 * records what to propagate (e.g. BLMOVE served as LMOVE). Returns false when there is no data yet.
 */
export type Attempt = (emit: (argv: Buffer[]) => void, readyKey?: string) => boolean;

interface Waiter {
  db: Db;
  keys: string[];
}

const registries = new WeakMap<Server, BlockingRegistry>();

export function blockingOf(srv: Server): BlockingRegistry {
  let r = registries.get(srv);
  if (!r) {
    r = new BlockingRegistry(srv);
    registries.set(srv, r);
  }
  return r;
}

export class BlockingRegistry {
  /** `${dbId}:${key}` -> clients in the order they blocked. */
  private readonly waiting = new Map<string, Client[]>();
  private readonly waiters = new Map<Client, Waiter>();
  private readonly ready = new Map<string, { db: Db; key: string }>();
  private processing = false;
  /** Clients served while serveReady runs whose queued commands wait for it to finish. */
  private unblocked: Client[] = [];
  private fallbackScheduled = false;

  constructor(private readonly srv: Server) {}

  get blockedCount(): number {
    return this.waiters.size;
  }

  /** Called by anything that creates or grows a key; cheap when nobody waits. */
  signal(db: Db, key: string): void {
    if (this.waiting.size === 0) return;
    const id = `${db.id}:${key}`;
    if (!this.waiting.has(id)) return;
    this.ready.set(id, { db, key });
    // Writes outside a command (expiry, module timers) still get served this turn.
    if (!this.fallbackScheduled) {
      this.fallbackScheduled = true;
      setImmediate(() => {
        this.fallbackScheduled = false;
        this.serveReady();
      });
    }
  }

  /** Signals every key of db that clients wait on and that now exists (SWAPDB, loading a dataset). */
  signalDb(db: Db): void {
    const prefix = `${db.id}:`;
    for (const id of [...this.waiting.keys()]) {
      if (!id.startsWith(prefix)) continue;
      const key = id.slice(prefix.length);
      if (db.has(key)) this.signal(db, key);
    }
  }

  /** Blocks c on keys until `attempt` succeeds or the deadline (absolute ms, 0 = never) passes. */
  block(c: Client, db: Db, keys: string[], deadline: number, attempt: Attempt, onTimeout: () => void): void {
    const uniq = [...new Set(keys)];
    this.waiters.set(c, { db, keys: uniq });
    for (const k of uniq) {
      const id = `${db.id}:${k}`;
      const q = this.waiting.get(id);
      if (q) q.push(c);
      else this.waiting.set(id, [c]);
    }
    const srv = this.srv;
    const state = {
      keys: uniq,
      db,
      deadline,
      timer: null as NodeJS.Timeout | null,
      tryServe: (readyKey?: string): boolean => {
        const served = attempt((argv) => {
          srv.dirty++;
          srv.propagate(db.id, argv, false);
        }, readyKey);
        if (served) this.unblock(c);
        return served;
      },
      onTimeout: (): void => {
        if (c.blocked !== state) return;
        onTimeout();
        this.unblock(c);
      },
    };
    // Node fires a delay past 2^31-1 ms at once: long timeouts re-arm until the deadline.
    const arm = (): void => {
      state.timer = setTimeout(() => (Date.now() >= deadline ? state.onTimeout() : arm()), Math.min(2 ** 31 - 1, Math.max(0, deadline - Date.now())));
    };
    if (deadline > 0) arm();
    c.blocked = state;
  }

  /** True when c waits here (on keys, or in WAIT): what CLIENT UNBLOCK may end. */
  isWaiting(c: Client): boolean {
    return this.waiters.has(c) && c.blocked !== null;
  }

  /** Drops c's wait (served, timed out or unblocked), flushes its reply and runs what it queued. */
  unblock(c: Client): void {
    this.forget(c);
    if (c.blocked?.timer) clearTimeout(c.blocked.timer);
    c.blocked = null;
    this.srv.scheduleFlush(c);
    // While ready keys are being served, what c queued waits until every client those keys (and
    // the keys its own serving made ready) can serve has been served, as Redis runs an unblocked
    // client's input after handleClientsBlockedOnKeys (BLMOVE a->b, BRPOPLPUSH b->c, then LLEN b).
    if (this.processing) {
      if (c.pending.length > 0) this.unblocked.push(c);
      return;
    }
    this.runPending(c);
  }

  /** Redis stops reading a blocked client; now run what arrived meanwhile. */
  private runPending(c: Client): void {
    while (!c.blocked && !c.closed && c.pending.length > 0) this.srv.dispatch.execute(c, c.pending.shift() as Buffer[]);
    this.srv.scheduleFlush(c);
  }

  /** Removes c from every wait queue (also on disconnect). */
  forget(c: Client): void {
    const w = this.waiters.get(c);
    if (!w) return;
    this.waiters.delete(c);
    for (const k of w.keys) {
      const id = `${w.db.id}:${k}`;
      const q = this.waiting.get(id);
      if (!q) continue;
      const i = q.indexOf(c);
      if (i >= 0) q.splice(i, 1);
      if (q.length === 0) this.waiting.delete(id);
    }
  }

  /** Serves clients waiting on ready keys until no key is ready (serving may make others ready). */
  serveReady(): void {
    if (this.processing || this.ready.size === 0) return;
    this.processing = true;
    try {
      while (this.ready.size > 0) {
        const batch = [...this.ready.values()];
        this.ready.clear();
        for (const { db, key } of batch) {
          const q = this.waiting.get(`${db.id}:${key}`);
          if (!q) continue;
          for (const c of [...q]) {
            if (c.closed || !c.blocked || c.blocked.db !== db) continue;
            c.blocked.tryServe(key);
            if (!db.has(key)) break;
          }
        }
      }
    } finally {
      this.processing = false;
    }
    const woken = this.unblocked;
    this.unblocked = [];
    for (const c of woken) this.runPending(c);
  }
}
