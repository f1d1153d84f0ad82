// MemberTable on its own (store/member-table.ts: [slot + 1, hash] pairs and the key strings side by side
// by position, backward-shift deletes, growth that moves each entry with its hash) against a model of
// slot -> key, through thousands of keys (many doublings, probe runs wrapping at the table's end); the
// value read findRange does for HSET; and DenseIndex.addRange (scans while the table grows: dense-index.test.ts).
import { describe, expect, it } from 'vitest';
import { MemberTable } from '../../src/engine/store/member-table.js';
import { DenseIndex } from '../../src/engine/store/dense.js';
import { keyBuf } from '../../src/engine/store/types.js';

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/** Every key of the universe is found at its slot in names, or not at all when absent. */
function check(t: MemberTable, names: string[], universe: string[]): void {
  const at = new Map(names.map((k, i) => [k, i]));
  for (const k of universe) {
    const want = at.get(k) ?? -1;
    expect(t.findStr(k)).toBe(want);
    // The range form, with the key inside a larger buffer.
    const b = Buffer.concat([Buffer.from('xx'), keyBuf(k), Buffer.from('9')]);
    expect(t.findRange(b, 2, 2 + k.length)).toBe(want);
  }
}

describe('MemberTable', () => {
  it('matches a slot model through random adds, removes and slot moves as it grows from 8 to thousands', () => {
    const next = rng(17);
    const universe = Array.from({ length: 6000 }, (_, i) => (i % 11 === 0 ? `\u00ff\u0000${i}` : `element:${String(i).padStart(12, '0')}`));
    // names is the DenseIndex's slot array: the table reads it only to (re)build itself.
    const names: string[] = [];
    const t = new MemberTable(names);
    const present = new Set<string>();
    for (let step = 0; step < 40_000; step++) {
      const k = universe[Math.floor(next() * universe.length)];
      // Adds twice as likely as removes at first, so the size climbs through several doublings, then
      // balanced so runs keep shifting back.
      const addP = step < 20_000 ? 0.67 : 0.5;
      if (next() < addP) {
        if (present.has(k)) continue;
        t.add(k, names.length);
        names.push(k);
        present.add(k);
      } else if (present.has(k)) {
        const slot = names.indexOf(k);
        if (next() < 0.95) {
          // DenseIndex's swap delete: unindex the slot, move the last key into it.
          t.removeSlot(slot);
          const last = names.length - 1;
          if (slot !== last) {
            names[slot] = names[last];
            t.moved(last, slot);
          }
          names.pop();
        } else {
          // Now and then removal by key, then renumbered as an ordered delete does (a whole rebuild).
          t.remove(k);
          names.splice(slot, 1);
          t.reindex();
        }
        present.delete(k);
      }
      if (step % 4999 === 0) check(t, names, universe);
    }
    expect(names.length).toBeGreaterThan(1500);
    check(t, names, universe);
  });

  it('finds keys inserted with the hash of the lookup that missed (the insert after a miss)', () => {
    const names: string[] = [];
    const t = new MemberTable(names);
    for (let i = 0; i < 3000; i++) {
      const b = keyBuf(`m:${i}`);
      expect(t.findRange(b, 0, b.length)).toBe(-1);
      t.add(`m:${i}`, names.length, t.lastHash);
      names.push(`m:${i}`);
    }
    check(t, names, [...names, 'm:3000', 'm:', '']);
  });

  it('reads the found key\'s value on the way when given the values (HSET\'s old value)', () => {
    const names: string[] = [];
    const vals: string[] = [];
    const t = new MemberTable(names);
    for (let i = 0; i < 500; i++) {
      t.add(`f${i}`, names.length);
      names.push(`f${i}`);
      vals.push(`v${i}`);
    }
    for (let i = 0; i < 500; i++) {
      const b = keyBuf(`f${i}`);
      expect(t.findRange(b, 0, b.length, vals)).toBe(i);
      expect(t.lastVal).toBe(`v${i}`);
    }
    const miss = keyBuf('f500');
    expect(t.findRange(miss, 0, miss.length, vals)).toBe(-1);
  });
});

describe('DenseIndex.addRange', () => {
  it('inserts only absent keys and leaves a present key\'s value alone', () => {
    const d = new DenseIndex<number>(false);
    const model = new Map<string, number>();
    const next = rng(23);
    for (let step = 0; step < 20_000; step++) {
      const k = `s:${Math.floor(next() * 3000)}`;
      const b = Buffer.concat([Buffer.from('*'), keyBuf(k)]);
      expect(d.addRange(b, 1, b.length, step)).toBe(!model.has(k));
      if (!model.has(k)) model.set(k, step);
      if (next() < 0.3) expect(d.delete(keyBuf(k))).toBe(model.delete(k));
    }
    expect(d.size).toBe(model.size);
    for (const [k, v] of model) expect(d.get(keyBuf(k))).toBe(v);
  });
});
