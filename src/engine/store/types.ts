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
}

export type RedisValue = Buffer | RedisObject;

export function typeOf(v: RedisValue): TypeName {
  return Buffer.isBuffer(v) ? 'string' : v.type;
}

/** Keys are held as latin1 strings: a 1:1 image of the key's bytes, usable as a Map key. */
export const keyStr = (b: Buffer): string => b.latin1Slice(0, b.length);
export const keyBuf = (s: string): Buffer => Buffer.from(s, 'latin1');
