// C's strtod as Redis relies on it, for the parts that decide which replies differ: how far it reads
// (leading spaces, sign, inf/infinity/nan, hexadecimal floats with a binary exponent, decimal with an
// exponent) and whether it overflowed or underflowed (ERANGE). Decimal values come from Number(),
// which rounds exactly as glibc does.

export interface StrtodResult {
  value: number;
  /** Index just past what was read (0 when nothing was: C's endptr == str). */
  end: number;
  /** errno == ERANGE: the value overflowed to +-inf or underflowed. */
  erange: boolean;
}

const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const hexVal = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

function startsWithWord(s: string, at: number, word: string): boolean {
  return s.slice(at, at + word.length).toLowerCase() === word;
}

export function strtod(s: string): StrtodResult {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let sign = 1;
  if (s[i] === '+' || s[i] === '-') {
    if (s[i] === '-') sign = -1;
    i++;
  }
  if (startsWithWord(s, i, 'inf')) {
    const end = startsWithWord(s, i, 'infinity') ? i + 8 : i + 3;
    return { value: sign * Infinity, end, erange: false };
  }
  if (startsWithWord(s, i, 'nan')) {
    let end = i + 3;
    if (s[end] === '(') {
      const close = s.indexOf(')', end);
      if (close !== -1 && /^[0-9a-z_]*$/i.test(s.slice(end + 1, close))) end = close + 1;
    }
    return { value: NaN, end, erange: false };
  }
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) {
    const hex = hexFloat(s, i + 2);
    // "0x" with no hex digits reads as the "0" alone.
    if (hex) return { value: sign * hex.value, end: hex.end, erange: hex.erange };
    return { value: sign * 0, end: i + 1, erange: false };
  }
  const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(s.slice(i));
  if (!m) return { value: 0, end: 0, erange: false };
  const value = sign * Number(m[0]);
  const mantissaZero = !/[1-9]/.test(m[1]);
  const erange = !Number.isFinite(value) || (value === 0 && !mantissaZero);
  return { value, end: i + m[0].length, erange };
}

function hexFloat(s: string, at: number): { value: number; end: number; erange: boolean } | null {
  let i = at;
  let mant = 0;
  let exp = 0;
  let digits = 0;
  let seenDot = false;
  for (; i < s.length; i++) {
    if (s[i] === '.' && !seenDot) {
      seenDot = true;
      continue;
    }
    const h = hexVal(s.charCodeAt(i));
    if (h < 0) break;
    digits++;
    // Beyond 2^53 further digits only move the binary exponent.
    if (mant < 2 ** 53) {
      mant = mant * 16 + h;
      if (seenDot) exp -= 4;
    } else if (!seenDot) exp += 4;
  }
  if (digits === 0) return null;
  if (s[i] === 'p' || s[i] === 'P') {
    const e = /^[pP]([+-]?\d+)/.exec(s.slice(i));
    if (e) {
      exp += Math.max(-100000, Math.min(100000, Number(e[1])));
      i += e[0].length;
    }
  }
  const value = mant * 2 ** exp;
  return { value, end: i, erange: !Number.isFinite(value) || (value === 0 && mant !== 0) };
}

/** Redis's getDoubleFromObject / string2d: the whole string, no leading space, no overflow, no NaN. */
export function parseStrictDouble(s: string): number | null {
  if (s.length === 0 || isSpace(s.charCodeAt(0))) return null;
  const r = strtod(s);
  if (r.end !== s.length || Number.isNaN(r.value)) return null;
  if (r.erange && (r.value === 0 || !Number.isFinite(r.value))) return null;
  return r.value;
}

/** Redis's zslParseRange bound: strtod must read the whole string (even an empty one, read as 0); NaN fails. */
export function parseRangeDouble(s: string): number | null {
  const r = strtod(s);
  if (r.end !== s.length || Number.isNaN(r.value)) return null;
  return r.value;
}
