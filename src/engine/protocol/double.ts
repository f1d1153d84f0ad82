// Formats a double the way Redis 7.0 replies with it: C's "%.17g" (inf/-inf for infinities).
export function formatDouble17(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  // Integral scores are the common case (ZADD 1 m): below 2^53 they have at most 16 digits, which
  // %.17g prints exactly as they are.
  if (Number.isSafeInteger(d)) return String(d);
  // %g picks exponent form when exp < -4 or exp >= precision; read the exponent from toExponential.
  const e = d.toExponential(16);
  const realExp = Number(e.slice(e.indexOf('e') + 1));
  if (realExp < -4 || realExp >= 17) {
    const parts = e.split('e');
    let mant = parts[0];
    const ex = parts[1];
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const sign = ex[0] === '-' ? '-' : '+';
    const digits = ex.replace(/^[+-]/, '');
    return `${mant}e${sign}${digits.length < 2 ? '0' + digits : digits}`;
  }
  let s = d.toFixed(Math.max(0, 16 - realExp));
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** Redis's shortest human form for INCRBYFLOAT / HINCRBYFLOAT ("%.17Lg" then trailing-zero trim). */
export function formatHumanDouble(d: number): string {
  return formatDouble17(d);
}
