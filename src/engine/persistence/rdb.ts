// The RDB file (version 10, as Redis 7.0 writes it): header, aux fields, one SELECTDB/RESIZEDB section
// per non-empty db, EOF and the CRC64 trailer. snapshotRdb() is the point-in-time, non-blocking form
// (see snapshot.ts); saveRdbSync() is SAVE's blocking one; loadRdb() replaces every db atomically: it
// decodes everything first, so a corrupt file leaves the dataset untouched.
import type { Server } from '../server.js';
import type { StoredValue } from '../store/types.js';
import { packLoaded } from '../store/compact.js';
import { REDIS_COMPAT_VERSION } from '../version.js';
import { Crc64 } from './crc64.js';
import { RdbReader } from './rdb-reader.js';
import { RdbWriter, writeEntry, type EncodeOptions } from './rdb-writer.js';
import { RdbError } from './errors.js';
import { OP, RDB_VERSION, T } from './rdb-types.js';
import { Snapshot } from './snapshot.js';
import { rdbFunctionsHook } from './rdb-functions.js';
import { withLoadHeapGrowth } from '../heap-growth.js';

export { RdbError };

export interface SnapshotOptions {
  /** Extra aux fields (replication adds repl-id, repl-offset, repl-stream-db). */
  aux?: [string, string | number][];
  /** Written as the base of an AOF (aux aof-base 1). */
  aofBase?: boolean;
}

export function encodeOptions(srv: Server): EncodeOptions {
  return { compress: srv.config.bool('rdbcompression'), listMaxListpackSize: Number(srv.config.get('list-max-listpack-size')) };
}

/** Magic, version, the aux fields Redis 7.0 writes, then the function libraries (scripting's hook). */
export function writeHeader(w: RdbWriter, opts: SnapshotOptions, srv?: Server): void {
  w.bytes(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`));
  const mem = process.memoryUsage();
  const aux: [string, string | number][] = [
    ['redis-ver', REDIS_COMPAT_VERSION],
    ['redis-bits', 64],
    ['ctime', Math.floor(Date.now() / 1000)],
    ['used-mem', mem.heapUsed + mem.external],
    ...(opts.aux ?? []),
    ['aof-base', opts.aofBase ? 1 : 0],
  ];
  for (const [k, v] of aux) {
    w.u8(OP.AUX);
    w.str(Buffer.from(k));
    w.str(Buffer.from(String(v)));
  }
  const fns = rdbFunctionsHook(srv)?.records();
  if (fns && fns.length > 0) w.bytes(fns);
}

export function writeDbHeader(w: RdbWriter, id: number, size: number, expires: number): void {
  w.u8(OP.SELECTDB);
  w.len(id);
  w.u8(OP.RESIZEDB);
  w.len(size);
  w.len(expires);
}

/** EOF opcode and the checksum of everything (0 with rdbchecksum no, as Redis does). */
export function trailer(chunks: Buffer[], checksum: boolean): Buffer {
  const crc = new Crc64();
  if (checksum) {
    for (const c of chunks) crc.update(c);
    crc.update(Buffer.from([OP.EOF]));
  }
  return Buffer.concat([Buffer.from([OP.EOF]), checksum ? crc.digest() : Buffer.alloc(8)]);
}

/** SAVE: the whole dataset, synchronously. */
export function saveRdbSync(srv: Server, opts: SnapshotOptions = {}): Buffer {
  const w = new RdbWriter(encodeOptions(srv));
  writeHeader(w, opts, srv);
  for (const db of srv.dbs) {
    if (db.size === 0) continue;
    writeDbHeader(w, db.id, db.size, db.expires.size);
    for (const [k, v] of db.data) writeEntry(w, k, v, db.expires.size > 0 ? db.expires.get(k) : undefined);
  }
  const chunks = w.finish();
  chunks.push(trailer(chunks, srv.config.bool('rdbchecksum')));
  return Buffer.concat(chunks);
}

/** A point-in-time RDB of every db, serialized in slices while the event loop keeps serving. */
export function snapshotRdb(srv: Server, opts: SnapshotOptions = {}): Promise<Buffer> {
  return Snapshot.start(srv, opts).done;
}

/**
 * The same snapshot, streamed: `sink` gets the RDB's chunks in file order as they are produced (the
 * first ones synchronously, before this returns), so nothing holds or concatenates the whole file.
 */
export function snapshotRdbTo(srv: Server, opts: SnapshotOptions, sink: (chunk: Buffer) => void): Promise<void> {
  return Snapshot.start(srv, opts, sink).done.then(() => undefined);
}

export interface LoadedRdb {
  dbs: Map<number, { data: Map<string, StoredValue>; expires: Map<string, number> }>;
  aux: Map<string, string>;
  keys: number;
  expired: number;
  /** Offset just past the checksum (an AOF base continues with commands there). */
  end: number;
  /** Function library codes (RDB_OPCODE_FUNCTION2 records). */
  functions: Buffer[];
}

export interface ParseOptions {
  databases: number;
  /** Drop keys whose TTL already passed (a master does; a replica and an AOF preamble keep them). */
  dropExpired: boolean;
  now: number;
  log?: (msg: string) => void;
  /** Decode straight into these maps (by db id) instead of fresh ones (loadRdb into an empty dataset). */
  into?: (id: number) => { data: Map<string, StoredValue>; expires: Map<string, number> };
}

/** Decodes a whole RDB; throws RdbError on anything malformed. */
export function parseRdb(data: Buffer, opts: ParseOptions): LoadedRdb {
  const r = new RdbReader(data);
  if (data.length < 9 || data.latin1Slice(0, 5) !== 'REDIS') throw new RdbError('Wrong signature trying to load DB from file');
  const version = Number(data.latin1Slice(5, 9));
  if (!Number.isInteger(version) || version < 1 || version > RDB_VERSION) throw new RdbError(`Can't handle RDB format version ${data.latin1Slice(5, 9)}`);
  r.pos = 9;
  const out: LoadedRdb = { dbs: new Map(), aux: new Map(), keys: 0, expired: 0, end: 0, functions: [] };
  let cur: { data: Map<string, StoredValue>; expires: Map<string, number> } | null = null;
  let dbId = 0;
  const selectDb = (id: number) => {
    if (id >= opts.databases) throw new RdbError(`FATAL: Data file was created with a Redis server configured to handle more than ${opts.databases} databases. Exiting`);
    dbId = id;
    cur = out.dbs.get(id) ?? opts.into?.(id) ?? { data: new Map(), expires: new Map() };
    out.dbs.set(id, cur);
  };
  selectDb(0);
  let expireAt = -1;
  for (;;) {
    const type = r.u8();
    switch (type) {
      case OP.EXPIRETIME:
        expireAt = r.take(4).readInt32LE(0) * 1000;
        continue;
      case OP.EXPIRETIME_MS:
        expireAt = r.ms();
        continue;
      case OP.FREQ:
        r.u8();
        continue;
      case OP.IDLE:
        r.len();
        continue;
      case OP.SELECTDB:
        selectDb(r.len());
        continue;
      case OP.RESIZEDB:
        r.len();
        r.len();
        continue;
      case OP.AUX: {
        const k = r.str().toString();
        out.aux.set(k, r.str().toString());
        continue;
      }
      case OP.MODULE_AUX:
        throw new RdbError('The RDB file contains module data (AUX), which the kvctl engine cannot load');
      case OP.FUNCTION:
        r.strView();
        opts.log?.('The RDB file contains a pre-7.0 function record, which Redis 7.0 no longer reads: skipped');
        continue;
      case OP.FUNCTION2:
        out.functions.push(Buffer.from(r.strView()));
        continue;
      case OP.EOF:
        break;
      default: {
        const key = r.keyString();
        const value = type === T.STRING ? r.storedString() : packLoaded(r.value(type));
        const db = cur as unknown as { data: Map<string, StoredValue>; expires: Map<string, number> };
        if (opts.dropExpired && expireAt !== -1 && expireAt < opts.now) {
          if (db.data.has(key)) throw new RdbError(`RDB has duplicated key '${key}' in DB ${dbId}`);
          out.expired++;
        } else {
          // One hash lookup per key: a duplicate is seen as a set that did not grow the map.
          const before = db.data.size;
          db.data.set(key, value);
          if (db.data.size === before) throw new RdbError(`RDB has duplicated key '${key}' in DB ${dbId}`);
          if (expireAt !== -1) db.expires.set(key, expireAt);
          out.keys++;
        }
        expireAt = -1;
        continue;
      }
    }
    break;
  }
  if (version >= 5) {
    const bodyEnd = r.pos;
    const stored = r.take(8);
    if (stored.every((b) => b === 0)) {
      opts.log?.('RDB file was saved with checksum disabled: no check performed.');
    } else {
      const got = new Crc64().update(data, 0, bodyEnd).digest();
      if (!got.equals(stored)) {
        throw new RdbError(`Wrong RDB checksum expected: (${hex(stored)}) got (${hex(got)}). Aborting now.`);
      }
    }
  }
  out.end = r.pos;
  return out;
}

function hex(le: Buffer): string {
  return le.readBigUInt64LE(0).toString(16);
}

/**
 * How a load meets the keys already there: `replace` empties every db first; `add` (DEBUG RELOAD
 * NOFLUSH) refuses a key present in both, before changing anything; `overwrite` (NOFLUSH MERGE) lets
 * the file's value win.
 */
export type LoadMode = 'replace' | 'add' | 'overwrite';

/** Puts the RDB's content into the dbs as `mode` says (all-or-nothing). Throws RdbError. */
export function loadRdb(srv: Server, data: Buffer, opts: Partial<ParseOptions> = {}, mode: LoadMode = 'replace'): LoadedRdb {
  return withLoadHeapGrowth(() => load(srv, data, opts, mode));
}

function load(srv: Server, data: Buffer, opts: Partial<ParseOptions>, mode: LoadMode): LoadedRdb {
  const parseOpts: ParseOptions = {
    databases: srv.dbs.length,
    dropExpired: !srv.isReplica,
    now: Date.now(),
    log: (m) => srv.log.warning(m),
    ...opts,
  };
  if (srv.dbs.every((db) => db.data.size === 0 && db.expires.size === 0)) {
    // Nothing to keep (start-up, a replica's full sync): decode straight into the dbs, saving a
    // second insertion of every key; on error they are emptied again, which is how they were.
    Snapshot.finishAllSync(srv);
    for (const db of srv.dbs) db.clear();
    try {
      const res = parseRdb(data, { ...parseOpts, into: (id) => srv.dbs[id] });
      rdbFunctionsHook(srv)?.loaded(res.functions);
      return res;
    } catch (e) {
      for (const db of srv.dbs) db.clear();
      throw e;
    }
  }
  const parsed = parseRdb(data, parseOpts);
  if (mode === 'add') {
    for (const [id, src] of parsed.dbs) {
      for (const k of src.data.keys()) if (srv.dbs[id].data.has(k)) throw new RdbError(`RDB has duplicated key '${k}' in DB ${id}`);
    }
  }
  Snapshot.finishAllSync(srv);
  for (const db of srv.dbs) {
    if (mode === 'replace') db.clear();
    const src = parsed.dbs.get(db.id);
    if (!src) continue;
    for (const [k, v] of src.data) db.data.set(k, v);
    for (const [k, t] of src.expires) db.expires.set(k, t);
  }
  for (const db of srv.dbs) srv.signalDbAsReady(db);
  rdbFunctionsHook(srv)?.loaded(parsed.functions);
  return parsed;
}
