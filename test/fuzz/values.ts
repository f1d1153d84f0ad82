// Seeded randomness and the hostile values the fuzzers draw from: integers at every 2^n boundary and
// at +-2^63, floats with inf/nan/-0, empty, binary and long strings, glob patterns.

/** mulberry32: small, fast, good enough for test generation; the seed makes a run repeatable. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

const POW2: string[] = [];
for (let n = 0; n <= 64; n++) {
  const v = 2n ** BigInt(n);
  for (const x of [v - 1n, v, v + 1n, -v, -v - 1n]) POW2.push(String(x));
}

/** Integers: small ones most of the time (they make commands do work), boundaries the rest. */
export function integer(r: Rng): string {
  if (r.chance(0.5)) return String(r.int(12) - 3);
  if (r.chance(0.1)) return r.pick(['9223372036854775807', '-9223372036854775808', '9223372036854775808', '-9223372036854775809', '18446744073709551616', '00', '-0', '+1', ' 1', '1.0', '0x10', '1e3', '']);
  return r.pick(POW2);
}

export function double(r: Rng): string {
  if (r.chance(0.4)) return r.pick(['0', '1', '-1', '1.5', '-2.25', '3']);
  return r.pick(['inf', '-inf', '+inf', 'nan', '-nan', 'NaN', '-0', '0.0', '1e308', '1e309', '-1e309', '4.9e-324', '1e-400', '.5', '5.', '1e', 'abc', '', '0x1p3', '17976931348623157e292', '9007199254740993', ' 1', '1 ']);
}

export function string(r: Rng): string | Buffer {
  const k = r.int(10);
  if (k < 4) return r.pick(['a', 'b', 'c', 'foo', 'bar', 'hello', 'x', 'field', 'member', '1', '2', '10']);
  if (k === 4) return '';
  if (k === 5) return Buffer.from(Array.from({ length: r.int(8) + 1 }, () => r.int(256)));
  if (k === 6) return 'x'.repeat(r.pick([45, 64, 65, 129, 1000, 70000]));
  if (k === 7) return integer(r);
  if (k === 8) return double(r);
  return r.pick(['\r\n', '"', "'", '\\', ' ', '\x00', '*', '$-1', 'NX', 'XX', 'WITHSCORES', 'LIMIT', 'COUNT', 'MATCH']);
}

export function pattern(r: Rng): string {
  return r.pick(['*', 'k*', 'k:?*', '*[a-z]*', '[^a]*', '\\*', 'a*a*a*a*a*a*a*a*a*a*a*a*a*b', '[', '[a-', '[\\]', '*\\', '?', 'k:str', '', '[^]', '**']);
}
