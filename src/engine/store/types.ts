// Value types held by the keyspace. Strings are Buffers; aggregates are classes implementing
// RedisObject (defined by their families in store/*.ts) so `type` dispatch is one property read.
export type TypeName = 'string' | 'list' | 'hash' | 'set' | 'zset' | 'stream';

export interface RedisObject {
  readonly type: Exclude<TypeName, 'string'>;
  /** OBJECT ENCODING, as Redis would answer for this size and content. */
  encoding(): string;
  /** Rough bytes held, for INFO memory and maxmemory. */
  memoryUsage(): number;
  /** A deep copy (COPY, snapshots). */
  clone(): RedisObject;
  /** Hashes and sets: loads what lookups of the fields or members at ranges[2i, 2i + 1) of b,
   * from <= i < to, will read (a read's prefetch: Keyspace.prefetch); returns a sum of what it read. */
  touchMembers?(b: Buffer, ranges: Int32Array, from: number, to: number): number;
}

export type RedisValue = Buffer | RedisObject;

/**
 * What the keyspace map holds: a RedisValue, or a short string value packed as a latin1 JS string
 * (one byte per char, the bytes unchanged). A packed value costs ~24 bytes where a Buffer view costs
 * ~100: at 1M small keys that is most of the gap to redis-server's memory. Db.get() hands out
 * Buffers; only the keyspace's own code (db.ts, persistence, GET's fast path) sees packed strings.
 */
export type StoredValue = RedisValue | string;

/** The RedisValue of a stored value (a packed string becomes a fresh Buffer). */
export function unpack(v: StoredValue): RedisValue {
  if (typeof v !== 'string') return v;
  const n = v.length;
  if (n > 32) return Buffer.from(v, 'latin1');
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = v.charCodeAt(i);
  return b;
}

export function typeOf(v: StoredValue): TypeName {
  return typeof v === 'string' || Buffer.isBuffer(v) ? 'string' : v.type;
}

/** Keys are held as latin1 strings: a 1:1 image of the key's bytes, usable as a Map key. */
export const keyStr = (b: Buffer): string => b.latin1Slice(0, b.length);
export const keyBuf = (s: string): Buffer => Buffer.from(s, 'latin1');
