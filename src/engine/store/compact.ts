// Compact copies of small values that go into the keyspace. Strings up to PACK_MAX bytes are held
// packed as latin1 JS strings (store/types.ts StoredValue): ~24 bytes against ~100 for a Buffer view.
// Bigger ones up to MAX_PACKED are copied into slabs holding nothing but stored values: the parser's
// arguments come from Node's shared 8 KB pool, next to the command names and keys of the same reads,
// and one stored value kept a whole slab of garbage alive (~85 bytes per key at 1M keys).
import type { RedisValue, StoredValue } from './types.js';
import { hashRange } from './member-table.js';

/** Redis's embstr limit: longer strings are `raw` anyway, and packing gains little on them. */
export const PACK_MAX = 44;
const SLAB = 16 * 1024;
/** Values up to this size are copied into slabs; bigger ones are kept as they are (mostly own allocations). */
const MAX_PACKED = 512;

let slab: Buffer = Buffer.allocUnsafeSlow(SLAB);
let used = 0;

function reserve(n: number): number {
  if (used + n > SLAB) {
    slab = Buffer.allocUnsafeSlow(SLAB);
    used = 0;
  }
  const at = used;
  // 8-byte alignment is not needed for bytes; keeping offsets packed.
  used += n;
  return at;
}

// Short values are shared, as Redis shares its small integer objects: a direct-mapped table of the
// last packed string seen per hash bucket. A value written again (a counter, a flag, the same list
// element) reuses the stored string instead of making one more that survives into the old
// generation, and the lookup is cheaper than latin1Slice's call into C++. Strings are immutable, so
// sharing one cannot leak a write; a bucket holds whatever came last, so the table stays this size.
const SHARE_MAX = 16;
const SHARE_BITS = 10;
const shared: (string | undefined)[] = new Array<string | undefined>(1 << SHARE_BITS).fill(undefined);

function sharedRange(b: Buffer, start: number, end: number): string {
  const n = end - start;
  const at = hashRange(b, start, end) & ((1 << SHARE_BITS) - 1);
  const s = shared[at];
  if (s !== undefined && s.length === n) {
    let i = 0;
    while (i < n && s.charCodeAt(i) === b[start + i]) i++;
    if (i === n) return s;
  }
  return (shared[at] = b.latin1Slice(start, end));
}

/** Keys up to this size come from the same table (sharedKeyStr). */
const SHARE_KEY_MAX = 32;

/**
 * keyStr(b), shared for short keys: the aggregate families look the same few keys up command after
 * command (a pipeline of LPUSH mylist ...), and a shared string is the same object each time, which
 * the keyspace's last-key hash cache (keyspace.ts) recognises without comparing characters.
 */
export function sharedKeyStr(b: Buffer): string {
  return sharedKeyArg(b, 0, b.length);
}

/** sharedKeyStr of buf[start, end): a key read straight out of a read buffer (CommandArgs). */
export function sharedKeyArg(buf: Buffer, start: number, end: number): string {
  return end - start <= SHARE_KEY_MAX ? sharedRange(buf, start, end) : buf.latin1Slice(start, end);
}

/** What to store for a value given as an argument: packed, a slab copy, or b itself (big ones). */
export function storedCopy(b: Buffer): string | Buffer {
  return b.length > MAX_PACKED ? b : storedArg(b, 0, b.length);
}

/**
 * storedCopy of buf[start, end) inside a read buffer that is reused afterwards: the value's one copy
 * (big values get their own Buffer instead of being kept as they are).
 */
export function storedArg(buf: Buffer, start: number, end: number): string | Buffer {
  const n = end - start;
  if (n <= SHARE_MAX) return sharedRange(buf, start, end);
  if (n <= PACK_MAX) return buf.latin1Slice(start, end);
  if (n > MAX_PACKED) return Buffer.from(buf.subarray(start, end));
  const at = reserve(n);
  buf.copy(slab, at, start, end);
  return slab.subarray(at, at + n);
}

/** Redis shares the integers 0..9999 (OBJ_SHARED_INTEGERS); here their texts, made on first use. */
const SHARED_INTEGERS = 10000;
const integers: string[] = [];

/** The decimal text of a safe integer as a stored value (INCR and friends), shared for 0..9999. */
export function storedInteger(v: number): StoredValue {
  if (v >= 0 && v < SHARED_INTEGERS && Number.isInteger(v)) return (integers[v] ??= String(v));
  return String(v);
}

/** A decoded value (RDB load) as the keyspace keeps it: short strings packed, the rest as is. */
export function packLoaded(v: RedisValue): StoredValue {
  return Buffer.isBuffer(v) && v.length <= PACK_MAX ? v.latin1Slice(0, v.length) : v;
}
