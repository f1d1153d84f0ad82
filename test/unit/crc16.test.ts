import { describe, expect, it } from 'vitest';
import { crc16, keyHashSlot, keyStrHashSlot } from '../../src/engine/cluster/crc16.js';

describe('crc16 and key slots', () => {
  it('matches the XMODEM check value', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3);
  });

  it('maps keys to the slots Redis gives them (seed: q 11958, w 3696, r 7893)', () => {
    const cases: [string, number][] = [['q', 11958], ['w', 3696], ['r', 7893], ['foo', 12182], ['bar', 5061], ['', 0]];
    for (const [k, slot] of cases) {
      expect(keyHashSlot(Buffer.from(k))).toBe(slot);
      expect(keyStrHashSlot(k)).toBe(slot);
    }
  });

  it('hashes only a non-empty {tag}, the first one', () => {
    const tag = keyHashSlot(Buffer.from('user1000'));
    expect(keyHashSlot(Buffer.from('{user1000}.following'))).toBe(tag);
    expect(keyHashSlot(Buffer.from('a{user1000}b{x}'))).toBe(tag);
    expect(keyHashSlot(Buffer.from('foo{}{bar}'))).toBe(keyHashSlot(Buffer.from('foo{}{bar}')));
    expect(keyHashSlot(Buffer.from('foo{}{bar}'))).not.toBe(keyHashSlot(Buffer.from('bar')));
    expect(keyHashSlot(Buffer.from('foo{{bar}}zap'))).toBe(keyHashSlot(Buffer.from('{bar')));
    expect(keyHashSlot(Buffer.from('foo{bar'))).not.toBe(keyHashSlot(Buffer.from('bar')));
  });

  it('gives the same slot for binary keys held as latin1 strings', () => {
    const key = Buffer.from([0xff, 0x00, 0x7b, 0x80, 0x7d, 0x10]);
    expect(keyStrHashSlot(key.toString('latin1'))).toBe(keyHashSlot(key));
    expect(keyHashSlot(key)).toBe(crc16(Buffer.from([0x80])) & 16383);
  });
});
