// Keyspace against a Map model, Map's semantics being the contract: random sets, overwrites, deletes
// (enough to squeeze holes out many times), clears and reserves, with live iterators of both taken
// at random moments and advanced in step, so every iterator must yield what the Map's yields.
import { describe, expect, it } from 'vitest';
import { Keyspace } from '../../src/engine/store/keyspace.js';

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

function check(ks: Keyspace<number>, model: Map<string, number>, universe: string[]): void {
  expect(ks.size).toBe(model.size);
  expect([...ks]).toEqual([...model]);
  for (const k of universe) {
    expect(ks.get(k)).toBe(model.get(k));
    expect(ks.has(k)).toBe(model.has(k));
  }
}

describe('Keyspace', () => {
  for (const seed of [1, 7, 42, 2024]) {
    it(`behaves as a Map, live iterators included (seed ${seed})`, () => {
      const next = rng(seed);
      // Keys with NULs, bytes >= 0x80, the empty key and long ones.
      const universe = Array.from({ length: 300 }, (_, i) => (i === 0 ? '' : i % 7 === 0 ? `k\0\xff${i}` : i % 11 === 0 ? `long-${'x'.repeat(i)}` : `key:${i}`));
      const ks = new Keyspace<number>();
      const model = new Map<string, number>();
      const its: [Iterator<[string, number]>, Iterator<[string, number]>][] = [];
      for (let step = 0; step < 20000; step++) {
        const r = next();
        const k = universe[Math.floor(next() * universe.length)];
        // Phases that mostly delete, then mostly add, so the table empties, squeezes and regrows.
        const deleting = Math.floor(step / 2500) % 2 === 1;
        if (r < (deleting ? 0.25 : 0.6)) {
          ks.set(k, step);
          model.set(k, step);
        } else if (r < 0.97) {
          expect(ks.delete(k)).toBe(model.delete(k));
        } else if (r < 0.972) {
          ks.clear();
          model.clear();
        } else if (r < 0.975) {
          ks.reserve(Math.floor(next() * 1000));
        } else if (r < 0.985) {
          if (its.length > 8) its.shift();
          its.push([ks.entries(), model.entries()]);
        } else {
          for (const [a, b] of its) {
            for (let n = Math.floor(next() * 5); n >= 0; n--) expect(a.next()).toEqual(b.next());
          }
        }
        if (step % 1000 === 0) check(ks, model, universe);
      }
      check(ks, model, universe);
      for (const [a, b] of its) {
        for (;;) {
          const x = a.next();
          expect(x).toEqual(b.next());
          if (x.done) break;
        }
      }
    });
  }

  it('keeps an iterator in place across a squeeze, deleting as it goes', () => {
    const ks = new Keyspace<number>();
    for (let i = 0; i < 1000; i++) ks.set(`k${i}`, i);
    const seen: string[] = [];
    for (const k of ks.keys()) {
      seen.push(k);
      // Deleting the entries behind and just ahead of the iterator squeezes several times over.
      const i = Number(k.slice(1));
      ks.delete(k);
      if (i + 1 < 1000 && i % 3 === 0) ks.delete(`k${i + 1}`);
    }
    const expected = Array.from({ length: 1000 }, (_, i) => i).filter((i) => !(i >= 1 && (i - 1) % 3 === 0));
    expect(seen).toEqual(expected.map((i) => `k${i}`));
    expect(ks.size).toBe(0);
  });

  it('randomKey draws every live key, never a deleted one', () => {
    const ks = new Keyspace<number>();
    expect(ks.randomKey()).toBeUndefined();
    for (let i = 0; i < 40; i++) ks.set(`k${i}`, i);
    // Half of them deleted: 20 holes, not more than the live keys, so none is squeezed out yet.
    const live = new Set<string>();
    for (let i = 0; i < 40; i++) {
      if (i % 4 === 1 || i % 4 === 2) ks.delete(`k${i}`);
      else live.add(`k${i}`);
    }
    const seen = new Set<string>();
    for (let n = 0; n < 4000; n++) seen.add(ks.randomKey() as string);
    expect(seen).toEqual(live);
  });

  it('reserve makes room without losing or reordering keys', () => {
    const ks = new Keyspace<number>();
    for (let i = 0; i < 100; i++) ks.set(`k${i}`, i);
    ks.reserve(100_000);
    expect([...ks.keys()]).toEqual(Array.from({ length: 100 }, (_, i) => `k${i}`));
    for (let i = 0; i < 100; i++) expect(ks.get(`k${i}`)).toBe(i);
  });
  it('addNew adds a batch in order up to its first key already present (before it or earlier in the batch)', () => {
    const next = rng(11);
    const universe = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? `k\0\xff${i}` : `key:${i}`));
    const ks = new Keyspace<number>();
    const model = new Map<string, number>();
    for (let step = 0; step < 400; step++) {
      if (step % 50 === 0) ks.reserve(Math.floor(next() * 4000));
      if (step % 7 === 0) {
        // Deletes in between, so batches land among holes and squeezes.
        for (let d = 0; d < 20; d++) {
          const k = universe[Math.floor(next() * universe.length)];
          expect(ks.delete(k)).toBe(model.delete(k));
        }
      }
      const n = 1 + Math.floor(next() * 40);
      const keys = Array.from({ length: n }, () => universe[Math.floor(next() * universe.length)]);
      const values = keys.map((_, i) => step * 100 + i);
      let want = -1;
      const seen = new Set<string>();
      for (let i = 0; i < n && want < 0; i++) {
        if (model.has(keys[i]) || seen.has(keys[i])) want = i;
        seen.add(keys[i]);
      }
      expect(ks.addNew(keys, values, n)).toBe(want);
      for (let i = 0; i < (want < 0 ? n : want); i++) model.set(keys[i], values[i]);
      expect(ks.size).toBe(model.size);
    }
    check(ks, model, universe);
  });

  it('a write after a read of the same key lands on that key after deletes, squeezes and clears in between', () => {
    const ks = new Keyspace<number>();
    for (let i = 0; i < 100; i++) ks.set(`k${i}`, i);
    // Read k99, delete it: the write appends it anew instead of reusing its old entry.
    expect(ks.get('k99')).toBe(99);
    ks.delete('k99');
    ks.set('k99', -99);
    expect([...ks.keys()].at(-1)).toBe('k99');
    // Read k98, then delete enough other keys that holes are squeezed out (entries move down).
    expect(ks.get('k98')).toBe(98);
    for (let i = 0; i < 90; i++) ks.delete(`k${i}`);
    ks.set('k98', -98);
    expect([...ks]).toEqual([['k90', 90], ['k91', 91], ['k92', 92], ['k93', 93], ['k94', 94], ['k95', 95], ['k96', 96], ['k97', 97], ['k98', -98], ['k99', -99]]);
    // A key read as missing, then written: found by the next read through another string object.
    expect(ks.get('new')).toBeUndefined();
    ks.set('new', 1);
    expect(ks.get(Buffer.from('new').latin1Slice())).toBe(1);
    ks.set('new', 2);
    expect(ks.get('new')).toBe(2);
    // Cleared between a read and a write.
    expect(ks.get('k97')).toBe(97);
    ks.clear();
    ks.set('k97', 7);
    expect([...ks]).toEqual([['k97', 7]]);
  });

  it('keyFor gives the stored key when present, a new equal one otherwise, and the lookups after it stay right', () => {
    const next = rng(5);
    const universe = Array.from({ length: 200 }, (_, i) => (i === 0 ? '' : i % 7 === 0 ? `k\0\xff${i}` : `key:${i}`));
    const ks = new Keyspace<number>();
    const model = new Map<string, number>();
    for (let step = 0; step < 20000; step++) {
      const k = universe[Math.floor(next() * universe.length)];
      // The key inside a larger buffer, as an argument inside a read buffer.
      const b = Buffer.from(`*3\r\n$${k.length}\r\n${k}\r\n`, 'latin1');
      const start = b.indexOf('\r\n', 4) + 2;
      const key = ks.keyFor(b, start, start + k.length);
      expect(key).toBe(k);
      const r = next();
      if (r < 0.45) {
        ks.set(key, step);
        model.set(k, step);
      } else if (r < 0.7) {
        expect(ks.get(key)).toBe(model.get(k));
      } else if (r < 0.9) {
        expect(ks.delete(key)).toBe(model.delete(k));
      } else {
        // Another key's write or delete (which may squeeze entries to new places) between keyFor and
        // the use of its key.
        const other = universe[(universe.indexOf(k) + 1) % universe.length];
        if (r < 0.95) {
          ks.set(other, -step);
          model.set(other, -step);
        } else expect(ks.delete(other)).toBe(model.delete(other));
        ks.set(key, step);
        model.set(k, step);
      }
      if (step % 997 === 0) expect([...ks]).toEqual([...model]);
    }
    expect([...ks]).toEqual([...model]);
  });
});
