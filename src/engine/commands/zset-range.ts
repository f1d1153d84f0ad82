// Sorted-set range specs (by rank, score or lex; forward or REV; LIMIT) and their O(log n + m)
// evaluation over the skip list, shared by ZRANGE*, ZRANGESTORE, ZCOUNT, ZLEXCOUNT and ZREMRANGEBY*.
import type { ZSetValue } from '../store/zset.js';
import { type ZNode, type ScoreRange, succ, type LexRange, lteMax, gteMin, lexLteMax, lexGteMin } from '../store/skiplist.js';
import { parseDouble } from './args.js';

export const BAD_SCORE_RANGE = 'ERR min or max is not a float';
export const BAD_LEX_RANGE = 'ERR min or max not valid string range item';

/** `1.5`, `(1.5`, `-inf`, `+inf`: Redis's zslParseRange. */
export function parseScoreRange(min: Buffer, max: Buffer): ScoreRange | null {
  const one = (b: Buffer): [number, boolean] | null => {
    const ex = b[0] === 40; // '('
    const d = parseDouble(ex ? b.subarray(1) : b);
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
  const out: ZNode[] = [];
  const len = z.size;
  if (spec.by === 'rank') {
    let { start, stop } = spec;
    if (start < 0) start += len;
    if (stop < 0) stop += len;
    if (start < 0) start = 0;
    if (start > stop || start >= len) return out;
    if (stop >= len) stop = len - 1;
    let n = z.at(spec.rev ? len - 1 - start : start);
    for (let i = start; i <= stop && n; i++, n = spec.rev ? n.backward : succ(n)) out.push(n);
    return out;
  }
  const { rev, limit } = spec;
  let offset = spec.offset;
  if (offset < 0) return out;
  let n: ZNode | null;
  let inRange: (n: ZNode) => boolean;
  if (spec.by === 'score') {
    const r = spec.range;
    if (scoreRangeEmpty(r)) return out;
    n = rev ? z.sl.lastInRange(r) : z.sl.firstInRange(r);
    inRange = rev ? (x) => gteMin(x.score, r) : (x) => lteMax(x.score, r);
  } else {
    const r = spec.range;
    if (lexRangeEmpty(r)) return out;
    n = rev ? z.sl.lastInLex(r) : z.sl.firstInLex(r);
    inRange = rev ? (x) => lexGteMin(x.member, r) : (x) => lexLteMax(x.member, r);
  }
  while (n && offset > 0) {
    n = rev ? n.backward : succ(n);
    offset--;
  }
  while (n && (limit < 0 || out.length < limit) && inRange(n)) {
    out.push(n);
    n = rev ? n.backward : succ(n);
  }
  return out;
}

/** Elements with a score in range, O(log n) via ranks. */
export function countInScoreRange(z: ZSetValue, r: ScoreRange): number {
  if (scoreRangeEmpty(r)) return 0;
  const first = z.sl.firstInRange(r);
  if (!first) return 0;
  const last = z.sl.lastInRange(r) as ZNode;
  return z.sl.rank(last.score, last.member) - z.sl.rank(first.score, first.member) + 1;
}

export function countInLexRange(z: ZSetValue, r: LexRange): number {
  if (lexRangeEmpty(r)) return 0;
  const first = z.sl.firstInLex(r);
  if (!first) return 0;
  const last = z.sl.lastInLex(r) as ZNode;
  return z.sl.rank(last.score, last.member) - z.sl.rank(first.score, first.member) + 1;
}
