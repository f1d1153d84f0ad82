// OBJECT ENCODING for string values. Redis stores integers as `int`, short strings as `embstr` and
// strings built in place (APPEND, SETRANGE, SETBIT...) as `raw` whatever their size: the value
// Buffer carries no flag, so the in-place results are remembered in a WeakSet.
const rawStrings = new WeakSet<Buffer>();

/** Marks a value produced by an in-place string command (reported as raw, like Redis). */
export function markRaw(b: Buffer): Buffer {
  rawStrings.add(b);
  return b;
}

/** True when the bytes are what Redis's string2l accepts (fits a signed 64-bit long, canonical). */
export function isCanonicalInt(b: Buffer): boolean {
  const n = b.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (b[0] === 45) {
    if (n === 1) return false;
    i = 1;
  }
  if (b[i] === 48) return n === 1; // "0" only; no leading zeros, no "-0"
  for (; i < n; i++) if (b[i] < 48 || b[i] > 57) return false;
  if (n - (b[0] === 45 ? 1 : 0) < 19) return true;
  const v = BigInt(b.latin1Slice(0, n));
  return v <= 9223372036854775807n && v >= -9223372036854775808n;
}

export function stringEncoding(b: Buffer): 'int' | 'embstr' | 'raw' {
  if (rawStrings.has(b)) return 'raw';
  if (isCanonicalInt(b)) return 'int';
  return b.length <= 44 ? 'embstr' : 'raw';
}
