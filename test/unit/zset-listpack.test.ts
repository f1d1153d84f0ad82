// ZSetValue's two forms against a reference model: random adds, rescores, deletes and pops on many
// small zsets under low listpack limits, so conversions happen at both limits (entries and member
// length) and every read is checked in both forms and across the switch.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZSetValue } from '../../src/engine/store/zset.js';
import { LIMITS } from '../../src/engine/store/limits.js';
import { collectRange, countInLexRange, countInScoreRange } from '../../src/engine/commands/zset-range.js';
import { Rng } from '../fuzz/values.js';

type Entry = { m: string; s: number };
const bytes = (m: string) => Buffer.from(m, 'latin1');
const cmp = (a: Entry, b: Entry) => (a.s < b.s ? -1 : a.s > b.s ? 1 : Buffer.compare(bytes(a.m), bytes(b.m)));

/** Deterministic (the fuzzer's mulberry32), so a failure replays. */
function rng(seed: number): (n: number) => number {
  const r = new Rng(seed);
  return (n) => r.int(n);
}

const SCORES = [-Infinity, Infinity, -0, 0, 1, 1.5, -2, 1e300, 3];

/** The model's reading of everything ZSetValue answers. */
function check(z: ZSetValue, model: Map<string, number>, listpack: boolean, rnd: (n: number) => number): void {
  const sorted = [...model].map(([m, s]) => ({ m, s })).sort(cmp);
  z.verify();
  expect(z.encoding()).toBe(listpack ? 'listpack' : 'skiplist');
  expect(z.size).toBe(sorted.length);
  const got = [...z.entries()].map(([m, s]) => ({ m: m.toString('latin1'), s }));
  // toEqual tells -0 from 0 (Object.is), as ZSCORE does.
  expect(got).toEqual(sorted);
  expect(new Set(z.memberNames())).toEqual(new Set(model.keys()));
  sorted.forEach((e, r) => {
    expect(z.rank(bytes(e.m))).toBe(r);
    expect(Object.is(z.score(bytes(e.m)), e.s)).toBe(true);
    expect(z.at(r)).toEqual({ member: bytes(e.m), score: e.s });
  });
  expect(z.rank(bytes('absent'))).toBe(-1);
  expect(z.score(bytes('absent'))).toBeUndefined();
  expect(z.at(sorted.length)).toBeNull();
  expect(z.slice(sorted.length - 1, sorted.length, true).map((n) => n.member.toString('latin1'))).toEqual(sorted.map((e) => e.m).reverse());
  const s = SCORES[rnd(SCORES.length)];
  for (const inclusive of [false, true]) {
    expect(z.countScoreBelow(s, inclusive)).toBe(sorted.filter((e) => e.s < s || (inclusive && e.s === s)).length);
  }
  const [leaf, i] = z.seekScore(s);
  const first = sorted.find((e) => e.s >= s);
  const seen = i < leaf.n ? { m: leaf.members[i], s: leaf.scores[i] } : leaf.next && leaf.next.n > 0 ? { m: leaf.next.members[0], s: leaf.next.scores[0] } : undefined;
  expect(seen).toEqual(first);
  const range = { min: -2, minex: rnd(2) === 1, max: 3, maxex: rnd(2) === 1 };
  const inRange = sorted.filter((e) => (range.minex ? e.s > -2 : e.s >= -2) && (range.maxex ? e.s < 3 : e.s <= 3)).map((e) => e.m);
  expect(collectRange(z, { by: 'score', range, rev: true, offset: 0, limit: -1 }).map((n) => n.member.toString('latin1'))).toEqual([...inRange].reverse());
  expect(countInScoreRange(z, range)).toBe(inRange.length);
  const lex = { min: bytes('b'), minex: false, max: null, maxex: false };
  if (sorted.every((e) => e.s === sorted[0].s)) expect(countInLexRange(z, lex)).toBe(sorted.filter((e) => e.m >= 'b').length);
}

describe('ZSetValue listpack and skiplist forms against a model', () => {
  const saved = { ...LIMITS };
  beforeEach(() => {
    LIMITS.zsetMaxEntries = 12;
    LIMITS.zsetMaxValue = 6;
  });
  afterEach(() => Object.assign(LIMITS, saved));

  it('converts when an insert passes either limit, never back, and reads the same in both forms', () => {
    const rnd = rng(5);
    let conversions = 0;
    for (let round = 0; round < 300; round++) {
      const z = new ZSetValue();
      const model = new Map<string, number>();
      let listpack = true;
      // Short members mostly (many listpack rounds); now and then one past zset-max-listpack-value.
      const member = () => (rnd(60) === 0 ? 'long-member' : String.fromCharCode(97 + rnd(3)) + 'x'.repeat(rnd(2)) + rnd(3));
      for (let op = 0; op < 60; op++) {
        const m = member();
        const k = rnd(10);
        if (k < 5) {
          const s = SCORES[rnd(SCORES.length)];
          const isNew = !model.has(m);
          // Redis converts before adding a member that would outgrow a limit (updates never convert).
          if (isNew && listpack && (m.length > LIMITS.zsetMaxValue || model.size + 1 > LIMITS.zsetMaxEntries)) {
            listpack = false;
            conversions++;
          }
          expect(z.set(bytes(m), s)).toBe(isNew);
          // ZADD keeps the old score when the new one compares equal (-0 over 0), as Redis's
          // zsetAdd; a listpack stores -0 as 0, a skiplist keeps the sign (Redis: an integer in the listpack).
          if (isNew || model.get(m) !== s) model.set(m, listpack && s === 0 ? 0 : s);
        } else if (k < 7) {
          expect(z.delete(bytes(m))).toBe(model.delete(m));
        } else {
          const max = k >= 8;
          const sorted = [...model].map(([x, s]) => ({ m: x, s })).sort(cmp);
          const want = sorted.length === 0 ? null : sorted[max ? sorted.length - 1 : 0];
          const got = z.popEnd(max);
          expect(got && { m: got.m, s: got.score }).toEqual(want);
          if (want) model.delete(want.m);
        }
        if (op % 5 === 0) check(z, model, listpack, rnd);
      }
      check(z, model, listpack, rnd);
      const c = z.clone();
      z.delete(bytes([...model.keys()][0] ?? 'none'));
      check(c, model, listpack, rnd);
    }
    // Both forms and the switch were exercised, not just one of them.
    expect(conversions).toBeGreaterThan(50);
    expect(conversions).toBeLessThan(290);
  });

  it('from() builds a listpack within the limits (RDB load, ZUNIONSTORE), and toSkiplist() keeps every entry', () => {
    const pairs = (n: number, len = 2): [Buffer, number][] => Array.from({ length: n }, (_, i) => [bytes(`${i}`.padStart(len, 'm')), n - i]);
    expect(ZSetValue.from(pairs(12)).encoding()).toBe('listpack');
    expect(ZSetValue.from(pairs(13)).encoding()).toBe('skiplist');
    expect(ZSetValue.from(pairs(3, 7)).encoding()).toBe('skiplist');
    const z = ZSetValue.from(pairs(10));
    const model = new Map([...z.entries()].map(([m, s]) => [m.toString('latin1'), s]));
    z.toSkiplist();
    check(z, model, false, rng(1));
    LIMITS.zsetMaxEntries = 0;
    const none = new ZSetValue();
    none.set(bytes('a'), 1);
    expect(none.encoding()).toBe('skiplist');
  });

  it('scans a skiplist through its index and refuses a listpack (zscan answers those whole)', () => {
    const z = ZSetValue.from(Array.from({ length: 40 }, (_, i) => [bytes(`m${i}`), i] as [Buffer, number]));
    const seen = new Map<string, number>();
    let cursor = 0;
    do cursor = z.scanStep(cursor, 7, (m, s) => seen.set(m.toString('latin1'), s));
    while (cursor !== 0);
    expect(seen).toEqual(new Map([...z.entries()].map(([m, s]) => [m.toString('latin1'), s])));
    expect(() => ZSetValue.from([[bytes('a'), 1]]).scanStep(0, 10, () => undefined)).toThrow(/listpack/);
  });
});
