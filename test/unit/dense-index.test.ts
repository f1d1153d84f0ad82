// DenseIndex over its MemberTable (open addressing, backward-shift deletes) against a Map model:
// random inserts, updates and deletes in both delete modes, keys with bytes >= 0x80 and NULs, given as
// Buffers or as ranges of a larger buffer; and the switch between scanning a small one's names and
// indexing it, at SMALL keys.
import { describe, expect, it } from 'vitest';
import { DenseIndex, SMALL } from '../../src/engine/store/dense.js';
import { memberTableSeed, reseedMemberTables } from '../../src/engine/store/member-table.js';
import { keyBuf } from '../../src/engine/store/types.js';

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

function check(d: DenseIndex<number>, model: Map<string, number>, universe: string[], keysOnly = false): void {
  expect(d.size).toBe(model.size);
  expect(new Set(d.names)).toEqual(new Set(model.keys()));
  // A keys-only index (a set's) keeps no values: every lookup answers undefined, vals stays empty.
  if (keysOnly) expect(d.vals).toEqual([]);
  for (const k of universe) {
    const b = keyBuf(k);
    expect(d.get(b)).toBe(keysOnly ? undefined : model.get(k));
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
  for (const [ordered, keysOnly] of [[true, false], [false, false], [true, true], [false, true]]) {
    it(`matches a Map through random inserts, updates and deletes (${ordered ? 'ordered' : 'swap'} deletes${keysOnly ? ', keys only' : ''})`, () => {
      const next = rng(ordered ? 7 : 11);
      const universe = Array.from({ length: 600 }, (_, i) => (i % 7 === 0 ? `\u00ff\u0000${i}` : i % 5 === 0 ? String.fromCharCode(0xe9, i & 0xff) : `element:${i}`));
      const d = new DenseIndex<number>(true, keysOnly);
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
            expect(d.swapRange(b, start, end, step)).toBe(keysOnly ? undefined : model.get(k));
          } else expect(d.swap(keyBuf(k), step)).toBe(keysOnly ? undefined : model.get(k));
          if (!model.has(k)) insertionOrder.push(k);
          model.set(k, step);
        } else {
          expect(r < 0.8 ? d.delete(keyBuf(k)) : d.deleteStr(k)).toBe(model.delete(k));
          const at = insertionOrder.indexOf(k);
          if (at >= 0) insertionOrder.splice(at, 1);
        }
        if (step % 997 === 0) check(d, model, universe, keysOnly);
      }
      check(d, model, universe, keysOnly);
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

describe('DenseIndex without values (sets)', () => {
  for (const ordered of [true, false]) {
    it(`matches a Set through random adds and deletes across SMALL and growth, keeping no values (${ordered ? 'ordered' : 'swap'} deletes)`, () => {
      const next = rng(ordered ? 31 : 37);
      const universe = Array.from({ length: 400 }, (_, i) => `member:${i}`);
      const d = new DenseIndex<undefined>(ordered, true);
      const model = new Set<string>();
      for (let step = 0; step < 8000; step++) {
        const k = universe[Math.floor(next() * (step < 4000 ? universe.length : 12))];
        const r = next();
        if (r < 0.3) {
          const [b, start, end] = embedded(k, next);
          expect(d.addRange(b, start, end, undefined)).toBe(!model.has(k));
          model.add(k);
        } else if (r < 0.5) {
          expect(d.set(keyBuf(k), undefined)).toBe(!model.has(k));
          model.add(k);
        } else if (r < 0.55) {
          let at = 0;
          while (at < d.size && d.names[at] < k) at++;
          if (!model.has(k)) d.insertAt(at, k, undefined);
          model.add(k);
        } else {
          expect(d.delete(keyBuf(k))).toBe(model.delete(k));
        }
        if (step % 97 === 0) {
          expect(d.size).toBe(model.size);
          expect(new Set(d.names)).toEqual(model);
          for (const m of universe.slice(0, 40)) expect(d.has(keyBuf(m))).toBe(model.has(m));
          expect(d.vals).toEqual([]);
        }
      }
    });
  }
});

describe('DenseIndex small-to-indexed switch', () => {
  for (const ordered of [true, false]) {
    it(`matches a Map while its size goes up and down across SMALL (${ordered ? 'ordered' : 'swap'} deletes)`, () => {
      const next = rng(ordered ? 3 : 5);
      // 2 * SMALL keys, inserts a little likelier than deletes: the size wanders around SMALL.
      const universe = Array.from({ length: 2 * SMALL }, (_, i) => (i % 3 === 0 ? `\u00ff\u0000${i}` : `element:${i}`));
      const d = new DenseIndex<number>(ordered);
      const model = new Map<string, number>();
      const insertionOrder: string[] = [];
      let switches = 0;
      let wasIndexed = d.indexed;
      for (let step = 0; step < 5000; step++) {
        const k = universe[Math.floor(next() * universe.length)];
        if (next() < 0.5) {
          const isNew = !model.has(k);
          const [b, start, end] = embedded(k, next);
          expect(d.setRange(b, start, end, step)).toBe(isNew);
          if (isNew) insertionOrder.push(k);
          model.set(k, step);
        } else {
          expect(d.delete(keyBuf(k))).toBe(model.delete(k));
          const at = insertionOrder.indexOf(k);
          if (at >= 0) insertionOrder.splice(at, 1);
        }
        // A table exactly when it is needed: always past SMALL, never at DROP_AT or below.
        if (d.size > SMALL) expect(d.indexed).toBe(true);
        if (d.size <= SMALL / 2 || (ordered && d.size <= SMALL)) expect(d.indexed).toBe(false);
        if (d.indexed !== wasIndexed) switches++;
        wasIndexed = d.indexed;
        check(d, model, universe);
        if (ordered) expect(d.names).toEqual(insertionOrder);
      }
      expect(switches).toBeGreaterThan(20);
    });
  }

  it('builds the table on the insert past SMALL and drops it when the size falls back', () => {
    const d = new DenseIndex<number>(false);
    for (let i = 0; i < SMALL; i++) d.set(keyBuf(`k${i}`), i);
    expect(d.indexed).toBe(false);
    d.set(keyBuf(`k${SMALL}`), SMALL);
    expect(d.indexed).toBe(true);
    for (let i = 0; i <= SMALL; i++) expect(d.get(keyBuf(`k${i}`))).toBe(i);
    // Swap deletes keep it down to SMALL / 2 + 1 keys (no rebuild on every step across SMALL), deleting
    // from the top (no swaps: slot i keeps k<i>).
    for (let i = SMALL; i >= SMALL / 2; i--) {
      d.deleteStr(`k${i}`);
      expect(d.indexed).toBe(d.size > SMALL / 2);
    }
    expect(d.indexed).toBe(false);
    for (let i = 0; i < d.size; i++) expect(d.slotOf(keyBuf(`k${i}`))).toBe(i);
    expect(d.slotOf(keyBuf(`k${SMALL}`))).toBe(-1);
  });

  it('switches on ordered inserts (intset order) too, keys only (a set\'s)', () => {
    const d = new DenseIndex<undefined>(true, true);
    const keys = Array.from({ length: 3 * SMALL }, (_, i) => String((i * 7919) % 101 - 50));
    for (const k of keys) {
      let at = 0;
      while (at < d.size && Number(d.names[at]) < Number(k)) at++;
      d.insertAt(at, k, undefined);
      expect(d.indexed).toBe(d.size > SMALL);
    }
    expect(d.names).toEqual([...keys].sort((a, b) => Number(a) - Number(b)));
    for (const k of keys) expect(d.names[d.slotOf(keyBuf(k))]).toBe(k);
    while (d.size > SMALL) d.deleteAt(0);
    expect(d.indexed).toBe(false);
    for (const k of d.names) expect(d.names[d.slotOf(keyBuf(k))]).toBe(k);
  });

  // Across SMALL (the table made and dropped), and through many doublings of the table (inserts
  // likelier than deletes, a few thousand keys churned during one scan).
  for (const { what, rounds, stableN, churnN, ops, count, addP } of [
    { what: 'across SMALL', rounds: 200, stableN: 3, churnN: 2 * SMALL, ops: 3, count: 2, addP: 0.5 },
    { what: 'while the table grows and shrinks', rounds: 20, stableN: 50, churnN: 4000, ops: 200, count: 10, addP: 0.7 },
  ]) {
    it(`returns every key present for a whole scan while others are added and removed ${what}`, () => {
      const next = rng(13);
      for (let round = 0; round < rounds; round++) {
        const d = new DenseIndex<number>(false);
        const stable = Array.from({ length: stableN }, (_, i) => `stable:${round}:${i}`);
        for (const k of stable) d.set(keyBuf(k), 0);
        const churn = Array.from({ length: churnN }, (_, i) => `churn:${i}`);
        for (let i = 0; i < Math.floor(next() * Math.min(churn.length, 2 * SMALL)); i++) d.set(keyBuf(churn[i]), 0);
        const seen = new Set<string>();
        let cursor = 0;
        do {
          const { next: c, slots } = d.scan(cursor, count);
          for (const s of slots) seen.add(d.names[s]);
          cursor = c;
          for (let j = 0; j < ops; j++) {
            const k = churn[Math.floor(next() * churn.length)];
            if (next() < addP) d.set(keyBuf(k), 0);
            else d.deleteStr(k);
          }
        } while (cursor !== 0);
        for (const k of stable) expect(seen.has(k)).toBe(true);
      }
    });
  }
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
