// DUMP / RESTORE payloads, byte-compatible with Redis 7.0: the value's RDB type and body, the RDB
// version as 2 little-endian bytes, and the CRC64 of all that as 8 little-endian bytes.
import type { RedisValue } from '../store/types.js';
import { crc64 } from './crc64.js';
import { RdbReader } from './rdb-reader.js';
import { RdbWriter, DEFAULT_ENCODE, type EncodeOptions } from './rdb-writer.js';
import { RdbError } from './errors.js';
import { RDB_VERSION } from './rdb-types.js';

// One writer reused for every payload: a fresh RdbWriter allocates a 64 KB chunk (two, counting
// finish), which made a reshard's MIGRATE of small keys spend more on GC than on encoding.
let scratch: RdbWriter | null = null;

export function dumpValue(value: RedisValue, opts: EncodeOptions = DEFAULT_ENCODE): Buffer {
  const w = (scratch ??= new RdbWriter(opts));
  w.opts = opts;
  try {
    w.value(value);
  } catch (err) {
    scratch = null; // it holds a partial value
    throw err;
  }
  w.u8(RDB_VERSION & 0xff);
  w.u8(RDB_VERSION >> 8);
  // The checksum goes into the room left after the body: no second copy of the payload.
  const out = w.drain(8);
  const n = out.length - 8;
  crc64(out, 0, n).writeTo(out, n);
  return out;
}

/** True when the footer's version is one we read and the checksum matches (Redis's verifyDumpPayload). */
export function verifyPayload(payload: Buffer): boolean {
  if (payload.length < 10) return false;
  const version = payload.readUInt16LE(payload.length - 10);
  if (version > RDB_VERSION) return false;
  return crc64(payload, 0, payload.length - 8).matches(payload, payload.length - 8);
}

export function restoreValue(payload: Buffer): RedisValue {
  if (!verifyPayload(payload)) throw new RdbError('DUMP payload version or checksum are wrong');
  const r = new RdbReader(payload, payload.length - 10);
  const v = r.value(r.u8());
  if (r.remaining !== 0) throw new RdbError('Bad data format');
  return v;
}
