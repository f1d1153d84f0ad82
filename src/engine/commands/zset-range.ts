// Sorted-set range specs (by rank, score or lex; forward or REV; LIMIT) and their O(log n + m)
// evaluation over the counted tree (ranges become rank intervals), shared by ZRANGE*, ZRANGESTORE, ZCOUNT, ZLEXCOUNT and ZREMRANGEBY*.
import type { ZSetValue } from '../store/zset.js';
import { type ZNode, type ScoreRange, type LexRange, gteMin, lteMax } from '../store/zset-btree.js';
import { keyStr } from '../store/types.js';
import { parseRangeDouble } from '../util/strtod.js';
import { cString } from './args.js';

export const BAD_SCORE_RANGE = 'ERR min or max is not a float';
export const BAD_LEX_RANGE = 'ERR min or max not valid string range item';

/** `1.5`, `(1.5`, `-inf`, `+inf`: Redis's zslParseRange. */
export function parseScoreRange(min: Buffer, max: Buffer): ScoreRange | null {
  const one = (b: Buffer): [number, boolean] | null => {
    const ex = b[0] === 40; // '('
    // strtod as Redis's zslParseRange uses it, on a C string: an empty bound (or one cut short by a
    // NUL) reads as 0, a hex float is a number.
    const d = parseRangeDouble(cString(ex ? b.subarray(1) : b));
    return d === null ? null : [d, ex];
  };
  const lo = one(min);
  const hi = one(max);
  if (!lo || !hi) return null;
  return { min: lo[0], minex: lo[1], max: hi[0], maxex: hi[1] };
}

/** `-`, `+`, `[x`, `(x`: Redis's zslParseLexRange. */
export function parseLexRange(min: Buffer, max: Buffer): LexRange | null {
  const one = (b: Buffer): { v: Buffer | null; ex: boolean; inf: -1 | 0 | 1 } | null => {
    if (b.length === 1 && b[0] === 45) return { v: null, ex: false, inf: -1 };
    if (b.length === 1 && b[0] === 43) return { v: null, ex: false, inf: 1 };
    if (b[0] === 40) return { v: b.subarray(1), ex: true, inf: 0 };
    if (b[0] === 91) return { v: b.subarray(1), ex: false, inf: 0 };
    return null;
  };
  const lo = one(min);
  const hi = one(max);
  if (!lo || !hi) return null;
  return { min: lo.v, minex: lo.ex, max: hi.v, maxex: hi.ex, empty: lo.inf === 1 || hi.inf === -1 };
}

export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

function lexRangeEmpty(r: LexRange): boolean {
  if (r.empty) return true;
  if (r.min === null || r.max === null) return false;
  const c = Buffer.compare(r.min, r.max);
  return c > 0 || (c === 0 && (r.minex || r.maxex));
}

export type RangeSpec =
  | { by: 'rank'; start: number; stop: number; rev: boolean }
  | { by: 'score'; range: ScoreRange; rev: boolean; offset: number; limit: number }
  | { by: 'lex'; range: LexRange; rev: boolean; offset: number; limit: number };

/** The nodes selected by spec, in reply order. */
export function collectRange(z: ZSetValue, spec: RangeSpec): ZNode[] {
  const len = z.size;
  if (spec.by === 'rank') {
    let { start, stop } = spec;
    if (start < 0) start += len;
    if (stop < 0) stop += len;
    if (start < 0) start = 0;
    if (start > stop || start >= len) return [];
    if (stop >= len) stop = len - 1;
    return z.slice(spec.rev ? len - 1 - start : start, stop - start + 1, spec.rev);
  }
  const { rev, limit, offset } = spec;
  if (offset < 0) return [];
  // One descent to the range's start (the walk resumes where it ended), then a bounded walk.
  let from: number;
  let inRange: (score: number, m: string) => boolean;
  if (spec.by === 'score') {
    const r = spec.range;
    if (scoreRangeEmpty(r)) return [];
    from = rev ? z.countScoreBelow(r.max, !r.maxex) - 1 - offset : z.countScoreBelow(r.min, r.minex) + offset;
    inRange = rev ? (s) => gteMin(s, r) : (s) => lteMax(s, r);
  } else {
    const r = spec.range;
    if (lexRangeEmpty(r)) return [];
    const min = r.min === null ? null : keyStr(r.min);
    const max = r.max === null ? null : keyStr(r.max);
    from = rev ? (max === null ? z.size : lexBelow(z, max, !r.maxex)) - 1 - offset : (min === null ? 0 : lexBelow(z, min, r.minex)) + offset;
    inRange = rev
      ? (_, m) => min === null || (r.minex ? m > min : m >= min)
      : (_, m) => max === null || (r.maxex ? m < max : m <= max);
  }
  return z.slice(from, limit < 0 ? Infinity : limit, rev, inRange);
}

/** How many members sort below (or at, when inclusive) a lex bound. */
function lexBelow(z: ZSetValue, b: string, inclusive: boolean): number {
  return z.countWhere(inclusive ? (_, m) => m <= b : (_, m) => m < b);
}

/** 0-based ranks of the first and last elements with a score in range; null when none. */
function scoreRanks(z: ZSetValue, r: ScoreRange): [number, number] | null {
  if (scoreRangeEmpty(r)) return null;
  const first = z.countScoreBelow(r.min, r.minex);
  const last = z.countScoreBelow(r.max, !r.maxex) - 1;
  return first <= last ? [first, last] : null;
}

/** Same by member bytes (meaningful when every score is equal, as in Redis). */
function lexRanks(z: ZSetValue, r: LexRange): [number, number] | null {
  if (lexRangeEmpty(r)) return null;
  const first = r.min === null ? 0 : lexBelow(z, keyStr(r.min), r.minex);
  const last = (r.max === null ? z.size : lexBelow(z, keyStr(r.max), !r.maxex)) - 1;
  return first <= last ? [first, last] : null;
}

/** Elements with a score in range, O(log n) via ranks. */
export function countInScoreRange(z: ZSetValue, r: ScoreRange): number {
  const span = scoreRanks(z, r);
  return span ? span[1] - span[0] + 1 : 0;
}

export function countInLexRange(z: ZSetValue, r: LexRange): number {
  const span = lexRanks(z, r);
  return span ? span[1] - span[0] + 1 : 0;
}
