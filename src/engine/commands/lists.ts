// List commands (LPUSH ... LMPOP) and their blocking forms (BLPOP, BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP).
import type { CommandDef, CommandContext } from './table.js';
import { ListValue } from '../store/list.js';
import { lookup, lookupKey, popOneLazy, written, writtenArg, clampRange, numkeysAt } from './aggregate.js';
import { argCount, storedAt, type ArgSource, type CommandArgs } from '../protocol/command-args.js';
import { is, parseIntArg } from './args.js';
import { NOT_INTEGER, SYNTAX, NO_SUCH_KEY, OUT_OF_RANGE, WRONGTYPE } from './errors.js';
import { parseTimeout, serveOrBlock } from '../blocking/wait.js';
import { parseMpopTail } from './mpop.js';
import { notifyKeyspaceEvent } from '../pubsub/notify.js';
import { sharedKeyStr } from '../store/compact.js';

const b = (s: string) => Buffer.from(s);
const getList = (ctx: CommandContext, key: Buffer, k?: string) => lookup(ctx, key, ListValue, k);
const LPUSH = ['l', 'lpush'] as const;
const RPUSH = ['l', 'rpush'] as const;
const LPOP = ['l', 'lpop'] as const;
const RPOP = ['l', 'rpop'] as const;

function push(ctx: CommandContext, left: boolean, onlyIfExists: boolean, src: ArgSource = ctx.argv): void {
  // The key's string once for the lookup, the write-back and the wake-up (each was a latin1Slice).
  const k = Array.isArray(src) ? sharedKeyStr(src[1]) : src.sharedKey(1);
  let l = lookupKey(ctx, k, ListValue);
  if (l === undefined) return;
  if (!l) {
    if (onlyIfExists) return ctx.reply.int(0);
    l = new ListValue();
    ctx.db.set(k, l);
  }
  const n = argCount(src);
  for (let i = 2; i < n; i++) {
    if (left) l.pushHeadStored(storedAt(src, i));
    else l.pushTailStored(storedAt(src, i));
  }
  ctx.srv.dirty += n - 2;
  writtenArg(ctx, 1, l.length, left ? LPUSH : RPUSH, k);
  ctx.srv.signalKeyAsReady(ctx.db, k);
  ctx.reply.int(l.length);
}

const replyNull = (ctx: CommandContext) => ctx.reply.null();

function pushLazy(ctx: CommandContext, args: CommandArgs, left: boolean): boolean {
  push(ctx, left, false, args);
  return true;
}

/** Pops one element, replied as stored (no Buffer made for it). */
function popOne(ctx: CommandContext, l: ListValue, left: boolean, k: string): void {
  const v = left ? l.popHeadPacked() : l.popTailPacked();
  writtenArg(ctx, 1, l.length, left ? LPOP : RPOP, k);
  ctx.srv.dirty++;
  ctx.reply.bulkStored(v);
}

/** Pops up to n elements from one end, deleting the key when emptied. */
function popMany(ctx: CommandContext, key: Buffer, l: ListValue, left: boolean, n: number, k = sharedKeyStr(key)): Buffer[] {
  const out: Buffer[] = [];
  while (out.length < n && l.length > 0) out.push((left ? l.popHead() : l.popTail()) as Buffer);
  written(ctx, key, l.length, left ? LPOP : RPOP, k);
  return out;
}

function pop(ctx: CommandContext, left: boolean): void {
  let count = -1;
  if (ctx.argv.length > 3) return ctx.reply.error(`ERR wrong number of arguments for '${ctx.cmd.name}' command`);
  if (ctx.argv.length === 3) {
    const n = parseIntArg(ctx.argv[2]);
    if (n === null || n < 0) return ctx.reply.error('ERR value is out of range, must be positive');
    count = n;
  }
  const key = ctx.argv[1];
  const k = sharedKeyStr(key);
  const l = getList(ctx, key, k);
  if (l === undefined) return;
  if (!l) return count >= 0 ? ctx.reply.nullArray() : ctx.reply.null();
  if (count === 0) return ctx.reply.array(0);
  if (count < 0) return popOne(ctx, l, left, k);
  const items = popMany(ctx, key, l, left, count, k);
  ctx.srv.dirty += items.length;
  ctx.reply.bulkArray(items);
}

/** Moves one element from src's `from` end to dst's `to` end; null when src is missing or empty. */
function move(ctx: CommandContext, src: Buffer, dst: Buffer, fromLeft: boolean, toLeft: boolean, initial: boolean): Buffer | null | undefined {
  const sk = sharedKeyStr(src);
  const sv = ctx.db.get(sk);
  if (sv === undefined) return null;
  const dk = sharedKeyStr(dst);
  const dv = ctx.db.get(dk);
  if (!(sv instanceof ListValue) || (dv !== undefined && !(dv instanceof ListValue))) {
    if (!initial && !(sv instanceof ListValue)) return null;
    ctx.reply.error(WRONGTYPE);
    return undefined;
  }
  const v = (fromLeft ? sv.popHead() : sv.popTail()) as Buffer;
  let d = dv;
  if (!d) {
    d = new ListValue();
    ctx.db.set(dk, d);
  }
  if (toLeft) d.pushHead(v);
  else d.pushTail(v);
  // Redis's order: the push on dst, then the pop on src (and its del when emptied).
  notifyKeyspaceEvent(ctx.srv, 'l', toLeft ? 'lpush' : 'rpush', dst, ctx.db.id);
  written(ctx, src, sv.length, ['l', fromLeft ? 'lpop' : 'rpop'], sk);
  ctx.db.touch(dk);
  ctx.srv.signalKeyAsReady(ctx.db, dk);
  return v;
}

function side(arg: Buffer): boolean | null {
  if (is(arg, 'left')) return true;
  if (is(arg, 'right')) return false;
  return null;
}

function moveCommand(ctx: CommandContext, fromLeft: boolean, toLeft: boolean): void {
  const v = move(ctx, ctx.argv[1], ctx.argv[2], fromLeft, toLeft, true);
  if (v === undefined) return;
  if (v !== null) ctx.srv.dirty++;
  ctx.reply.bulk(v);
}

/** The op behind BLMOVE/BRPOPLPUSH: propagated as LMOVE / RPOPLPUSH. */
function blockingMove(ctx: CommandContext, deadline: number, fromLeft: boolean, toLeft: boolean, asArgv: Buffer[]): void {
  const [src, dst] = [ctx.argv[1], ctx.argv[2]];
  serveOrBlock(ctx, [src], deadline, (emit, initial) => {
    const v = move(ctx, src, dst, fromLeft, toLeft, initial);
    if (v === null) return false;
    if (v !== undefined) {
      emit(asArgv);
      ctx.reply.bulk(v);
    }
    return true;
  }, () => ctx.reply.nullArray()); // Redis 7.0 times out BLMOVE/BRPOPLPUSH with a null array
}

/**
 * Pops from the first non-empty list among keys: BLPOP/BRPOP reply [key, value] (count null), the
 * MPOP forms [key, [values...]]. Propagated as LPOP/RPOP (with a count for the MPOP forms).
 */
function blockingPop(ctx: CommandContext, keys: Buffer[], deadline: number, left: boolean, count: number | null): void {
  serveOrBlock(ctx, keys, deadline, (emit, initial) => {
    for (const key of keys) {
      const v = ctx.db.get(sharedKeyStr(key));
      if (v === undefined) continue;
      if (!(v instanceof ListValue)) {
        if (!initial) continue;
        ctx.reply.error(WRONGTYPE);
        return true;
      }
      const items = popMany(ctx, key, v, left, count ?? 1);
      const cmd = b(left ? 'LPOP' : 'RPOP');
      emit(count === null ? [cmd, key] : [cmd, key, b(String(items.length))]);
      ctx.reply.array(2);
      ctx.reply.bulk(key);
      if (count === null) ctx.reply.bulk(items[0]);
      else ctx.reply.bulkArray(items);
      return true;
    }
    return false;
  }, () => ctx.reply.nullArray());
}

/** LMPOP / BLMPOP: `numkeys key... LEFT|RIGHT [COUNT n]` starting at argv[at]. */
/** LMPOP (at 1) and BLMPOP (at 2): Redis 7.0 reads numkeys, keys and options before BLMPOP's timeout. */
function mpop(ctx: CommandContext, at: number): void {
  const parsed = parseMpopTail(ctx, at, side);
  if (!parsed) return;
  const deadline = at === 1 ? -1 : parseTimeout(ctx, ctx.argv[1]);
  if (deadline !== null) blockingPop(ctx, parsed.keys, deadline, parsed.where, parsed.count);
}

function lindex(ctx: CommandContext): void {
  // Redis looks the key up first: a missing key is nil and a wrong type WRONGTYPE whatever the index.
  const l = getList(ctx, ctx.argv[1]);
  if (l === undefined) return;
  if (!l) return ctx.reply.null();
  const idx = parseIntArg(ctx.argv[2]);
  if (idx === null) return ctx.reply.error(NOT_INTEGER);
  ctx.reply.bulkStored(l.atPacked(idx < 0 ? l.length + idx : idx));
}

function lrange(ctx: CommandContext): void {
  const start = parseIntArg(ctx.argv[2]);
  const end = parseIntArg(ctx.argv[3]);
  if (start === null || end === null) return ctx.reply.error(NOT_INTEGER);
  const l = getList(ctx, ctx.argv[1]);
  if (l === undefined) return;
  const r = l ? clampRange(start, end, l.length) : null;
  if (!l || !r) return ctx.reply.array(0);
  ctx.reply.array(r[1] - r[0] + 1);
  for (let i = r[0]; i <= r[1]; i++) ctx.reply.bulkStored(l.atPacked(i));
}

function lset(ctx: CommandContext): void {
  // The key first, as Redis: no such key / WRONGTYPE whatever the index says.
  const l = getList(ctx, ctx.argv[1]);
  if (l === undefined) return;
  if (!l) return ctx.reply.error(NO_SUCH_KEY);
  const idx = parseIntArg(ctx.argv[2]);
  if (idx === null) return ctx.reply.error(NOT_INTEGER);
  const i = idx < 0 ? l.length + idx : idx;
  if (i < 0 || i >= l.length) return ctx.reply.error(OUT_OF_RANGE);
  l.setAt(i, ctx.argv[3]);
  ctx.db.touch(sharedKeyStr(ctx.argv[1]));
  notifyKeyspaceEvent(ctx.srv, 'l', 'lset', ctx.argv[1], ctx.db.id);
  ctx.srv.dirty++;
  ctx.reply.ok();
}

function linsert(ctx: CommandContext): void {
  const where = is(ctx.argv[2], 'before') ? 0 : is(ctx.argv[2], 'after') ? 1 : -1;
  if (where < 0) return ctx.reply.error(SYNTAX);
  const l = getList(ctx, ctx.argv[1]);
  if (l === undefined) return;
  if (!l) return ctx.reply.int(0);
  const items = l.toArray();
  const pivot = ctx.argv[3];
  const i = items.findIndex((x) => x.equals(pivot));
  if (i < 0) return ctx.reply.int(-1);
  items.splice(i + where, 0, ctx.argv[4]);
  l.reset(items);
  ctx.db.touch(sharedKeyStr(ctx.argv[1]));
  notifyKeyspaceEvent(ctx.srv, 'l', 'linsert', ctx.argv[1], ctx.db.id);
  ctx.srv.signalKeyAsReady(ctx.db, sharedKeyStr(ctx.argv[1]));
  ctx.srv.dirty++;
  ctx.reply.int(l.length);
}

function lrem(ctx: CommandContext): void {
  const count = parseIntArg(ctx.argv[2]);
  if (count === null) return ctx.reply.error(NOT_INTEGER);
  const l = getList(ctx, ctx.argv[1]);
  if (l === undefined) return;
  if (!l) return ctx.reply.int(0);
  const el = ctx.argv[3];
  const items = l.toArray();
  const limit = count === 0 ? Infinity : Math.abs(count);
  const keep = new Array<boolean>(items.length).fill(true);
  let removed = 0;
  for (let k = 0; k < items.length && removed < limit; k++) {
    const i = count < 0 ? items.length - 1 - k : k;
    if (items[i].equals(el)) {
      keep[i] = false;
      removed++;
    }
  }
  if (removed > 0) {
    l.reset(items.filter((_, i) => keep[i]));
    written(ctx, ctx.argv[1], l.length, ['l', 'lrem']);
    ctx.srv.dirty += removed;
  }
  ctx.reply.int(removed);
}

function ltrim(ctx: CommandContext): void {
  const start = parseIntArg(ctx.argv[2]);
  const end = parseIntArg(ctx.argv[3]);
  if (start === null || end === null) return ctx.reply.error(NOT_INTEGER);
  const l = getList(ctx, ctx.argv[1]);
  if (l === undefined) return;
  if (!l) return ctx.reply.ok();
  const r = clampRange(start, end, l.length);
  const len = l.length;
  const [ltrimN, rtrimN] = r ? [r[0], len - 1 - r[1]] : [len, 0];
  for (let i = 0; i < ltrimN; i++) l.popHead();
  for (let i = 0; i < rtrimN; i++) l.popTail();
  written(ctx, ctx.argv[1], l.length, ['l', 'ltrim']);
  ctx.srv.dirty += ltrimN + rtrimN;
  ctx.reply.ok();
}

function lpos(ctx: CommandContext): void {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let i = 3; i < ctx.argv.length; i++) {
    const opt = ctx.argv[i];
    if (i + 1 >= ctx.argv.length) return ctx.reply.error(SYNTAX);
    const n = parseIntArg(ctx.argv[++i]);
    if (is(opt, 'rank')) {
      if (n === null) return ctx.reply.error(NOT_INTEGER);
      if (n === 0 || n <= Number.MIN_SAFE_INTEGER) {
        return ctx.reply.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
      }
      rank = n;
    } else if (is(opt, 'count')) {
      // Redis gives one message for a malformed and a negative COUNT / MAXLEN.
      if (n === null || n < 0) return ctx.reply.error("ERR COUNT can't be negative");
      count = n;
    } else if (is(opt, 'maxlen')) {
      if (n === null || n < 0) return ctx.reply.error("ERR MAXLEN can't be negative");
      maxlen = n;
    } else {
      return ctx.reply.error(SYNTAX);
    }
  }
  const l = getList(ctx, ctx.argv[1]);
  if (l === undefined) return;
  if (!l) return count >= 0 ? ctx.reply.array(0) : ctx.reply.null();
  const el = ctx.argv[2];
  const found: number[] = [];
  const want = count === 0 ? Infinity : count < 0 ? 1 : count;
  let skip = Math.abs(rank) - 1;
  const n = l.length;
  for (let k = 0; k < n && (maxlen === 0 || k < maxlen) && found.length < want; k++) {
    const i = rank > 0 ? k : n - 1 - k;
    if (!(l.at(i) as Buffer).equals(el)) continue;
    if (skip > 0) skip--;
    else found.push(i);
  }
  if (count < 0) return found.length ? ctx.reply.int(found[0]) : ctx.reply.null();
  ctx.reply.array(found.length);
  for (const i of found) ctx.reply.int(i);
}

export const listCommands: CommandDef[] = [
  { name: 'lpush', handler: (ctx) => push(ctx, true, false), lazy: (ctx, args) => pushLazy(ctx, args, true) },
  { name: 'rpush', handler: (ctx) => push(ctx, false, false), lazy: (ctx, args) => pushLazy(ctx, args, false) },
  { name: 'lpushx', handler: (ctx) => push(ctx, true, true) },
  { name: 'rpushx', handler: (ctx) => push(ctx, false, true) },
  { name: 'lpop', handler: (ctx) => pop(ctx, true), lazy: popOneLazy(ListValue, replyNull, (ctx, l, k) => popOne(ctx, l, true, k)) },
  { name: 'rpop', handler: (ctx) => pop(ctx, false), lazy: popOneLazy(ListValue, replyNull, (ctx, l, k) => popOne(ctx, l, false, k)) },
  {
    name: 'llen',
    handler(ctx) {
      const l = getList(ctx, ctx.argv[1]);
      if (l !== undefined) ctx.reply.int(l ? l.length : 0);
    },
  },
  { name: 'lindex', handler: lindex },
  { name: 'lrange', handler: lrange },
  { name: 'lset', handler: lset },
  { name: 'linsert', handler: linsert },
  { name: 'lrem', handler: lrem },
  { name: 'ltrim', handler: ltrim },
  { name: 'lpos', handler: lpos },
  { name: 'rpoplpush', handler: (ctx) => moveCommand(ctx, false, true) },
  {
    name: 'lmove',
    handler(ctx) {
      const from = side(ctx.argv[3]);
      const to = side(ctx.argv[4]);
      if (from === null || to === null) return ctx.reply.error(SYNTAX);
      moveCommand(ctx, from, to);
    },
  },
  { name: 'lmpop', handler: (ctx) => mpop(ctx, 1), getKeys: numkeysAt(1) },
  {
    name: 'blpop',
    handler(ctx) {
      const deadline = parseTimeout(ctx, ctx.argv[ctx.argv.length - 1]);
      if (deadline !== null) blockingPop(ctx, ctx.argv.slice(1, -1), deadline, true, null);
    },
  },
  {
    name: 'brpop',
    handler(ctx) {
      const deadline = parseTimeout(ctx, ctx.argv[ctx.argv.length - 1]);
      if (deadline !== null) blockingPop(ctx, ctx.argv.slice(1, -1), deadline, false, null);
    },
  },
  {
    name: 'brpoplpush',
    handler(ctx) {
      const deadline = parseTimeout(ctx, ctx.argv[3]);
      if (deadline !== null) blockingMove(ctx, deadline, false, true, [b('RPOPLPUSH'), ctx.argv[1], ctx.argv[2]]);
    },
  },
  {
    name: 'blmove',
    handler(ctx) {
      const from = side(ctx.argv[3]);
      const to = side(ctx.argv[4]);
      if (from === null || to === null) return ctx.reply.error(SYNTAX);
      const deadline = parseTimeout(ctx, ctx.argv[5]);
      if (deadline !== null) blockingMove(ctx, deadline, from, to, [b('LMOVE'), ...ctx.argv.slice(1, 5)]);
    },
  },
  {
    name: 'blmpop',
    handler(ctx) {
      mpop(ctx, 2);
    },
    getKeys: numkeysAt(2),
  },
];
