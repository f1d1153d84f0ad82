// C's "%.Nf" for doubles, exactly: the binary value expanded in decimal and rounded half-to-even, as
// glibc prints it (Number#toFixed rounds ties up, so 0.03125 would print 0.0313 instead of 0.0312).
// Used where Redis replies with fixed-point text: GEO distances (%.4f), coordinates ("%.17Lf" trimmed),
// error texts quoting arguments (%f).
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export function formatFixed(d: number, digits: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  f64[0] = d;
  const neg = u32[1] >>> 31 === 1;
  const exp = (u32[1] >>> 20) & 0x7ff;
  let mant = (BigInt(u32[1] & 0xfffff) << 32n) | BigInt(u32[0]);
  let e: number;
  if (exp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = exp - 1075;
  }
  const scale = 10n ** BigInt(digits);
  let q: bigint;
  if (e >= 0) q = (mant << BigInt(e)) * scale;
  else {
    const num = mant * scale;
    const den = 1n << BigInt(-e);
    q = num / den;
    const r2 = (num % den) * 2n;
    if (r2 > den || (r2 === den && (q & 1n) === 1n)) q++;
  }
  let s = q.toString();
  if (digits > 0) {
    s = s.padStart(digits + 1, '0');
    s = `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
  }
  return neg ? `-${s}` : s;
}

/** Redis's human long-double form of a double: "%.17Lf" with trailing zeros (and dot) removed. */
export function formatHumanFixed(d: number): string {
  let s = formatFixed(d, 17);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}
