// Sorted-set commands: ZADD/ZINCRBY, lookups, ranges (ZRANGE and the legacy forms, ZRANGESTORE),
// ZREMRANGEBY*, pops (ZPOPMIN/MAX, ZMPOP and the blocking BZPOPMIN/MAX, BZMPOP), ZRANDMEMBER, ZSCAN.
// The algebra (ZUNION/ZINTER/ZDIFF...) is in zset-algebra.ts.
import type { CommandDef, CommandContext } from './table.js';
import type { CommandArgs } from '../protocol/command-args.js';
import { ZSetValue } from '../store/zset.js';
import type { ZNode } from '../store/zset-btree.js';
import { lookup, lookupKey, popOneLazy, written, writtenArg, storeResult, parseScanArgs, scanMatch, replyScan, numkeysAt } from './aggregate.js';
import { is, parseDouble, parseDoubleRange, parseIntArg } from './args.js';
import { NOT_FLOAT, NOT_INTEGER, SYNTAX, WRONGTYPE } from './errors.js';
import { type RangeSpec, collectRange, parseScoreRange, parseLexRange, countInScoreRange, countInLexRange, BAD_SCORE_RANGE, BAD_LEX_RANGE } from './zset-range.js';
import { parseMpopTail } from './mpop.js';
import { parseTimeout, serveOrBlock } from '../blocking/wait.js';
import { parseRandomCount, randomPicks } from './random-picks.js';
import { formatDouble17 } from '../protocol/double.js';
import { sharedKeyStr } from '../store/compact.js';

export const getZset = (ctx: CommandContext, key: Buffer, k?: string) => lookup(ctx, key, ZSetValue, k);
const NAN_SCORE = 'ERR resulting score is not a number (NaN)';
const ZADD = ['z', 'zadd'] as const;
const ZINCR = ['z', 'zincr'] as const;

export function zadd(ctx: CommandContext, incrOnly: boolean): void {
  const argv = ctx.argv;
  let nx = false, xx = false, gt = false, lt = false, ch = false, incr = incrOnly;
  let i = 2;
  if (!incrOnly) {
    for (; i < argv.length; i++) {
      const a = argv[i];
      if (is(a, 'nx')) nx = true;
      else if (is(a, 'xx')) xx = true;
      else if (is(a, 'gt')) gt = true;
      else if (is(a, 'lt')) lt = true;
      else if (is(a, 'ch')) ch = true;
      else if (is(a, 'incr')) incr = true;
      else break;
    }
  }
  const elements = argv.length - i;
  if (elements === 0 || elements % 2 !== 0) return ctx.reply.error(SYNTAX);
  if (nx && xx) return ctx.reply.error('ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt)) return ctx.reply.error('ERR GT, LT, and/or NX options at the same time are not compatible');
  if (incr && elements > 2) return ctx.reply.error('ERR INCR option supports a single increment-element pair');
  const scores: number[] = [];
  for (let j = i; j < argv.length; j += 2) {
    const d = parseDouble(argv[j]);
    if (d === null) return ctx.reply.error(NOT_FLOAT);
    scores.push(d);
  }
  const key = argv[1];
  // The key's string once for the lookup, the write-back and the wake-up.
  const ks = sharedKeyStr(key);
  let z = getZset(ctx, key, ks);
  if (z === undefined) return;
  if (!z) {
    if (xx) return incr ? ctx.reply.null() : ctx.reply.int(0);
    z = new ZSetValue();
    ctx.db.set(ks, z);
  }
  let added = 0;
  let updated = 0;
  let result: number | null = null;
  for (let k = 0; k < scores.length; k++) {
    const m = argv[i + 2 * k + 1];
    const slot = z.find(m);
    if (slot < 0) {
      if (xx) continue;
      z.insertMissing(m, scores[k]);
      added++;
      result = scores[k];
      continue;
    }
    if (nx) continue;
    const cur = z.scoreAt(slot);
    const next = incr ? cur + scores[k] : scores[k];
    if (Number.isNaN(next)) {
      finishWrite(ctx, key, ks, z, added + updated, incr);
      return ctx.reply.error(NAN_SCORE);
    }
    if ((gt && next <= cur) || (lt && next >= cur)) continue;
    if (next !== cur) {
      z.rescore(slot, next);
      updated++;
    }
    result = next;
  }
  finishWrite(ctx, key, ks, z, added + updated, incr);
  if (incr) return result === null ? ctx.reply.null() : ctx.reply.double(result);
  ctx.reply.int(ch ? added + updated : added);
}

/** Scores of the ZADD being run by zaddLazy (reused: one array, not one per command). */
const lazyScores: number[] = [];

/**
 * ZADD key score member [score member ...] read in place in the read buffer (no argument Buffers);
 * options, and scores that do not parse (a keyword, an error), go to zadd().
 */
function zaddLazy(ctx: CommandContext, args: CommandArgs): boolean {
  const n = args.count;
  if (n < 4 || n % 2 !== 0) return false;
  const buf = args.buf;
  // Every score first, as zadd() (an error leaves the key untouched).
  for (let i = 2, k = 0; i < n; i += 2, k++) {
    const d = parseDoubleRange(buf, args.startOf(i), args.endOf(i));
    if (d === null) return false;
    lazyScores[k] = d;
  }
  const ks = args.sharedKey(1);
  let z = lookupKey(ctx, ks, ZSetValue);
  if (z === undefined) return true;
  if (z === null) {
    z = new ZSetValue();
    ctx.db.set(ks, z);
  }
  let added = 0;
  let updated = 0;
  for (let i = 3, k = 0; i < n; i += 2, k++) {
    const start = args.startOf(i);
    const end = args.endOf(i);
    const score = lazyScores[k];
    const slot = z.findRange(buf, start, end);
    if (slot < 0) {
      z.insertMissingRange(buf, start, end, score);
      added++;
    } else if (z.scoreAt(slot) !== score) {
      z.rescore(slot, score);
      updated++;
    }
  }
  ctx.srv.dirty += added + updated;
  if (added + updated > 0) {
    writtenArg(ctx, 1, z.size, ZADD, ks);
    ctx.srv.signalKeyAsReady(ctx.db, ks);
  }
  ctx.reply.int(added);
  return true;
}

/** Like Redis, only a ZADD that changed something signals WATCHers and blocked clients. */
function finishWrite(ctx: CommandContext, key: Buffer, k: string, z: ZSetValue, changes: number, incr: boolean): void {
  ctx.srv.dirty += changes;
  if (z.size === 0) return written(ctx, key, 0, undefined, k);
  if (changes === 0) return;
  written(ctx, key, z.size, incr ? ZINCR : ZADD, k);
  ctx.srv.signalKeyAsReady(ctx.db, k);
}

type Fixed = { by: 'rank' | 'score' | 'lex'; rev: boolean } | null;

/** Parses `min max [opts]` at argv[at]; null after replying the error. */
function parseRangeCmd(ctx: CommandContext, at: number, fixed: Fixed, store: boolean): { spec: RangeSpec; withScores: boolean } | null {
  const argv = ctx.argv;
  let by = fixed?.by ?? 'rank';
  let rev = fixed?.rev ?? false;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let i = at + 2; i < argv.length; i++) {
    const a = argv[i];
    if (!store && is(a, 'withscores')) withScores = true;
    else if (is(a, 'limit') && i + 2 < argv.length) {
      const o = parseIntArg(argv[i + 1]);
      const c = parseIntArg(argv[i + 2]);
      if (o === null || c === null) return (ctx.reply.error(NOT_INTEGER), null);
      offset = o;
      limit = c;
      i += 2;
    } else if (!fixed && by === 'rank' && is(a, 'byscore')) by = 'score';
    else if (!fixed && by === 'rank' && is(a, 'bylex')) by = 'lex';
    else if (!fixed && !rev && is(a, 'rev')) rev = true; // a second REV, BYSCORE or BYLEX is a syntax error
    else return (ctx.reply.error(SYNTAX), null);
  }
  // Redis 7.0 checks the count only: LIMIT <offset> -1 passes with a rank range (the offset is unused).
  if (limit !== -1 && by === 'rank') {
    return (ctx.reply.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX'), null);
  }
  if (withScores && by === 'lex') return (ctx.reply.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX'), null);
  let [lo, hi] = [argv[at], argv[at + 1]];
  if (rev && by !== 'rank') [lo, hi] = [hi, lo];
  if (by === 'rank') {
    const start = parseIntArg(lo);
    const stop = parseIntArg(hi);
    if (start === null || stop === null) return (ctx.reply.error(NOT_INTEGER), null);
    return { spec: { by, start, stop, rev }, withScores };
  }
  if (by === 'score') {
    const range = parseScoreRange(lo, hi);
    if (!range) return (ctx.reply.error(BAD_SCORE_RANGE), null);
    return { spec: { by, range, rev, offset, limit }, withScores };
  }
  const range = parseLexRange(lo, hi);
  if (!range) return (ctx.reply.error(BAD_LEX_RANGE), null);
  return { spec: { by, range, rev, offset, limit }, withScores };
}

/** Members (with scores: flat in RESP2, [member, score] pairs in RESP3). */
export function replyNodes(ctx: CommandContext, nodes: { member: Buffer; score: number }[], withScores: boolean, pairs = true): void {
  const r = ctx.reply;
  const nested = withScores && pairs && r.resp === 3;
  r.array(withScores && !nested ? nodes.length * 2 : nodes.length);
  for (const n of nodes) {
    if (nested) r.array(2);
    r.bulk(n.member);
    if (withScores) r.double(n.score);
  }
}

function zrange(ctx: CommandContext, fixed: Fixed): void {
  const p = parseRangeCmd(ctx, 2, fixed, false);
  if (!p) return;
  const z = getZset(ctx, ctx.argv[1]);
  if (z === undefined) return;
  replyNodes(ctx, z ? collectRange(z, p.spec) : [], p.withScores);
}

function zrangestore(ctx: CommandContext): void {
  const p = parseRangeCmd(ctx, 3, null, true);
  if (!p) return;
  const z = getZset(ctx, ctx.argv[2]);
  if (z === undefined) return;
  const nodes = z ? collectRange(z, p.spec) : [];
  const dst = ctx.argv[1];
  const existed = ctx.db.has(sharedKeyStr(dst));
  storeResult(ctx, dst, ZSetValue.from(nodes.map((n) => [n.member, n.score])));
  if (nodes.length > 0 || existed) ctx.srv.dirty++;
  ctx.reply.int(nodes.length);
}

function zremrange(ctx: CommandContext, by: 'rank' | 'score' | 'lex'): void {
  const p = parseRangeCmd(ctx, 2, { by, rev: false }, true);
  if (!p) return;
  const z = getZset(ctx, ctx.argv[1]);
  if (z === undefined) return;
  if (!z) return ctx.reply.int(0);
  const nodes = collectRange(z, p.spec);
  for (const n of nodes) z.delete(n.member);
  if (nodes.length > 0) written(ctx, ctx.argv[1], z.size, ['z', `zremrangeby${by}`]);
  ctx.srv.dirty += nodes.length;
  ctx.reply.int(nodes.length);
}

function zrank(ctx: CommandContext, rev: boolean): void {
  const z = getZset(ctx, ctx.argv[1]);
  if (z === undefined) return;
  const r = z ? z.rank(ctx.argv[2]) : -1;
  if (r < 0) return ctx.reply.null();
  ctx.reply.int(rev ? (z as ZSetValue).size - 1 - r : r);
}

/** Pops up to count lowest (or highest) members, deleting the key when emptied. */
function popNodes(ctx: CommandContext, key: Buffer, z: ZSetValue, max: boolean, count: number): ZNode[] {
  const out = z.slice(max ? z.size - 1 : 0, count, max);
  for (const n of out) z.delete(n.member);
  written(ctx, key, z.size, out.length > 0 ? ['z', max ? 'zpopmax' : 'zpopmin'] : undefined);
  return out;
}

/** One element, flat [member, score] in both protocols (as Redis without a count). */
function zpopOne(ctx: CommandContext, z: ZSetValue, max: boolean, k: string): void {
  const e = z.popEnd(max);
  if (e === null) return ctx.reply.array(0);
  writtenArg(ctx, 1, z.size, max ? ZPOPMAX_EVENT : ZPOPMIN_EVENT, k);
  ctx.srv.dirty++;
  ctx.reply.array(2);
  ctx.reply.bulkLatin1(e.m);
  ctx.reply.double(e.score);
}

const replyEmpty = (ctx: CommandContext) => ctx.reply.array(0);
const ZPOPMIN_EVENT = ['z', 'zpopmin'] as const;
const ZPOPMAX_EVENT = ['z', 'zpopmax'] as const;

function zpop(ctx: CommandContext, max: boolean): void {
  if (ctx.argv.length > 3) return ctx.reply.error(SYNTAX);
  let count = 1;
  const hasCount = ctx.argv.length === 3;
  if (hasCount) {
    const n = parseIntArg(ctx.argv[2]);
    if (n === null || n < 0) return ctx.reply.error('ERR value is out of range, must be positive');
    count = n;
  }
  const k = sharedKeyStr(ctx.argv[1]);
  const z = lookupKey(ctx, k, ZSetValue);
  if (z === undefined) return;
  if (!z || count === 0) return ctx.reply.array(0);
  if (!hasCount) return zpopOne(ctx, z, max, k);
  const nodes = popNodes(ctx, ctx.argv[1], z, max, count);
  ctx.srv.dirty += nodes.length;
  // Without a count the reply stays flat [member, score] even in RESP3.
  replyNodes(ctx, nodes, true, hasCount);
}

/** The op behind BZPOPMIN/BZPOPMAX (count null) and ZMPOP/BZMPOP (count n). */
function blockingZpop(ctx: CommandContext, keys: Buffer[], deadline: number, max: boolean, count: number | null): void {
  serveOrBlock(ctx, keys, deadline, (emit, initial) => {
    for (const key of keys) {
      const v = ctx.db.get(sharedKeyStr(key));
      if (v === undefined) continue;
      if (!(v instanceof ZSetValue)) {
        if (!initial) continue;
        ctx.reply.error(WRONGTYPE);
        return true;
      }
      const nodes = popNodes(ctx, key, v, max, count ?? 1);
      const cmd = Buffer.from(max ? 'ZPOPMAX' : 'ZPOPMIN');
      emit(count === null ? [cmd, key] : [cmd, key, Buffer.from(String(nodes.length))]);
      const r = ctx.reply;
      if (count === null) {
        r.array(3);
        r.bulk(key);
        r.bulk(nodes[0].member);
        r.double(nodes[0].score);
        return true;
      }
      r.array(2);
      r.bulk(key);
      r.array(nodes.length);
      for (const n of nodes) {
        r.array(2);
        r.bulk(n.member);
        r.double(n.score);
      }
      return true;
    }
    return false;
  }, () => ctx.reply.nullArray());
}

const minMax = (b: Buffer): boolean | null => (is(b, 'min') ? false : is(b, 'max') ? true : null);

/** ZMPOP (at 1) and BZMPOP (at 2): Redis 7.0 reads numkeys, keys and options before BZMPOP's timeout. */
function zmpop(ctx: CommandContext, at: number): void {
  const p = parseMpopTail(ctx, at, minMax);
  if (!p) return;
  const deadline = at === 1 ? -1 : parseTimeout(ctx, ctx.argv[1]);
  if (deadline !== null) blockingZpop(ctx, p.keys, deadline, p.where, p.count);
}

function zrandmember(ctx: CommandContext): void {
  const argv = ctx.argv;
  const parsed = parseRandomCount(argv, 'withscores');
  if (typeof parsed === 'string') return ctx.reply.error(parsed);
  const { count, withPairs } = parsed;
  const z = getZset(ctx, argv[1]);
  if (z === undefined) return;
  const randomRank = () => Math.floor(Math.random() * (z as ZSetValue).size);
  if (count === null) return ctx.reply.bulk(z ? (z.at(randomRank()) as ZNode).member : null);
  if (!z || count === 0) return ctx.reply.array(0);
  const nodes = randomPicks(z.size, count, randomRank).map((r) => z.at(r) as ZNode);
  replyNodes(ctx, nodes, withPairs);
}

function zscan(ctx: CommandContext): void {
  const args = parseScanArgs(ctx);
  if (!args) return;
  const z = getZset(ctx, ctx.argv[1]);
  if (z === undefined) return;
  if (!z) return replyScan(ctx, 0, []);
  const out: Buffer[] = [];
  const add = (member: Buffer, score: number) => {
    if (scanMatch(args.match, member)) out.push(member, Buffer.from(formatDouble17(score)));
  };
  // Listpack-sized sets answer in one go, in order, like Redis; bigger ones scan the member index
  // (its stateless cursor returns every member present for the whole scan, as sets and hashes do).
  if (z.encoding() === 'listpack') {
    for (const n of z.slice(0, z.size)) add(n.member, n.score);
    return replyScan(ctx, 0, out);
  }
  const next = z.scanStep(args.cursor, args.count, add);
  replyScan(ctx, next, out);
}

function zcount(ctx: CommandContext, lex: boolean): void {
  const r = lex ? parseLexRange(ctx.argv[2], ctx.argv[3]) : parseScoreRange(ctx.argv[2], ctx.argv[3]);
  if (!r) return ctx.reply.error(lex ? BAD_LEX_RANGE : BAD_SCORE_RANGE);
  const z = getZset(ctx, ctx.argv[1]);
  if (z === undefined) return;
  if (!z) return ctx.reply.int(0);
  ctx.reply.int(lex ? countInLexRange(z, r as ReturnType<typeof parseLexRange> & object) : countInScoreRange(z, r as ReturnType<typeof parseScoreRange> & object));
}

export const zsetCommands: CommandDef[] = [
  { name: 'zadd', handler: (ctx) => zadd(ctx, false), lazy: zaddLazy },
  {
    name: 'zincrby',
    // ZINCRBY key incr member is ZADD key INCR incr member.
    handler: (ctx) => zadd(ctx, true),
  },
  {
    name: 'zrem',
    handler(ctx) {
      const z = getZset(ctx, ctx.argv[1]);
      if (z === undefined) return;
      let n = 0;
      if (z) for (let i = 2; i < ctx.argv.length && z.size > 0; i++) if (z.delete(ctx.argv[i])) n++;
      if (z && n > 0) written(ctx, ctx.argv[1], z.size, ['z', 'zrem']);
      ctx.srv.dirty += n;
      ctx.reply.int(n);
    },
  },
  {
    name: 'zcard',
    handler(ctx) {
      const z = getZset(ctx, ctx.argv[1]);
      if (z !== undefined) ctx.reply.int(z ? z.size : 0);
    },
  },
  {
    name: 'zscore',
    handler(ctx) {
      const z = getZset(ctx, ctx.argv[1]);
      if (z === undefined) return;
      const s = z?.score(ctx.argv[2]);
      if (s === undefined) ctx.reply.null();
      else ctx.reply.double(s);
    },
  },
  {
    name: 'zmscore',
    handler(ctx) {
      const z = getZset(ctx, ctx.argv[1]);
      if (z === undefined) return;
      ctx.reply.array(ctx.argv.length - 2);
      for (let i = 2; i < ctx.argv.length; i++) {
        const s = z?.score(ctx.argv[i]);
        if (s === undefined) ctx.reply.null();
        else ctx.reply.double(s);
      }
    },
  },
  { name: 'zrank', handler: (ctx) => zrank(ctx, false) },
  { name: 'zrevrank', handler: (ctx) => zrank(ctx, true) },
  { name: 'zcount', handler: (ctx) => zcount(ctx, false) },
  { name: 'zlexcount', handler: (ctx) => zcount(ctx, true) },
  { name: 'zrange', handler: (ctx) => zrange(ctx, null) },
  { name: 'zrevrange', handler: (ctx) => zrange(ctx, { by: 'rank', rev: true }) },
  { name: 'zrangebyscore', handler: (ctx) => zrange(ctx, { by: 'score', rev: false }) },
  { name: 'zrevrangebyscore', handler: (ctx) => zrange(ctx, { by: 'score', rev: true }) },
  { name: 'zrangebylex', handler: (ctx) => zrange(ctx, { by: 'lex', rev: false }) },
  { name: 'zrevrangebylex', handler: (ctx) => zrange(ctx, { by: 'lex', rev: true }) },
  { name: 'zrangestore', handler: zrangestore },
  { name: 'zremrangebyrank', handler: (ctx) => zremrange(ctx, 'rank') },
  { name: 'zremrangebyscore', handler: (ctx) => zremrange(ctx, 'score') },
  { name: 'zremrangebylex', handler: (ctx) => zremrange(ctx, 'lex') },
  { name: 'zpopmin', handler: (ctx) => zpop(ctx, false), lazy: popOneLazy(ZSetValue, replyEmpty, (ctx, z, k) => zpopOne(ctx, z, false, k)) },
  { name: 'zpopmax', handler: (ctx) => zpop(ctx, true), lazy: popOneLazy(ZSetValue, replyEmpty, (ctx, z, k) => zpopOne(ctx, z, true, k)) },
  { name: 'zmpop', handler: (ctx) => zmpop(ctx, 1), getKeys: numkeysAt(1) },
  {
    name: 'bzpopmin',
    handler(ctx) {
      const deadline = parseTimeout(ctx, ctx.argv[ctx.argv.length - 1]);
      if (deadline !== null) blockingZpop(ctx, ctx.argv.slice(1, -1), deadline, false, null);
    },
  },
  {
    name: 'bzpopmax',
    handler(ctx) {
      const deadline = parseTimeout(ctx, ctx.argv[ctx.argv.length - 1]);
      if (deadline !== null) blockingZpop(ctx, ctx.argv.slice(1, -1), deadline, true, null);
    },
  },
  {
    name: 'bzmpop',
    handler(ctx) {
      zmpop(ctx, 2);
    },
    getKeys: numkeysAt(2),
  },
  { name: 'zrandmember', handler: zrandmember },
  { name: 'zscan', handler: zscan },
];
