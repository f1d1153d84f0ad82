// Point-in-time snapshots without fork. At start each non-empty db's live Map iterator is kept and
// keys are serialized in time-boxed slices between event-loop turns. Before any command writes a key
// (dispatch beforeCall), the key's current value is serialized first if the snapshot has not reached
// it, and the key is marked done; a key absent at start is marked done too, so it is skipped when the
// iterator meets it later. Deleted keys vanish from the live iterator, so only what existed when the
// snapshot began is written, each key once, with its value and TTL at that moment. Commands that
// write without naming keys (FLUSHALL, SWAPDB...) first finish every snapshot synchronously.
import type { Server } from '../server.js';
import type { Client } from '../client.js';
import type { Command } from '../commands/table.js';
import type { Db } from '../store/db.js';
import type { RedisValue } from '../store/types.js';
import { keyBuf, keyStr } from '../store/types.js';
import { Crc64 } from './crc64.js';
import { RdbWriter, writeEntry } from './rdb-writer.js';
import { encodeOptions, writeDbHeader, writeHeader, type SnapshotOptions } from './rdb.js';
import { OP } from './rdb-types.js';

/** Longest a slice may run before yielding to clients (ms). */
const SLICE_MS = 2;
const CRC_SLICE = 4 * 1024 * 1024;
/** Commands whose writes can land in another db than the client's (MOVE, COPY ... DB n). */
const CROSS_DB = new Set(['move', 'copy']);

interface DbPass {
  db: Db;
  w: RdbWriter;
  done: Set<string>;
  it: Iterator<[string, RedisValue]>;
  finished: boolean;
  size: number;
  expires: number;
}

type Hook = (c: Client, cmd: Command, argv: Buffer[]) => void;
/** Running snapshots per server, and the dispatch hook installed while there is at least one. */
const active = new WeakMap<Server, { snaps: Set<Snapshot>; hook: Hook }>();

export class Snapshot {
  readonly done: Promise<Buffer>;
  private resolve!: (b: Buffer) => void;
  private reject!: (e: Error) => void;
  private readonly passes = new Map<number, DbPass>();
  private readonly header: RdbWriter;
  private serialized = false;

  private constructor(private readonly srv: Server, opts: SnapshotOptions) {
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    const enc = encodeOptions(srv);
    this.header = new RdbWriter(enc);
    writeHeader(this.header, opts);
    for (const db of srv.dbs) {
      if (db.size === 0) continue;
      this.passes.set(db.id, { db, w: new RdbWriter(enc), done: new Set(), it: db.data.entries(), finished: false, size: db.size, expires: db.expires.size });
    }
  }

  static start(srv: Server, opts: SnapshotOptions): Snapshot {
    const s = new Snapshot(srv, opts);
    let reg = active.get(srv);
    if (!reg) {
      const snaps = new Set<Snapshot>();
      reg = { snaps, hook: (c, cmd, argv) => beforeCall(snaps, c, cmd, argv) };
      active.set(srv, reg);
    }
    if (reg.snaps.size === 0) srv.dispatch.beforeCall.push(reg.hook);
    reg.snaps.add(s);
    setImmediate(() => s.run());
    return s;
  }

  /** Completes every running snapshot now (before a bulk change such as FLUSHALL or a full load). */
  static finishAllSync(srv: Server): void {
    for (const s of [...(active.get(srv)?.snaps ?? [])]) s.serializeAll();
  }

  static inProgress(srv: Server): number {
    return active.get(srv)?.snaps.size ?? 0;
  }

  /** Writes the key's value as it is now, unless already written (or absent at start). */
  preserve(dbId: number, key: string): void {
    const p = this.passes.get(dbId);
    if (!p || p.finished || p.done.has(key)) return;
    p.done.add(key);
    const v = p.db.data.get(key);
    if (v !== undefined) writeEntry(p.w, keyBuf(key), v, p.db.expires.get(key));
  }

  /** Serializes up to a deadline; true when every db is done. */
  private slice(deadline: number): boolean {
    for (const p of this.passes.values()) {
      if (p.finished) continue;
      for (let n = 1; ; n++) {
        const r = p.it.next();
        if (r.done) {
          p.finished = true;
          p.done.clear();
          break;
        }
        const [k, v] = r.value;
        if (!p.done.has(k)) {
          p.done.add(k);
          writeEntry(p.w, keyBuf(k), v, p.db.expires.get(k));
        }
        if ((n & 31) === 0 && performance.now() > deadline) return false;
      }
    }
    return true;
  }

  serializeAll(): void {
    if (!this.serialized) this.slice(Infinity);
    this.detach();
  }

  private detach(): void {
    if (this.serialized) return;
    this.serialized = true;
    const reg = active.get(this.srv);
    if (!reg) return;
    reg.snaps.delete(this);
    if (reg.snaps.size === 0) {
      const i = this.srv.dispatch.beforeCall.indexOf(reg.hook);
      if (i >= 0) this.srv.dispatch.beforeCall.splice(i, 1);
    }
  }

  private run(): void {
    try {
      if (!this.serialized && !this.slice(performance.now() + SLICE_MS)) {
        setImmediate(() => this.run());
        return;
      }
      this.detach();
      void this.assemble().then(this.resolve, this.reject);
    } catch (e) {
      this.detach();
      this.reject(e as Error);
    }
  }

  /** Header, db sections, EOF and the checksum (computed in slices too). */
  private async assemble(): Promise<Buffer> {
    const chunks = this.header.finish();
    for (const p of [...this.passes.values()].sort((a, b) => a.db.id - b.db.id)) {
      const h = new RdbWriter(this.header.opts);
      writeDbHeader(h, p.db.id, p.size, p.expires);
      chunks.push(...h.finish(), ...p.w.finish());
    }
    chunks.push(Buffer.from([OP.EOF]));
    const crc = new Crc64();
    if (this.srv.config.bool('rdbchecksum')) {
      let since = 0;
      for (const c of chunks) {
        crc.update(c);
        since += c.length;
        if (since >= CRC_SLICE) {
          since = 0;
          await new Promise((r) => setImmediate(r));
        }
      }
      chunks.push(crc.digest());
    } else {
      chunks.push(Buffer.alloc(8));
    }
    return Buffer.concat(chunks);
  }
}

/** dispatch hook: pre-images of the keys a write command is about to change. */
function beforeCall(snaps: Set<Snapshot>, c: Client, cmd: Command, argv: Buffer[]): void {
  if (cmd.name === 'exec' && c.multi) {
    for (const q of c.multi.queue) preserveFor(snaps, c, q.cmd, q.argv);
    return;
  }
  preserveFor(snaps, c, cmd, argv);
}

function preserveFor(snaps: Set<Snapshot>, c: Client, cmd: Command, argv: Buffer[]): void {
  if (!cmd.isWrite && !cmd.flags.has('may_replicate')) return;
  const positions = cmd.keyPositions(argv);
  if (positions.length === 0) {
    if (cmd.isWrite) for (const s of [...snaps]) s.serializeAll();
    return;
  }
  const crossDb = CROSS_DB.has(cmd.name);
  for (const s of snaps) {
    for (const pos of positions) {
      if (pos >= argv.length) continue;
      const key = keyStr(argv[pos]);
      if (crossDb) for (let id = 0; id < 64; id++) s.preserve(id, key);
      else s.preserve(c.db.id, key);
    }
  }
}
