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

  it('stays exact against a model, in Redis order (newest first), through adds, overwrites, deletes, squeezes and clears', () => {
    const m = new SlotKeyMap();
    // slot -> keys, newest first: a new key goes to the front, an overwrite keeps its place (dbOverwrite).
    const model = new Map<number, string[]>();
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const names = Array.from({ length: 600 }, (_, i) => `{t${i % 5}}k${i}`); // five slots, 120 keys each
    const check = () => {
      for (const [s, keys] of model) {
        expect(m.countInSlot(s)).toBe(keys.length);
        expect(m.keysInSlot(s)).toEqual(keys);
        expect(m.keysInSlot(s, 3)).toEqual(keys.slice(0, 3));
      }
      expect(m.size).toBe([...model.values()].reduce((n, k) => n + k.length, 0));
    };
    for (let step = 0; step < 20_000; step++) {
      // Phases that fill up and drain, so the keyspace squeezes its holes out (renumbering the links).
      const draining = Math.floor(step / 2500) % 2 === 1;
      const k = names[rnd(draining ? names.length : 200 + (step % 400))];
      const slot = keyStrHashSlot(k);
      const want = model.get(slot) ?? [];
      model.set(slot, want);
      if (rnd(draining ? 4 : 3) !== 0 === draining) {
        const at = want.indexOf(k);
        expect(m.delete(k)).toBe(at >= 0);
        if (at >= 0) want.splice(at, 1);
      } else {
        m.set(k, Buffer.from('v'));
        if (!want.includes(k)) want.unshift(k);
      }
      if (step % 97 === 0) check();
      if (step === 15_000) {
        m.clear();
        model.clear();
        check();
      }
    }
    check();
  });

  it('lists keys of slots mixed in one table, each slot on its own, newest first', () => {
    const m = new SlotKeyMap();
    for (let i = 0; i < 3000; i++) m.set(`key:${i}`, Buffer.from('v'));
    for (let i = 0; i < 3000; i++) if (i % 3 !== 0) m.delete(`key:${i}`); // holes outnumber keys: squeezed
    const bySlot = new Map<number, string[]>();
    for (let i = 2999; i >= 0; i--) {
      if (i % 3 !== 0) continue;
      const s = keyStrHashSlot(`key:${i}`);
      bySlot.set(s, [...(bySlot.get(s) ?? []), `key:${i}`]);
    }
    for (const [s, keys] of bySlot) expect(m.keysInSlot(s)).toEqual(keys);
    let total = 0;
    for (let s = 0; s < 16384; s++) total += m.countInSlot(s);
    expect(total).toBe(1000);
  });
});
