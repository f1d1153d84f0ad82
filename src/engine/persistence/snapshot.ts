// Point-in-time snapshots without fork. Each non-empty db's key list is copied from the live Map in
// time-boxed slices (a copy of 1M keys in one go stalled clients ~7-16 ms), then the keys are
// serialized in slices between event-loop turns. Before any command writes a key (dispatch
// beforeCall), the key's entry as it is now (its pre-image, or "absent") is recorded once; when the
// slices reach a key with a pre-image they write that instead of the live value. Every key of the list
// is thus written exactly once, with its value and TTL at the start, and no per-key bookkeeping is
// needed for the keys nobody writes (most of them). While the lists are being copied, keys with a
// pre-image are left out of them (added since the start: absent then; or existing then: an "orphan",
// written from its pre-image after the walk unless the walk met it, having been copied before it was
// written). Commands that write without naming keys (FLUSHALL, SWAPDB...) first finish every snapshot
// synchronously; so do writes outside commands that could add keys while the lists are being copied
// (clients already blocked at the start, whose serving writes keys: the lists are then copied at once;
// DEBUG, which may add keys: it completes the copy first).
import type { Server } from '../server.js';
import type { Client } from '../client.js';
import type { Command } from '../commands/table.js';
import type { CommandHook } from '../hooks.js';
import type { Db } from '../store/db.js';
import { keyStr, type StoredValue } from '../store/types.js';
import { blockingOf } from '../blocking/registry.js';
import { Crc64 } from './crc64.js';
import { RdbWriter, writeEntry } from './rdb-writer.js';
import { encodeOptions, writeDbHeader, writeHeader, type SnapshotOptions } from './rdb.js';
import { OP } from './rdb-types.js';

/** Longest a slice may run before yielding to clients (ms), when clients were served since the last one. */
const SLICE_MS = 1;
/** The same when nothing much happened in between (a quiet server: the snapshot may take the loop). */
const IDLE_SLICE_MS = 2;
/** Time between two slices below which the loop is taken as quiet (ms). */
const QUIET_GAP_MS = 0.25;
/** Commands whose writes can land in another db than the client's (MOVE, COPY ... DB n). */
const CROSS_DB = new Set(['move', 'copy']);

interface DbPass {
  db: Db;
  w: RdbWriter;
  /**
   * The db's keys when the snapshot started (less the orphans), written in this order. Allocated at
   * the db's size and filled by index while `copied` grows (pushing 1M keys regrew both arrays
   * again and again: most of the copy's time), cut to the count once complete.
   */
  keys: string[];
  copied: number;
  /**
   * Their values as copied, when the db had no TTL at the start: then no key of the start leaves
   * without a write command (which records its pre-image first), so the copied value is the start
   * value and the slices need no second Map lookup per key. Null: look each key up (a key may have
   * expired meanwhile, and its TTL gone with it).
   */
  values: StoredValue[] | null;
  /** The live iterator filling `keys`; null once the list is complete. */
  copier: Iterator<[string, StoredValue]> | null;
  next: number;
  /** Keys written to since the start: their serialized entry then, or null (absent then). */
  pre: Map<string, Buffer | null>;
  /** Keys of the start first written to while `keys` was being copied (see the top of the file). */
  orphans: Set<string>;
  finished: boolean;
  size: number;
  expires: number;
}

type Hook = CommandHook;
/** Running snapshots per server, and the dispatch hook installed while there is at least one. */
const active = new WeakMap<Server, { snaps: Set<Snapshot>; hook: Hook }>();

export class Snapshot {
  /** The whole RDB; an empty Buffer when the chunks went to a sink instead. */
  readonly done: Promise<Buffer>;
  private resolve!: (b: Buffer) => void;
  private reject!: (e: Error) => void;
  private readonly passes = new Map<number, DbPass>();
  /** Passes in file order (db id), and how many were fully emitted. */
  private readonly order: DbPass[];
  private emittedPasses = 0;
  private headerOf: DbPass | null = null;
  /** Scratch writer for pre-images. */
  private readonly scratch: RdbWriter;
  private serialized = false;
  /** Some db's key list is still being copied. */
  private copying = true;
  private lastRunEnd = 0;
  private readonly crc: Crc64 | null;
  private readonly collected: Buffer[] = [];

  private constructor(private readonly srv: Server, opts: SnapshotOptions, private readonly sink?: (chunk: Buffer) => void) {
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    const enc = encodeOptions(srv);
    this.crc = srv.config.bool('rdbchecksum') ? new Crc64() : null;
    this.scratch = new RdbWriter(enc);
    const header = new RdbWriter(enc);
    writeHeader(header, opts, srv);
    for (const db of srv.dbs) {
      if (db.size === 0) continue;
      this.passes.set(db.id, { db, w: new RdbWriter(enc), keys: new Array<string>(db.size), copied: 0, values: db.expires.size === 0 ? new Array<StoredValue>(db.size) : null, copier: db.data.entries(), next: 0, pre: new Map(), orphans: new Set(), finished: false, size: db.size, expires: db.expires.size });
    }
    this.order = [...this.passes.values()].sort((x, y) => x.db.id - y.db.id);
    // A blocked client served later writes keys without a command of its own (BLMOVE's destination).
    if (blockingOf(srv).blockedCount > 0) this.finishCopy();
    for (const c of header.finish()) this.emit(c);
  }

  /**
   * Starts a snapshot. With a sink, the RDB's chunks are handed over in file order as the slices
   * produce them (and `done` resolves empty); otherwise `done` resolves with the whole RDB.
   */
  static start(srv: Server, opts: SnapshotOptions, sink?: (chunk: Buffer) => void): Snapshot {
    const s = new Snapshot(srv, opts, sink);
    let reg = active.get(srv);
    if (!reg) {
      const snaps = new Set<Snapshot>();
      reg = { snaps, hook: (c, cmd, call) => beforeCall(snaps, c, cmd, call.argv) };
      active.set(srv, reg);
    }
    if (reg.snaps.size === 0) srv.hooks.beforeCall.push(reg.hook);
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

  /** Records the key's entry as it is now (the start state), unless already recorded. */
  preserve(dbId: number, key: string): void {
    const p = this.passes.get(dbId);
    if (!p || p.finished || p.pre.has(key)) return;
    const v = p.db.data.get(key);
    if (v === undefined) {
      p.pre.set(key, null);
      return;
    }
    // Also done for keys the slices already passed (we can't tell cheaply); those are never read.
    writeEntry(this.scratch, key, v, p.db.expires.get(key));
    p.pre.set(key, this.scratch.drain());
    if (p.copier) p.orphans.add(key);
  }

  /** Copies key lists up to a deadline; true when every list is complete. */
  private copyKeys(deadline: number): boolean {
    for (const p of this.order) {
      const it = p.copier;
      if (!it) continue;
      const { keys, values, pre } = p;
      let i = p.copied;
      for (let n = 1; ; n++) {
        const r = it.next();
        if (r.done) break;
        const k = r.value[0];
        if (pre.size === 0 || !pre.has(k)) {
          keys[i] = k;
          if (values !== null) values[i] = r.value[1];
          i++;
        }
        if ((n & 1023) === 0 && performance.now() > deadline) {
          p.copied = i;
          return false;
        }
      }
      p.copied = keys.length = i;
      if (values !== null) values.length = i;
      p.copier = null;
    }
    this.copying = false;
    return true;
  }

  /** Completes the key lists now (before something may add keys without naming them). */
  finishCopy(): void {
    if (this.copying) this.copyKeys(Infinity);
  }

  /** Serializes up to a deadline, db by db in id order; true when every db is done. */
  private slice(deadline: number): boolean {
    if (this.copying && !this.copyKeys(deadline)) return false;
    for (const p of this.order) {
      if (p.finished) continue;
      const { keys, values, pre, w, orphans } = p;
      const data = p.db.data;
      const expires = p.db.expires;
      let i = p.next;
      const end = keys.length;
      while (i < end) {
        const k = keys[i++];
        if (pre.size > 0 && pre.has(k)) {
          const b = pre.get(k);
          if (b) w.bytes(b);
          if (orphans.size > 0) orphans.delete(k);
        } else {
          // Unwritten since the start, so the live entry is the start entry (gone: expired or evicted).
          const v = values !== null ? values[i - 1] : data.get(k);
          if (v !== undefined) writeEntry(w, k, v, expires.size > 0 ? expires.get(k) : undefined);
        }
        if ((i & 63) === 0 && performance.now() > deadline) {
          p.next = i;
          return false;
        }
      }
      p.next = i;
      // Keys of the start written to before the copy reached them: their pre-image.
      for (const k of orphans) w.bytes(pre.get(k) as Buffer);
      p.finished = true;
      p.keys = [];
      p.values = null;
      p.pre.clear();
      orphans.clear();
    }
    return true;
  }

  private emit(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.crc?.update(chunk);
    if (this.sink) this.sink(chunk);
    else this.collected.push(chunk);
  }

  /** Hands over, in file order, every chunk that is complete: db headers, then each db's entries. */
  private flush(): void {
    while (this.emittedPasses < this.order.length) {
      const p = this.order[this.emittedPasses];
      if (this.headerOf !== p) {
        this.headerOf = p;
        const h = new RdbWriter(p.w.opts);
        writeDbHeader(h, p.db.id, p.size, p.expires);
        for (const c of h.finish()) this.emit(c);
      }
      if (!p.finished) {
        for (const c of p.w.takeSealed()) this.emit(c);
        return;
      }
      for (const c of p.w.finish()) this.emit(c);
      this.emittedPasses++;
    }
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
      const i = this.srv.hooks.beforeCall.indexOf(reg.hook);
      if (i >= 0) this.srv.hooks.beforeCall.splice(i, 1);
    }
  }

  private run(): void {
    try {
      // Short slices while clients are being served between them (each one delays every request
      // that arrives meanwhile), longer ones on a quiet loop.
      const now = performance.now();
      const budget = now - this.lastRunEnd < QUIET_GAP_MS ? IDLE_SLICE_MS : SLICE_MS;
      const more = !this.serialized && !this.slice(now + budget);
      this.lastRunEnd = performance.now();
      this.flush();
      if (more) {
        setImmediate(() => this.run());
        return;
      }
      this.detach();
      this.emit(Buffer.from([OP.EOF]));
      const digest = this.crc ? this.crc.digest() : Buffer.alloc(8);
      if (this.sink) this.sink(digest);
      else this.collected.push(digest);
      this.resolve(this.sink ? Buffer.alloc(0) : Buffer.concat(this.collected));
      this.collected.length = 0;
    } catch (e) {
      this.detach();
      this.reject(e as Error);
    }
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
  if (cmd.name === 'debug') for (const s of snaps) s.finishCopy(); // DEBUG POPULATE adds keys
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
