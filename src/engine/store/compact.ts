// Compact copies of small values that go into the keyspace. Strings up to PACK_MAX bytes are held
// packed as latin1 JS strings (store/types.ts StoredValue): ~24 bytes against ~100 for a Buffer view.
// Bigger ones up to MAX_PACKED are copied into slabs holding nothing but stored values: the parser's
// arguments come from Node's shared 8 KB pool, next to the command names and keys of the same reads,
// and one stored value kept a whole slab of garbage alive (~85 bytes per key at 1M keys).
import type { RedisValue, StoredValue } from './types.js';
import { sharedInteger, sharedLatin1 } from './shared-strings.js';

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

/** What to store for a value given as an argument: packed, a slab copy, or b itself (big ones). */
export function storedCopy(b: Buffer): StoredValue {
  const n = b.length;
  if (n <= PACK_MAX) return sharedLatin1(b);
  if (n > MAX_PACKED) return b;
  const at = reserve(n);
  b.copy(slab, at, 0, n);
  return slab.subarray(at, at + n);
}

/** The decimal text of a safe integer as a stored value (INCR and friends). */
export function storedInteger(v: number): StoredValue {
  return sharedInteger(v);
}

/** A decoded value (RDB load) as the keyspace keeps it: short strings packed, the rest as is. */
export function packLoaded(v: RedisValue): StoredValue {
  return Buffer.isBuffer(v) && v.length <= PACK_MAX ? v.latin1Slice(0, v.length) : v;
}
