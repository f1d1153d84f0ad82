import { describe, expect, it } from 'vitest';
import { lzfCompress, lzfDecompress, LzfError } from '../../src/engine/persistence/lzf.js';

describe('lzf', () => {
  it('produces the bytes redis-server writes (DUMP of SET k "a"*100)', () => {
    // from redis-server 7.0: \xc3 \t @d then the compressed body
    expect(lzfCompress(Buffer.from('a'.repeat(100)), 96)?.toString('hex')).toBe('016161e057000161 61'.replace(/ /g, ''));
  });

  it('round-trips random and repetitive inputs', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 500; i++) {
      const n = 3 + Math.floor(rnd() * 5000);
      const alphabet = 1 + Math.floor(rnd() * 30);
      const b = Buffer.alloc(n);
      for (let j = 0; j < n; j++) b[j] = 97 + Math.floor(rnd() * alphabet);
      const c = lzfCompress(b, n - 4);
      if (c) expect(lzfDecompress(c, n).equals(b)).toBe(true);
    }
  });

  it('gives up when the output would not be smaller, and rejects malformed input', () => {
    expect(lzfCompress(Buffer.from('abcdefghijklmnopqrstuvwxyz'), 22)).toBeNull();
    expect(() => lzfDecompress(Buffer.from([0xe0, 0x10, 0x05]), 20)).toThrow(LzfError);
    expect(() => lzfDecompress(Buffer.from([0x05, 0x61]), 6)).toThrow(LzfError);
  });
});
