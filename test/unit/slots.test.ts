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
});
