// The skip list and ZSetValue against a sorted-array model under random inserts, rescores and deletes.
import { describe, expect, it } from 'vitest';
import { ZSetValue } from '../../src/engine/store/zset.js';
import { collectRange, countInScoreRange } from '../../src/engine/commands/zset-range.js';

type Entry = { m: string; s: number };
const cmp = (a: Entry, b: Entry) => a.s - b.s || Buffer.compare(Buffer.from(a.m), Buffer.from(b.m));

function check(z: ZSetValue, model: Map<string, number>): void {
  const sorted = [...model].map(([m, s]) => ({ m, s })).sort(cmp);
  expect([...z.entries()].map(([m, s]) => ({ m: m.toString(), s }))).toEqual(sorted);
  expect(z.size).toBe(sorted.length);
  for (let r = 0; r < sorted.length; r += 7) {
    expect(z.at(r)?.member.toString()).toBe(sorted[r].m);
    expect(z.rank(Buffer.from(sorted[r].m))).toBe(r);
  }
  const back: string[] = [];
  for (let n = z.sl.tail; n; n = n.backward) back.push(n.member.toString());
  expect(back).toEqual(sorted.map((e) => e.m).reverse());
}

describe('ZSetValue', () => {
  it('keeps order, ranks and back links through random updates', () => {
    const z = new ZSetValue();
    const model = new Map<string, number>();
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    for (let i = 0; i < 5000; i++) {
      const m = `m${rnd(400)}`;
      const op = rnd(3);
      if (op < 2) {
        const s = rnd(50) - 25 + (rnd(2) ? 0.5 : 0);
        expect(z.set(Buffer.from(m), s)).toBe(!model.has(m));
        model.set(m, s);
      } else {
        expect(z.delete(Buffer.from(m))).toBe(model.delete(m));
      }
      if (i % 500 === 0) check(z, model);
    }
    check(z, model);
  });

  it('selects score ranges and ranks like a sorted array', () => {
    const pairs: [Buffer, number][] = Array.from({ length: 300 }, (_, i) => [Buffer.from(`k${i}`), (i * 37) % 101]);
    const z = ZSetValue.from(pairs);
    const sorted = pairs.map(([m, s]) => ({ m: m.toString(), s })).sort(cmp);
    const range = { min: 10, minex: true, max: 50, maxex: false };
    const want = sorted.filter((e) => e.s > 10 && e.s <= 50);
    const got = collectRange(z, { by: 'score', range, rev: false, offset: 3, limit: 20 });
    expect(got.map((n) => n.member.toString())).toEqual(want.slice(3, 23).map((e) => e.m));
    const rev = collectRange(z, { by: 'score', range, rev: true, offset: 0, limit: -1 });
    expect(rev.map((n) => n.member.toString())).toEqual(want.map((e) => e.m).reverse());
    expect(countInScoreRange(z, range)).toBe(want.length);
    const ranks = collectRange(z, { by: 'rank', start: -10, stop: -5, rev: true });
    expect(ranks.map((n) => n.member.toString())).toEqual(sorted.map((e) => e.m).reverse().slice(290, 296));
  });

  it('reports listpack until a limit is crossed, then skiplist for good', () => {
    const z = ZSetValue.from(Array.from({ length: 128 }, (_, i) => [Buffer.from(`m${i}`), i] as [Buffer, number]));
    expect(z.encoding()).toBe('listpack');
    z.set(Buffer.from('one-more'), 1);
    expect(z.encoding()).toBe('skiplist');
    z.delete(Buffer.from('one-more'));
    expect(z.encoding()).toBe('skiplist');
    expect(z.clone().encoding()).toBe('skiplist');
  });
});
