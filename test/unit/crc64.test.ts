import { describe, expect, it } from 'vitest';
import { Crc64, crc64 } from '../../src/engine/persistence/crc64.js';

describe('crc64 (Jones, as Redis)', () => {
  it('matches the reference check value', () => {
    expect(crc64(Buffer.from('123456789')).value).toBe(0xe9c6d914c4b8d9can);
  });

  it('is the same fed in chunks of any size as in one go', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 0xff));
    const whole = crc64(data).digest();
    for (const step of [1, 3, 8, 13, 999]) {
      const c = new Crc64();
      for (let i = 0; i < data.length; i += step) c.update(data, i, Math.min(data.length, i + step));
      expect(c.digest().equals(whole)).toBe(true);
    }
  });

  it('stores the checksum of a redis-server DUMP payload little-endian', () => {
    // DUMP of HSET h f 1 g hello on redis-server 7.0
    const p = Buffer.from('101616000000040081660201018167028568656c6c6f06ff0a001dfe7d5f0de3bd86', 'hex');
    expect(crc64(p, 0, p.length - 8).digest().equals(p.subarray(p.length - 8))).toBe(true);
    // matches() and writeTo() read and write the same 8 bytes as digest().
    expect(crc64(p, 0, p.length - 8).matches(p, p.length - 8)).toBe(true);
    const flipped = Buffer.from(p);
    flipped[p.length - 1] ^= 1;
    expect(crc64(p, 0, p.length - 8).matches(flipped, p.length - 8)).toBe(false);
    const out = Buffer.alloc(p.length);
    crc64(p, 0, p.length - 8).writeTo(out, p.length - 8);
    expect(out.subarray(p.length - 8).equals(p.subarray(p.length - 8))).toBe(true);
  });

  it('gives the same CRC from the WebAssembly path (large updates) as from the JS one (small)', () => {
    // 200 KB: several of the wasm path's 64 KB chunks, at an odd offset, with a tail not a multiple of 8.
    const data = Buffer.from(Array.from({ length: 200_003 }, (_, i) => (i * 131 + (i >> 9)) & 0xff));
    const small = new Crc64();
    for (let i = 1; i < data.length; i += 1000) small.update(data, i, Math.min(data.length, i + 1000));
    const large = new Crc64().update(data, 1, 4097).update(data, 4097, data.length);
    expect(large.value).toBe(small.value);
    expect(large.value).not.toBe(0n);
    // A large update continues a CRC begun by small ones (the 64-bit state crosses into wasm and back).
    const mixed = new Crc64().update(data, 1, 100).update(data, 100, data.length);
    expect(mixed.digest().equals(small.digest())).toBe(true);
  });
});
