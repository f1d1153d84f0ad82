// INCRBYFLOAT / HINCRBYFLOAT arithmetic as Redis does it: x87 80-bit long doubles (64-bit mantissa)
// parsed like strtold, added with round-half-even, printed as "%.17Lf" with trailing zeros trimmed.
// JS doubles would print 0.1+0.2 as 0.30000000000000004 where Redis prints 0.3, so this is emulated
// exactly with BigInt: a value is sign * mant * 2^exp with mant < 2^64.

interface LongDouble {
  neg: boolean;
  mant: bigint;
  exp: number;
}

const MANT_BITS = 64;
/** Exponent limits of the x87 format (values beyond are +-inf / flush to zero). */
const MAX_EXP = 16384 - MANT_BITS;
const MIN_EXP = -16382 - MANT_BITS;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds num/den * 2^exp (num, den > 0) to a 64-bit mantissa, half to even. */
function roundQuotient(neg: boolean, num: bigint, den: bigint, exp: number): LongDouble | null {
  // Scale so the quotient has exactly MANT_BITS bits.
  let shift = MANT_BITS - (bitLength(num) - bitLength(den));
  for (;;) {
    const n = shift >= 0 ? num << BigInt(shift) : num;
    const d = shift >= 0 ? den : den << BigInt(-shift);
    const q = n / d;
    const bits = bitLength(q);
    if (bits > MANT_BITS) {
      shift--;
      continue;
    }
    if (bits < MANT_BITS) {
      shift++;
      continue;
    }
    const r = n - q * d;
    let mant = q;
    if (2n * r > d || (2n * r === d && (q & 1n) === 1n)) mant++;
    let e = exp - shift;
    if (mant === 1n << BigInt(MANT_BITS)) {
      mant >>= 1n;
      e++;
    }
    if (e > MAX_EXP) return null; // overflow to infinity
    if (e < MIN_EXP) return { neg, mant: 0n, exp: 0 };
    return { neg, mant, exp: e };
  }
}

/** Parses like Redis's string2ld (strtold, whole string, no spaces, no nan); null when invalid. */
export function parseLongDouble(s: string): LongDouble | 'inf' | null {
  if (s.length === 0 || s.length >= 5 * 1024) return null;
  const low = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(low)) return 'inf';
  const hex = HEX_RE.exec(s);
  if (hex) return parseHex(hex);
  const m = DECIMAL_RE.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const neg = m[1] === '-';
  const frac = m[3] ?? '';
  const digits = BigInt((m[2] + frac).replace(/^0+/, '') || '0');
  const e10 = Number(m[4] ?? '0') - frac.length;
  if (digits === 0n) return { neg, mant: 0n, exp: 0 };
  if (Math.abs(e10) > 6000) return null; // far outside the format: ERANGE
  const r = e10 >= 0 ? roundQuotient(neg, digits * 10n ** BigInt(e10), 1n, 0) : roundQuotient(neg, digits, 10n ** BigInt(-e10), 0);
  // Overflow (HUGE_VALL) and underflow to zero are ERANGE: string2ld refuses both.
  if (r === null || r.mant === 0n) return null;
  return r;
}

/** strtold's hexadecimal form: 0x, hex digits with an optional point, an optional binary exponent. */
function parseHex(m: RegExpExecArray): LongDouble | null {
  const [, sign, int, frac = '', exp] = m;
  if (int === '' && frac === '') return null;
  const digits = BigInt('0x' + ((int + frac).replace(/^0+/, '') || '0'));
  if (digits === 0n) return { neg: sign === '-', mant: 0n, exp: 0 };
  const e2 = Number(exp ?? '0') - 4 * frac.length;
  if (Math.abs(e2) > 70000) return null;
  const r = roundQuotient(sign === '-', digits, 1n, e2);
  return r === null || r.mant === 0n ? null : r;
}

/** The value as a JS number (rounded; +-Infinity beyond the double range). */
export function longDoubleToNumber(a: LongDouble | 'inf', negInf = false): number {
  if (a === 'inf') return negInf ? -Infinity : Infinity;
  const v = Number(a.mant) * 2 ** a.exp;
  return a.neg ? -v : v;
}

function toRational(a: LongDouble, minExp: number): bigint {
  const v = a.mant << BigInt(a.exp - minExp);
  return a.neg ? -v : v;
}

/** a + b rounded to the format; null on overflow. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.mant === 0n) return b;
  if (b.mant === 0n) return a;
  const e = Math.min(a.exp, b.exp);
  const sum = toRational(a, e) + toRational(b, e);
  if (sum === 0n) return { neg: false, mant: 0n, exp: 0 };
  return roundQuotient(sum < 0n, sum < 0n ? -sum : sum, 1n, e);
}

/** "%.17Lf" with trailing zeros (and a trailing dot) removed, as Redis's ld2string(LD_STR_HUMAN). */
export function formatLongDouble(a: LongDouble): string {
  const SCALE = 10n ** 17n;
  let scaled: bigint;
  if (a.exp >= 0) {
    scaled = (a.mant << BigInt(a.exp)) * SCALE;
  } else {
    const num = a.mant * SCALE;
    const den = 1n << BigInt(-a.exp);
    scaled = num / den;
    const r = num - scaled * den;
    if (2n * r > den || (2n * r === den && (scaled & 1n) === 1n)) scaled++;
  }
  const int = (scaled / SCALE).toString();
  let frac = (scaled % SCALE).toString().padStart(17, '0').replace(/0+$/, '');
  if (frac) frac = '.' + frac;
  const out = int + frac;
  return a.neg && scaled !== 0n ? '-' + out : out;
}

/** The INCRBYFLOAT step: current value (null = 0) plus incr, as Redis formats it, or the error text. */
export function incrByFloat(current: string | null, incr: string): { value: string } | { error: string } {
  const NOT_FLOAT = 'ERR value is not a valid float';
  const cur = current === null ? ({ neg: false, mant: 0n, exp: 0 } as LongDouble) : parseLongDouble(current);
  const by = parseLongDouble(incr);
  if (cur === null || by === null) return { error: NOT_FLOAT };
  const INF = 'ERR increment would produce NaN or Infinity';
  if (cur === 'inf' || by === 'inf') return { error: INF };
  const sum = addLongDouble(cur, by);
  if (sum === null) return { error: INF };
  return { value: formatLongDouble(sum) };
}
