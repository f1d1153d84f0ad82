// storedCopy: what the keyspace and aggregates keep for an argument. Short values come from a shared
// table of packed strings; whatever the table holds, each stored value must be exactly its bytes and
// must not change when the argument's Buffer is reused afterwards.
import { describe, expect, it } from 'vitest';
import { PACK_MAX, storedCopy } from '../../src/engine/store/compact.js';

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

const bytesOf = (v: Buffer | string | object): Buffer => (typeof v === 'string' ? Buffer.from(v, 'latin1') : (v as Buffer));

describe('storedCopy', () => {
  it('stores exactly the bytes, for random short and long values, through table collisions', () => {
    const next = rng(5);
    const kept: [Buffer, Buffer | string | object][] = [];
    for (let i = 0; i < 20_000; i++) {
      const n = Math.floor(next() * (PACK_MAX + 40));
      // Few distinct byte values, so equal values and bucket collisions both happen often.
      const b = Buffer.from(Array.from({ length: n }, () => [0, 0x41, 0x7f, 0x80, 0xff][Math.floor(next() * 5)]));
      const v = storedCopy(b);
      kept.push([Buffer.from(b), v]);
      b.fill(0x2a); // the parser reuses its buffers: the stored value must not follow
    }
    for (const [want, v] of kept) expect(bytesOf(v).equals(want)).toBe(true);
  });

  it('shares one string for a short value written again', () => {
    const a = storedCopy(Buffer.from('xxx'));
    const b = storedCopy(Buffer.from('xxx'));
    expect(typeof a).toBe('string');
    expect(b).toBe(a);
    expect(storedCopy(Buffer.from('xxy'))).toBe('xxy');
    expect(storedCopy(Buffer.from([0xe9, 0x00]))).toBe('\u00e9\u0000');
  });
});
