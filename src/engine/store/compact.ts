// Compact copies of small values that go into the keyspace. The parser's arguments come from Node's
// shared 8 KB buffer pool, next to the command names and keys of the same reads: one stored 3-byte
// value kept a whole slab of garbage alive (~85 bytes per key at 1M keys). Stored values are copied
// into slabs holding nothing but stored values instead; the copy is cheaper than the memory.
const SLAB = 16 * 1024;
/** Values up to this size are packed; bigger ones are kept as they are (they are mostly own allocations). */
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

/** A copy of b held in a values-only slab (small values) or b itself (big ones). */
export function storedCopy(b: Buffer): Buffer {
  const n = b.length;
  if (n > MAX_PACKED) return b;
  if (n === 0) return EMPTY;
  const at = reserve(n);
  const s = slab;
  if (n <= 16) {
    for (let i = 0; i < n; i++) s[at + i] = b[i];
  } else {
    b.copy(s, at, 0, n);
  }
  return s.subarray(at, at + n);
}

/** The decimal text of a safe integer as a stored value (INCR and friends), without a string. */
export function storedInteger(v: number): Buffer {
  let neg = false;
  let x = v;
  if (x < 0) {
    neg = true;
    x = -x;
  }
  let digits = 1;
  for (let t = x; t >= 10; t = Math.floor(t / 10)) digits++;
  const n = digits + (neg ? 1 : 0);
  const at = reserve(n);
  const s = slab;
  if (neg) s[at] = 45;
  let p = at + n - 1;
  do {
    s[p--] = 48 + (x % 10);
    x = Math.floor(x / 10);
  } while (x > 0);
  return s.subarray(at, at + n);
}

const EMPTY = Buffer.alloc(0);
