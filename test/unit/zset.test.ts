// The ordered tree and ZSetValue against a sorted-array model under random inserts, rescores and deletes.
import { describe, expect, it } from 'vitest';
import { ZSetValue } from '../../src/engine/store/zset.js';
import { collectRange, countInScoreRange, countInLexRange } from '../../src/engine/commands/zset-range.js';

type Entry = { m: string; s: number };
const cmp = (a: Entry, b: Entry) => a.s - b.s || Buffer.compare(Buffer.from(a.m, 'latin1'), Buffer.from(b.m, 'latin1'));

function check(z: ZSetValue, model: Map<string, number>): void {
  const sorted = [...model].map(([m, s]) => ({ m, s })).sort(cmp);
  expect([...z.entries()].map(([m, s]) => ({ m: m.toString('latin1'), s }))).toEqual(sorted);
  expect(z.size).toBe(sorted.length);
  for (let r = 0; r < sorted.length; r += 7) {
    expect(z.at(r)?.member.toString('latin1')).toBe(sorted[r].m);
    expect(z.rank(Buffer.from(sorted[r].m, 'latin1'))).toBe(r);
  }
  expect(z.slice(z.size - 1, z.size, true).map((n) => n.member.toString('latin1'))).toEqual(sorted.map((e) => e.m).reverse());
  // The member index (a skiplist's swap deletes) agrees with the order: every score, and nothing more.
  expect(sorted.filter((e) => z.score(Buffer.from(e.m, 'latin1')) !== e.s)).toEqual([]);
  expect(new Set(z.memberNames())).toEqual(new Set(model.keys()));
  z.verify();
}

/** Deterministic generator (tests must replay). */
function lcg(seed: number): (n: number) => number {
  // mulberry32
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const bytes = (m: string) => Buffer.from(m, 'latin1');
const names = (nodes: { member: Buffer }[]) => nodes.map((n) => n.member.toString('latin1'));

/** Compares every kind of range read against the sorted model, for a few random bounds. */
function checkRanges(z: ZSetValue, sorted: Entry[], rnd: (n: number) => number): void {
  for (let q = 0; q < 6; q++) {
    const a = rnd(60) - 30 + (rnd(2) ? 0.5 : 0);
    const b = a + rnd(20);
    const range = { min: a, minex: rnd(2) === 1, max: b, maxex: rnd(2) === 1 };
    const want = sorted.filter((e) => (range.minex ? e.s > a : e.s >= a) && (range.maxex ? e.s < b : e.s <= b));
    const offset = rnd(4) === 0 ? 0 : rnd(30);
    const limit = rnd(3) === 0 ? -1 : rnd(40);
    const take = (xs: Entry[]) => xs.slice(offset, limit < 0 ? undefined : offset + limit).map((e) => e.m);
    expect(names(collectRange(z, { by: 'score', range, rev: false, offset, limit }))).toEqual(take(want));
    expect(names(collectRange(z, { by: 'score', range, rev: true, offset, limit }))).toEqual(take([...want].reverse()));
    expect(countInScoreRange(z, range)).toBe(want.length);
    const start = rnd(sorted.length + 10) - 5;
    const stop = start + rnd(50) - 5;
    const norm = (i: number) => (i < 0 ? i + sorted.length : i);
    const lo = Math.max(0, norm(start));
    const hi = Math.min(sorted.length - 1, norm(stop));
    const wantRank = lo > hi ? [] : sorted.slice(lo, hi + 1).map((e) => e.m);
    expect(names(collectRange(z, { by: 'rank', start, stop, rev: false }))).toEqual(wantRank);
    const rsorted = [...sorted].reverse();
    const wantRev = lo > hi ? [] : rsorted.slice(lo, hi + 1).map((e) => e.m);
    expect(names(collectRange(z, { by: 'rank', start, stop, rev: true }))).toEqual(wantRev);
  }
}

describe('ZSetValue against a sorted-array model (multi-level tree)', () => {
  it('keeps order, ranks, ranges and structure through growth, churn and shrinkage', () => {
    const rnd = lcg(7);
    const z = new ZSetValue();
    const model = new Map<string, number>();
    const sortedModel = () => [...model].map(([m, s]) => ({ m, s })).sort(cmp);
    // Members with high bytes and shared prefixes, so ties order by raw bytes (not UTF-16 / locale).
    const member = (i: number) => (i % 3 === 0 ? `m${i}` : i % 3 === 1 ? `m${i}\xff` : `\x00m${i % 97}-${i}`);
    const phases: [number, number, number][] = [
      // [ops, member space, percent inserts]
      [30000, 30000, 95],
      [10000, 30000, 50],
      [150000, 30000, 2],
      [6000, 3000, 80],
      [5000, 3000, 0],
    ];
    for (const [ops, space, ins] of phases) {
      for (let i = 0; i < ops; i++) {
        const m = member(rnd(space));
        // Plain comparisons in the hot loop (expect() per op would dominate the run time).
        if (rnd(100) < ins) {
          const s = rnd(60) - 30 + (rnd(4) === 0 ? 0.5 : 0);
          if (z.set(bytes(m), s) !== !model.has(m)) expect.fail(`set ${m} at op ${i}`);
          model.set(m, s);
        } else if (z.delete(bytes(m)) !== model.delete(m)) {
          expect.fail(`delete ${m} at op ${i}`);
        }
        if (i % 4000 === 0) z.verify();
      }
      const sorted = sortedModel();
      check(z, model);
      for (let r = 0; r < sorted.length; r += 13) expect(z.score(bytes(sorted[r].m))).toBe(sorted[r].s);
      checkRanges(z, sorted, rnd);
    }
    expect(z.rank(bytes('absent'))).toBe(-1);
    expect(z.at(z.size)).toBeNull();
  });

  it('selects lex ranges among equal scores by member bytes', () => {
    const rnd = lcg(11);
    const all = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(rnd(3) * 120 + 1, 97 + rnd(26), 97 + rnd(26)) + i);
    const z = ZSetValue.from(all.map((m) => [bytes(m), 0]));
    const sorted = [...new Set(all)].sort((a, b) => Buffer.compare(bytes(a), bytes(b)));
    for (let q = 0; q < 40; q++) {
      const lo = sorted[rnd(sorted.length)].slice(0, 1 + rnd(3));
      const hi = sorted[rnd(sorted.length)].slice(0, 1 + rnd(3));
      const range = {
        min: rnd(8) === 0 ? null : bytes(lo),
        max: rnd(8) === 0 ? null : bytes(hi),
        minex: rnd(2) === 1,
        maxex: rnd(2) === 1,
      };
      const c = (a: string, b: Buffer) => Buffer.compare(bytes(a), b);
      const want = sorted.filter(
        (m) =>
          (range.min === null || (range.minex ? c(m, range.min) > 0 : c(m, range.min) >= 0)) &&
          (range.max === null || (range.maxex ? c(m, range.max) < 0 : c(m, range.max) <= 0)),
      );
      const offset = rnd(5);
      const limit = rnd(2) ? -1 : rnd(20);
      const take = (xs: string[]) => xs.slice(offset, limit < 0 ? undefined : offset + limit);
      expect(names(collectRange(z, { by: 'lex', range, rev: false, offset, limit }))).toEqual(take(want));
      expect(names(collectRange(z, { by: 'lex', range, rev: true, offset, limit }))).toEqual(take([...want].reverse()));
      expect(countInLexRange(z, range)).toBe(want.length);
    }
  });

  it('stays balanced when bands of scores are deleted (merges and rebalances at every level)', () => {
    const rnd = lcg(3);
    for (let round = 0; round < 3; round++) {
      const z = new ZSetValue();
      const model = new Map<string, number>();
      for (let i = 0; i < 40000; i++) {
        const s = rnd(1000000);
        z.set(bytes(`k${i}`), s);
        model.set(`k${i}`, s);
      }
      for (let band = 0; band < 5; band++) {
        const lo = rnd(900000);
        const hi = lo + 20000 + rnd(150000);
        const victims = [...model].filter(([, s]) => s >= lo && s < hi).map(([m]) => m);
        if (band % 2) victims.reverse();
        for (const m of victims) {
          if (!z.delete(bytes(m))) expect.fail(`delete ${m}`);
          model.delete(m);
        }
        z.verify();
      }
      check(z, model);
    }
  });

  it('pops both ends of a multi-level tree down to empty in order', () => {
    const rnd = lcg(7);
    const model = new Map<string, number>();
    const z = new ZSetValue();
    for (let i = 0; i < 30000; i++) {
      const m = `p${i}`;
      const s = rnd(5000);
      z.set(bytes(m), s);
      model.set(m, s);
    }
    const sorted = [...model].map(([m, s]) => ({ m, s })).sort(cmp);
    let lo = 0;
    let hi = sorted.length - 1;
    for (let i = 0; lo <= hi; i++) {
      const max = rnd(3) === 0;
      const got = z.popEnd(max);
      const want = sorted[max ? hi-- : lo++];
      if (got === null || got.m !== want.m || got.score !== want.s) expect.fail(`pop ${i}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
      if (i % 3000 === 0) z.verify();
    }
    expect(z.popEnd(false)).toBe(null);
    expect(z.size).toBe(0);
    z.verify();
  });

  it('clones and iterates entries independently of the source', () => {
    const z = ZSetValue.from(Array.from({ length: 5000 }, (_, i) => [bytes(`k${i}`), i % 17] as [Buffer, number]));
    const c = z.clone();
    z.delete(bytes('k1'));
    expect(c.size).toBe(5000);
    expect([...c.entries()].length).toBe(5000);
    c.verify();
  });
});

describe('ZSetValue', () => {
  it('keeps order, ranks and back links through random updates', () => {
    const z = new ZSetValue();
    const model = new Map<string, number>();
    let seed = 42;
    const rnd = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
    for (let i = 0; i < 5000; i++) {
      const m = `m${rnd(400)}`;
      const op = rnd(7);
      if (op < 4) {
        const s = rnd(50) - 25 + (rnd(2) ? 0.5 : 0);
        expect(z.set(Buffer.from(m), s)).toBe(!model.has(m));
        model.set(m, s);
      } else if (op < 6) {
        expect(z.delete(Buffer.from(m))).toBe(model.delete(m));
      } else {
        const max = rnd(2) === 1;
        const want = [...model].map(([k, s]) => ({ m: k, s })).sort(cmp)[max ? model.size - 1 : 0];
        const got = z.popEnd(max);
        expect(got && { m: got.m, s: got.score }).toEqual(want ?? null);
        if (want) model.delete(want.m);
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
