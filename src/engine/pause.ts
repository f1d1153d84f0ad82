// CLIENT PAUSE WRITE|ALL (and FAILOVER's own write pause), as Redis 7.0: commands that would be held
// back wait, without blocking the event loop, until the pause ends, then run in order. While writes
// are paused nothing changes the dataset on its own either: keys are not expired (reads treat them as
// expired, as on a replica) and nothing is evicted, so replicas see no writes during the pause.
import type { Client } from './client.js';
import type { Command } from './commands/table.js';
import type { Server } from './server.js';
import type { GuardEntry } from './dispatch.js';
import { hold, release } from './cluster/hold.js';

export type PauseType = 'write' | 'all';

/**
 * Commands Redis flags CMD_MAY_REPLICATE (COMMAND does not show the flag): paused with the writes
 * although they are not writes themselves.
 */
const MAY_REPLICATE = new Set(['publish', 'spublish', 'eval', 'evalsha', 'fcall', 'pfcount', 'script', 'function']);

/** Who asked for a pause: CLIENT PAUSE and FAILOVER pause independently; the strongest, latest wins. */
export type PausePurpose = 'client' | 'failover';

export class PauseState {
  private readonly by = new Map<PausePurpose, { type: PauseType; end: number }>();
  private readonly held = new Set<Client>();
  private timer: NodeJS.Timeout | null = null;
  /** Called after a pause starts or is lifted (the dispatch guard is armed while any is recorded). */
  readonly onChange: (() => void)[] = [];

  constructor(private readonly srv: Server) {}

  /** Whether any pause is recorded, expired or not: the guard can hold nothing otherwise. */
  get recorded(): boolean {
    return this.by.size > 0;
  }

  /** The pause in force now, or null (an expired one is lifted on the way). */
  current(): PauseType | null {
    this.expire();
    let t: PauseType | null = null;
    for (const p of this.by.values()) if (p.type === 'all' || t === null) t = p.type;
    return t;
  }

  get writesPaused(): boolean {
    return this.current() !== null;
  }

  /** Redis's pauseClients: per purpose, the stronger type and the later end win. */
  pause(purpose: PausePurpose, type: PauseType, end: number): void {
    const old = this.by.get(purpose);
    this.by.set(purpose, { type: old?.type === 'all' ? 'all' : type, end: Math.max(old?.end ?? 0, end) });
    this.srv.writesPaused = true;
    this.arm();
    for (const f of this.onChange) f();
  }

  unpause(purpose: PausePurpose): void {
    this.by.delete(purpose);
    this.after();
  }

  private expire(): void {
    const now = Date.now();
    let changed = false;
    for (const [k, p] of this.by) {
      if (p.end <= now) {
        this.by.delete(k);
        changed = true;
      }
    }
    if (changed) this.after();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let end = Infinity;
    for (const p of this.by.values()) end = Math.min(end, p.end);
    if (end === Infinity) return;
    // A timer may fire a millisecond before Date.now() reaches the end: if nothing expired yet, arm again
    // (otherwise the pause, and every client it holds, would never be released).
    this.timer = setTimeout(() => {
      this.timer = null;
      this.expire();
      if (!this.timer) this.arm();
    }, Math.min(2 ** 31 - 1, Math.max(0, end - Date.now() + 1)));
    this.timer.unref?.();
  }

  /** After a pause ended or weakened: release the clients it no longer holds. */
  private after(): void {
    const type = this.by.size ? this.currentNoExpire() : null;
    this.srv.writesPaused = type !== null;
    this.arm();
    for (const f of this.onChange) f();
    for (const c of [...this.held]) {
      const next = c.pending[0];
      if (type === 'all' || (type === 'write' && next && this.holds(type, c, next))) continue;
      this.held.delete(c);
      if (c.closed) continue;
      release(this.srv, c);
    }
  }

  private currentNoExpire(): PauseType | null {
    let t: PauseType | null = null;
    for (const p of this.by.values()) if (p.type === 'all' || t === null) t = p.type;
    return t;
  }

  /** Whether a pause of this type holds this command (looked up again for queued argv). */
  private holds(type: PauseType, c: Client, argv: Buffer[], cmd?: Command): boolean {
    if (type === 'all') return true;
    const found = cmd ?? this.srv.dispatch.resolve(argv);
    if (typeof found === 'string') return false;
    const top = found.parent ?? found;
    if (found.isWrite || MAY_REPLICATE.has(top.name)) return true;
    // EXEC is held when its queue holds a write.
    return top.name === 'exec' && !!c.multi?.queue.some((q) => q.cmd.isWrite || MAY_REPLICATE.has((q.cmd.parent ?? q.cmd).name));
  }

  /** The dispatch guard: holds the client (its command re-runs on release); replicas and our master are never paused. */
  guard(c: Client, cmd: Command, argv: Buffer[]): boolean {
    if (this.by.size === 0 || c.isMaster || c.isReplica || this.srv.dispatch.depth > 0) return false;
    const type = this.current();
    if (type === null || !this.holds(type, c, argv, cmd)) return false;
    hold(c);
    this.held.add(c);
    return true;
  }

  forget(c: Client): void {
    this.held.delete(c);
  }
}

const STATES = new WeakMap<Server, PauseState>();

export function pauseOf(srv: Server): PauseState {
  let p = STATES.get(srv);
  if (!p) STATES.set(srv, (p = new PauseState(srv)));
  return p;
}

/** Last in Redis's processCommand order: after every other check, before MULTI queueing and the call. */
export function installPause(srv: Server): void {
  const p = pauseOf(srv);
  const entry: GuardEntry = { order: 95, name: 'pause', guard: (c, cmd, argv) => (p.guard(c, cmd, argv) ? 'PAUSED' : null), armed: p.recorded };
  srv.dispatch.addGuard(entry);
  p.onChange.push(() => srv.dispatch.arm(entry, p.recorded));
  srv.hooks.clientClose.push((c) => p.forget(c));
}
