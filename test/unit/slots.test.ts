import { describe, expect, it } from 'vitest';
import { formatRanges, parseRanges, parseSlot, rangesOfMarks } from '../../src/engine/cluster/slots.js';
import { SlotKeyMap } from '../../src/engine/cluster/slot-index.js';
import { keyStrHashSlot } from '../../src/engine/cluster/crc16.js';

describe('slot ranges', () => {
  it('collapses slots into ranges and back', () => {
    const set = new Set([0, 1, 2, 5, 7, 8, 16383]);
    const marks = new Uint8Array(16384);
    for (const s of set) marks[s] = 1;
    const ranges = rangesOfMarks(marks);
    expect(ranges).toEqual([[0, 2], [5, 5], [7, 8], [16383, 16383]]);
    expect(rangesOfMarks(new Uint8Array(16384))).toEqual([]);
    expect(rangesOfMarks(new Uint8Array(16384).fill(1))).toEqual([[0, 16383]]);
    expect(formatRanges(ranges)).toBe('0-2 5 7-8 16383');
    expect(parseRanges('0-2 5 7-8 16383')).toEqual(ranges);
    expect(parseRanges(formatRanges(ranges, ','), ',')).toEqual(ranges);
  });

  it('refuses slots out of range like Redis', () => {
    expect(parseSlot('16383')).toBe(16383);
    for (const bad of ['16384', '-1', 'x', '1.5', '']) expect(parseSlot(bad)).toBe(-1);
    expect(() => parseRanges('5-3')).toThrow();
  });
});

describe('slot key index', () => {
  it('counts and lists keys per slot through every Map mutation', () => {
    const m = new SlotKeyMap();
    m.set('{a}1', Buffer.from('x'));
    m.set('{a}2', Buffer.from('y'));
    m.set('{a}2', Buffer.from('z')); // overwrite: still one key
    m.set('b', Buffer.from('w'));
    const slot = keyStrHashSlot('a');
    expect(m.countInSlot(slot)).toBe(2);
    expect(m.keysInSlot(slot, 1)).toHaveLength(1);
    expect(m.delete('{a}1')).toBe(true);
    expect(m.delete('{a}1')).toBe(false);
    expect(m.keysInSlot(slot)).toEqual(['{a}2']);
    m.clear();
    expect(m.countInSlot(slot)).toBe(0);
    expect(m.countInSlot(keyStrHashSlot('b'))).toBe(0);
  });

  it('stays exact against a model through random adds, overwrites, deletes and re-adds in a few slots', () => {
    const m = new SlotKeyMap();
    const model = new Map<number, Set<string>>();
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const names = Array.from({ length: 60 }, (_, i) => `{t${i % 3}}k${i}`); // three slots, 20 keys each
    for (let step = 0; step < 5000; step++) {
      const k = names[rnd(names.length)];
      const slot = keyStrHashSlot(k);
      const want = model.get(slot) ?? new Set<string>();
      model.set(slot, want);
      if (rnd(3) === 0) {
        expect(m.delete(k)).toBe(want.delete(k));
      } else {
        m.set(k, Buffer.from('v'));
        want.add(k);
      }
      if (step % 50 === 0 || step > 4990) {
        for (const [s, keys] of model) {
          expect(m.countInSlot(s)).toBe(keys.size);
          const listed = m.keysInSlot(s);
          expect(new Set(listed).size).toBe(listed.length); // no repeats
          expect([...listed].sort()).toEqual([...keys].sort());
          expect(m.keysInSlot(s, 3)).toHaveLength(Math.min(3, keys.size));
        }
      }
    }
  });
});
