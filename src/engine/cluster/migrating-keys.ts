// Keys a MIGRATE is sending to its target. Redis's MIGRATE blocks the whole server until the target
// answered, so no other command ever sees a key half-moved. The engine's MIGRATE waits without
// blocking the loop, so a command on one of those keys waits too, then runs against what MIGRATE left
// (the key gone, or still here after a target error). Run at once, a write would be lost: a DEL
// acknowledged here while the target restores the old value, or a SET the source then keeps beside
// the target's older copy (the reshard's next MIGRATE of it fails with BUSYKEY).
import type { Client } from '../client.js';
import type { Command } from '../commands/table.js';
import type { Guard, GuardEntry } from '../dispatch.js';
import type { Server } from '../server.js';
import { keyStr } from '../store/types.js';
import { hold, release } from './hold.js';

export class MigratingKeys {
  /** `db:key` -> how many MIGRATEs in flight carry it. */
  private readonly keys = new Map<string, number>();
  private readonly held = new Set<Client>();
  /**
   * The dispatch guard, armed only while keys are in flight: an armed guard without a view form makes
   * dispatch copy every command's arguments out of the read buffer, which after a node's first
   * MIGRATE cost its GET and SET their no-copy path for good.
   */
  readonly entry: GuardEntry;

  constructor(private readonly srv: Server) {
    // After the cluster guard (10): a key of a slot that is not served here is redirected first.
    this.entry = { order: 11, name: 'migrating-keys', guard: this.guard, armed: false };
    srv.dispatch.addGuard(this.entry);
  }

  add(db: number, keys: string[]): void {
    if (keys.length === 0) return;
    if (this.keys.size === 0) this.srv.dispatch.arm(this.entry, true);
    for (const k of keys) {
      const id = `${db}:${k}`;
      this.keys.set(id, (this.keys.get(id) ?? 0) + 1);
    }
  }

  has(db: number, key: string): boolean {
    return this.keys.has(`${db}:${key}`);
  }

  /** The MIGRATE ended: its keys are free, and every held command runs again (or is held again). */
  remove(db: number, keys: string[]): void {
    for (const k of keys) {
      const id = `${db}:${k}`;
      const n = (this.keys.get(id) ?? 1) - 1;
      if (n > 0) this.keys.set(id, n);
      else this.keys.delete(id);
    }
    if (this.keys.size === 0) this.srv.dispatch.arm(this.entry, false);
    const clients = [...this.held];
    this.held.clear();
    for (const c of clients) release(this.srv, c);
  }

  /** Dispatch guard: holds a command (EXEC: any queued one) that names a key in flight. */
  readonly guard: Guard = (c: Client, cmd: Command, argv: Buffer[]) => {
    if (this.keys.size === 0 || !c.socket) return null;
    const calls: [Command, Buffer[]][] = cmd.name === 'exec' && !cmd.parent ? (c.multi?.queue ?? []).map((q) => [q.cmd, q.argv]) : [[cmd, argv]];
    for (const [qc, qa] of calls) {
      for (const p of qc.keyPositions(qa)) {
        const key = qa[p];
        if (key === undefined || !this.keys.has(`${c.db.id}:${keyStr(key)}`)) continue;
        this.held.add(c);
        hold(c);
        return 'held';
      }
    }
    return null;
  };
}

const registry = new WeakMap<Server, MigratingKeys>();

/** The server's in-flight MIGRATE keys; the guard is installed with the first MIGRATE. */
export function migratingKeys(srv: Server): MigratingKeys {
  let m = registry.get(srv);
  if (!m) registry.set(srv, (m = new MigratingKeys(srv)));
  return m;
}
