// The RDB file (version 10, as Redis 7.0 writes it): header, aux fields, one SELECTDB/RESIZEDB section
// per non-empty db, EOF and the CRC64 trailer. snapshotRdb() is the point-in-time, non-blocking form
// (see snapshot.ts); saveRdbSync() is SAVE's blocking one; loadRdb() replaces every db atomically: it
// decodes everything first, so a corrupt file leaves the dataset untouched.
import type { Server } from '../server.js';
import { REDIS_COMPAT_VERSION } from '../version.js';
import { Crc64 } from './crc64.js';
import { RdbLoader, type LoadedRdb, type ParseOptions } from './rdb-loader.js';
import { RdbWriter, writeEntry, type EncodeOptions } from './rdb-writer.js';
import { RdbError } from './errors.js';
import { OP, RDB_VERSION } from './rdb-types.js';
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

export type { LoadedRdb, ParseOptions };

/** Decodes a whole RDB; throws RdbError on anything malformed. */
export function parseRdb(data: Buffer, opts: ParseOptions): LoadedRdb {
  const loader = RdbLoader.over(data, opts);
  loader.step(Infinity);
  return loader.out;
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

/** The options a load into srv's dbs runs with, overridden by opts. */
export function parseOptions(srv: Server, opts: Partial<ParseOptions>): ParseOptions {
  return {
    databases: srv.dbs.length,
    dropExpired: !srv.isReplica,
    now: Date.now(),
    log: (m) => srv.log.warning(m),
    keyLoadDelayUs: Math.max(0, srv.config.int('key-load-delay')),
    ...opts,
  };
}

/**
 * A loader that decodes straight into the (emptied) dbs, saving a second insertion of every key: when
 * there is nothing to keep (start-up, a replica's full sync). On an error while it steps, failedInto
 * empties them again (all-or-nothing, as loadRdb).
 */
function intoDbs(srv: Server, opts: ParseOptions): RdbLoader {
  Snapshot.finishAllSync(srv);
  for (const db of srv.dbs) db.clear();
  return new RdbLoader({ ...opts, into: (id) => srv.dbs[id] });
}

/** What a load into the dbs ends with: the libraries it carried are loaded. */
export function loadedInto(srv: Server, loader: RdbLoader): LoadedRdb {
  rdbFunctionsHook(srv)?.loaded(loader.out.functions);
  return loader.out;
}

function failedInto(srv: Server, e: unknown): never {
  for (const db of srv.dbs) db.clear();
  throw e;
}

/** Input a sliced load reads as it goes (a file: FileChunks; bytes in memory: wholeInput). */
export interface RdbSource {
  /** The next bytes: up to max(min, its chunk size), fewer only near the end; null past the end. */
  read(min: number): Promise<Buffer | null>;
  /** Bytes free before each chunk in its memory, which the reader may overwrite (RdbLoader.push). */
  readonly headroom?: number;
}

/** Bytes already in memory as a source: all of them at the first read. */
export function wholeInput(data: Buffer): RdbSource {
  let given = false;
  return { read: () => Promise.resolve(given ? null : ((given = true), data)) };
}

/**
 * The start-up load into empty dbs, `slice` bytes at a time: `between(loader)` runs after each slice
 * (progress, a turn of the event loop) and returns false to stop (a shutdown), then this returns null.
 * The next chunk of the source is read while the one before it decodes. All-or-nothing as loadRdb:
 * on error the dbs are emptied and the error (an RdbError, or the source's) thrown.
 */
export function loadRdbSliced(srv: Server, source: RdbSource, opts: Partial<ParseOptions>, slice: number, between: (loader: RdbLoader) => Promise<boolean>): Promise<LoadedRdb | null> {
  return withLoadHeapGrowth(async () => {
    const loader = intoDbs(srv, parseOptions(srv, opts));
    try {
      if (!(await stepSliced(loader, source, slice, between))) return null;
    } catch (e) {
      failedInto(srv, e);
    }
    return loadedInto(srv, loader);
  });
}

/** Steps `loader` to the end, fed from `source` whenever it runs out of input; false when between() stopped it. */
async function stepSliced(loader: RdbLoader, source: RdbSource, slice: number, between: (loader: RdbLoader) => Promise<boolean>): Promise<boolean> {
  let fed = 0;
  let ahead: Promise<Buffer | null> | null = source.read(slice);
  for (;;) {
    const r = loader.step(slice);
    if (r === 'done') return true;
    if (r === 'need-input' && ahead !== null) {
      const chunk = await ahead;
      if (chunk === null) {
        loader.end();
        ahead = null;
      } else {
        // An item longer than a chunk: read as much again as is pending, so its bytes are
        // concatenated a logarithmic number of times, not once per chunk.
        const pending = fed - loader.loaded;
        loader.push(chunk, source.headroom ?? 0);
        fed += chunk.length;
        ahead = source.read(pending >= slice ? pending + chunk.length : slice);
      }
    }
    if (!(await between(loader))) return false;
  }
}

function load(srv: Server, data: Buffer, opts: Partial<ParseOptions>, mode: LoadMode): LoadedRdb {
  const parseOpts = parseOptions(srv, opts);
  if (srv.dbs.every((db) => db.data.size === 0 && db.expires.size === 0)) {
    const loader = intoDbs(srv, parseOpts);
    try {
      loader.push(data);
      loader.end();
      loader.step(Infinity);
    } catch (e) {
      failedInto(srv, e);
    }
    return loadedInto(srv, loader);
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
