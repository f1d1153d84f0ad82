// Argument parsing helpers with Redis's strictness (string2ll: no spaces, no '+', no leading zeros).
import { parseStrictDouble } from '../util/strtod.js';
const INT_RE = /^-?(0|[1-9][0-9]*)$/;

/** A 64-bit signed integer argument, or null when Redis would say "not an integer or out of range". */
export function parseInt64(b: Buffer): bigint | null {
  if (b.length === 0 || b.length > 20) return null;
  const s = b.latin1Slice(0, b.length);
  if (!INT_RE.test(s) || s === '-0') return null;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return null;
  return n;
}

/** A safe JS integer argument (counts, indexes, timeouts); null when malformed or out of range. */
export function parseIntArg(b: Buffer): number | null {
  if (b.length === 0 || b.length > 20) return null;
  const s = b.latin1Slice(0, b.length);
  if (!INT_RE.test(s) || s === '-0') return null;
  const n = Number(s);
  if (!Number.isSafeInteger(n)) {
    const big = BigInt(s);
    if (big > 9223372036854775807n || big < -9223372036854775808n) return null;
    return big > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  }
  return n;
}

/** A double argument as Redis's getDoubleFromObject reads it (C strtod: inf, hex floats, exponents;
 * no NaN, no leading space, no overflow or underflow to zero). */
export function parseDouble(b: Buffer): number | null {
  return parseDoubleRange(b, 0, b.length);
}

/** parseDouble of the bytes b[start, end) (an argument inside the read buffer). */
export function parseDoubleRange(b: Buffer, start: number, end: number): number | null {
  // Plain integers of up to 15 digits are exact doubles, as strtod reads them: no string, no strtod
  // (ZADD's scores; strtod and its latin1 string were ~9% of a ZADD -P 16 profile).
  const n = end - start;
  if (n > 0 && n <= 15) {
    const neg = b[start] === 45;
    let i = neg ? start + 1 : start;
    if (i < end) {
      let v = 0;
      for (; i < end; i++) {
        const d = b[i] - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (i === end) return neg ? -v : v;
    }
  }
  return parseStrictDouble(b.latin1Slice(start, end));
}

/** Case-insensitive compare of an argument with a lower-case keyword. */
export function is(b: Buffer, word: string): boolean {
  if (b.length !== word.length) return false;
  for (let i = 0; i < b.length; i++) {
    let c = b[i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

export const INT32_RANGE = 'ERR value is out of range, value must between -2147483648 and 2147483647';

/** A C int argument as Redis's getIntFromObjectOrReply reads it: the number, or the error text (not an integer / out of int range). */
export function parseInt32(b: Buffer): number | string {
  const n = parseInt64(b);
  if (n === null) return 'ERR value is not an integer or out of range';
  if (n > 2147483647n || n < -2147483648n) return INT32_RANGE;
  return Number(n);
}

/** An argument as Redis's "%s" prints it in error texts: the bytes (latin1 image) up to the first NUL. */
export function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.latin1Slice(0, nul < 0 ? b.length : nul);
}
