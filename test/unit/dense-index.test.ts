// DenseIndex over its MemberTable (open addressing, backward-shift deletes) against a Map model:
// random inserts, updates and deletes in both delete modes, keys with bytes >= 0x80 and NULs, given as
// Buffers or as ranges of a larger buffer.
import { describe, expect, it } from 'vitest';
import { DenseIndex } from '../../src/engine/store/dense.js';
import { memberTableSeed, reseedMemberTables } from '../../src/engine/store/member-table.js';
import { keyBuf } from '../../src/engine/store/types.js';

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

function check(d: DenseIndex<number>, model: Map<string, number>, universe: string[]): void {
  expect(d.size).toBe(model.size);
  expect(new Set(d.names)).toEqual(new Set(model.keys()));
  for (const k of universe) {
    const b = keyBuf(k);
    expect(d.get(b)).toBe(model.get(k));
    expect(d.has(b)).toBe(model.has(k));
    const slot = d.slotOf(b);
    if (model.has(k)) expect(d.names[slot]).toBe(k);
    else expect(slot).toBe(-1);
  }
}

/**
 * Key k inside a larger buffer at a random offset, between bytes that extend it into other keys of
 * the universe (element:1 next to element:12...): a range read one byte too far finds the wrong key.
 */
function embedded(k: string, next: () => number): [Buffer, number, number] {
  const before = Buffer.from('element:1'.slice(0, Math.floor(next() * 9)), 'latin1');
  const after = Buffer.from(String(Math.floor(next() * 100)), 'latin1');
  const b = Buffer.concat([before, keyBuf(k), after]);
  return [b, before.length, before.length + k.length];
}

describe('DenseIndex', () => {
  for (const ordered of [true, false]) {
    it(`matches a Map through random inserts, updates and deletes (${ordered ? 'ordered' : 'swap'} deletes)`, () => {
      const next = rng(ordered ? 7 : 11);
      const universe = Array.from({ length: 600 }, (_, i) => (i % 7 === 0 ? `\u00ff\u0000${i}` : i % 5 === 0 ? String.fromCharCode(0xe9, i & 0xff) : `element:${i}`));
      const d = new DenseIndex<number>();
      d.ordered = ordered;
      const model = new Map<string, number>();
      const insertionOrder: string[] = [];
      for (let step = 0; step < 20_000; step++) {
        const k = universe[Math.floor(next() * universe.length)];
        const r = next();
        if (r < 0.55) {
          const isNew = !model.has(k);
          // Half the time the range form, as the key sits inside a read buffer.
          if (r < 0.3) {
            const [b, start, end] = embedded(k, next);
            expect(d.setRange(b, start, end, step)).toBe(isNew);
          } else expect(d.set(keyBuf(k), step)).toBe(isNew);
          if (isNew) insertionOrder.push(k);
          model.set(k, step);
        } else if (r < 0.65) {
          if (r < 0.6) {
            const [b, start, end] = embedded(k, next);
            expect(d.swapRange(b, start, end, step)).toBe(model.get(k));
          } else expect(d.swap(keyBuf(k), step)).toBe(model.get(k));
          if (!model.has(k)) insertionOrder.push(k);
          model.set(k, step);
        } else {
          expect(r < 0.8 ? d.delete(keyBuf(k)) : d.deleteStr(k)).toBe(model.delete(k));
          const at = insertionOrder.indexOf(k);
          if (at >= 0) insertionOrder.splice(at, 1);
        }
        if (step % 997 === 0) check(d, model, universe);
      }
      check(d, model, universe);
      // Ordered deletes keep insertion order, like a listpack.
      if (ordered) expect(d.names).toEqual(insertionOrder);
    });
  }

  it('keeps ordered inserts (intset order) findable', () => {
    const d = new DenseIndex<undefined>();
    const keys = ['5', '-3', '100', '0', '42'];
    for (const k of keys) {
      let at = 0;
      while (at < d.size && Number(d.names[at]) < Number(k)) at++;
      d.insertAt(at, k, undefined);
    }
    expect(d.names).toEqual(['-3', '0', '5', '42', '100']);
    for (const k of keys) expect(d.names[d.slotOf(keyBuf(k))]).toBe(k);
    expect(d.slotOf(keyBuf('7'))).toBe(-1);
  });
});

describe('MemberTable hash basis', () => {
  it('is drawn again by reseedMemberTables (runProcess: a node started from the snapshot does not keep the builder\'s), and tables made after it work', () => {
    const seeds = new Set<number>();
    for (let i = 0; i < 8; i++) {
      reseedMemberTables();
      seeds.add(memberTableSeed());
    }
    expect(seeds.size).toBeGreaterThan(1);
    const d = new DenseIndex<number>();
    for (let i = 0; i < 100; i++) d.set(keyBuf(`m:${i}`), i);
    for (let i = 0; i < 100; i++) expect(d.get(keyBuf(`m:${i}`))).toBe(i);
  });
});
