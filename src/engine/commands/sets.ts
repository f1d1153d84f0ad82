// Set commands, including the algebra (SINTER/SUNION/SDIFF and STORE forms) and SPOP propagated as
// SREM/DEL so replicas and the AOF remove the same members.
import type { CommandDef, CommandContext } from './table.js';
import { SetValue } from '../store/set.js';
import { keyBuf } from '../store/types.js';
import { lookup, lookupKey, popOneLazy, written, writtenArg, storeResult, parseScanArgs, scanMatch, replyScan, numkeysAt } from './aggregate.js';
import { argCount, bytesAt, endAt, startAt, type ArgSource } from '../protocol/command-args.js';
import { parseIntArg } from './args.js';
import { SYNTAX, WRONGTYPE } from './errors.js';
import { parseRandomCount, randomPicks } from './random-picks.js';
import { parseCardLimit } from './intercard.js';
import { notifyKeyArg, notifyKeyspaceEvent } from '../pubsub/notify.js';
import { sharedKeyStr } from '../store/compact.js';

const getSet = (ctx: CommandContext, key: Buffer, k?: string) => lookup(ctx, key, SetValue, k);
const SREM_BATCH = 1024;
const B_SREM = Buffer.from('SREM');
const B_DEL = Buffer.from('DEL');
const SPOP_EVENT = ['s', 'spop'] as const;

type Op = 'inter' | 'union' | 'diff';

/** The members of op over keys (missing keys are empty sets), or undefined after WRONGTYPE. */
function algebra(ctx: CommandContext, op: Op, keys: Buffer[]): Buffer[] | undefined {
  const sets: (SetValue | null)[] = [];
  for (const k of keys) {
    const v = ctx.db.get(sharedKeyStr(k));
    if (v !== undefined && !(v instanceof SetValue)) return void ctx.reply.error(WRONGTYPE);
    sets.push(v ?? null);
  }
  const present = sets.filter((s): s is SetValue => s !== null);
  if (op === 'inter') {
    if (present.length < sets.length) return [];
    present.sort((a, b) => a.size - b.size);
    const [first, ...rest] = present;
    return [...first.members()].filter((m) => rest.every((s) => s.has(m)));
  }
  if (op === 'union') {
    const out = new SetValue();
    for (const s of present) for (const m of s.members()) out.add(m);
    return [...out.members()];
  }
  if (!sets[0]) return [];
  const rest = sets.slice(1).filter((s): s is SetValue => s !== null);
  return [...sets[0].members()].filter((m) => !rest.some((s) => s.has(m)));
}

function algebraCommand(ctx: CommandContext, op: Op, store: boolean): void {
  const keys = ctx.argv.slice(store ? 2 : 1);
  const members = algebra(ctx, op, keys);
  if (!members) return;
  if (!store) {
    ctx.reply.set(members.length);
    for (const m of members) ctx.reply.bulk(m);
    return;
  }
  const dst = ctx.argv[1];
  const result = SetValue.from(members);
  const existed = ctx.db.has(sharedKeyStr(dst));
  storeResult(ctx, dst, result);
  if (result.size > 0 || existed) ctx.srv.dirty++;
  ctx.reply.int(result.size);
}

function sadd(ctx: CommandContext, src: ArgSource): void {
  const k = Array.isArray(src) ? sharedKeyStr(src[1]) : src.sharedKey(1);
  let s = lookupKey(ctx, k, SetValue);
  if (s === undefined) return;
  if (!s) {
    s = new SetValue();
    ctx.db.set(k, s);
  }
  let n = 0;
  // The set keeps members as its own strings: a view's member is read in place in the read buffer.
  const count = argCount(src);
  for (let i = 2; i < count; i++) if (s.addRange(bytesAt(src, i), startAt(src, i), endAt(src, i))) n++;
  if (n > 0) {
    ctx.db.touch(k);
    notifyKeyArg(ctx.srv, 's', 'sadd', ctx, 1, ctx.db.id);
  }
  ctx.srv.dirty += n;
  ctx.reply.int(n);
}

/**
 * Pops one random member, replied from the stored string; the member's Buffer is made only for a
 * sink that takes the SREM (replicas and the AOF must remove the same member).
 */
function spopOne(ctx: CommandContext, s: SetValue, k: string): void {
  const m = s.popRandomName();
  writtenArg(ctx, 1, s.size, SPOP_EVENT, k);
  ctx.srv.dirty++;
  ctx.propagate = ctx.srv.propagation.wanted ? [[B_SREM, ctx.argv[1], keyBuf(m)]] : [];
  ctx.reply.bulkLatin1(m);
}

function spop(ctx: CommandContext): void {
  const key = ctx.argv[1];
  if (ctx.argv.length > 3) return ctx.reply.error(SYNTAX);
  let count = -1;
  if (ctx.argv.length === 3) {
    const n = parseIntArg(ctx.argv[2]);
    if (n === null || n < 0) return ctx.reply.error('ERR value is out of range, must be positive');
    count = n;
  }
  // The key's string once for the lookup and the write-back.
  const k = sharedKeyStr(key);
  const s = getSet(ctx, key, k);
  if (s === undefined) return;
  if (!s) return count < 0 ? ctx.reply.null() : ctx.reply.set(0);
  if (count === 0) return ctx.reply.set(0);
  if (count >= s.size) {
    const all = [...s.members()];
    ctx.db.delete(k);
    ctx.srv.dirty++;
    notifyKeyspaceEvent(ctx.srv, 's', 'spop', key, ctx.db.id);
    notifyKeyspaceEvent(ctx.srv, 'g', 'del', key, ctx.db.id);
    ctx.propagate = [[B_DEL, key]];
    ctx.reply.set(all.length);
    for (const m of all) ctx.reply.bulk(m);
    return;
  }
  if (count < 0) return spopOne(ctx, s, k);
  const popped: Buffer[] = [];
  for (let i = 0; i < count; i++) popped.push(keyBuf(s.popRandomName()));
  written(ctx, key, s.size, SPOP_EVENT, k);
  ctx.srv.dirty += popped.length;
  ctx.propagate = [];
  for (let i = 0; i < popped.length; i += SREM_BATCH) ctx.propagate.push([B_SREM, key, ...popped.slice(i, i + SREM_BATCH)]);
  ctx.reply.set(popped.length);
  for (const m of popped) ctx.reply.bulk(m);
}

function srandmember(ctx: CommandContext): void {
  const parsed = parseRandomCount(ctx.argv, null);
  if (typeof parsed === 'string') return ctx.reply.error(parsed);
  const { count } = parsed;
  const s = getSet(ctx, ctx.argv[1]);
  if (s === undefined) return;
  if (count === null) return ctx.reply.bulk(s ? s.random() : null);
  if (!s || count === 0) return ctx.reply.array(0);
  const picks = randomPicks(s.size, count, () => s.d.randomSlot());
  ctx.reply.array(picks.length);
  for (const i of picks) ctx.reply.bulkLatin1(s.d.names[i]);
}

function smove(ctx: CommandContext): void {
  const [src, dst, m] = [ctx.argv[1], ctx.argv[2], ctx.argv[3]];
  const s = getSet(ctx, src);
  if (s === undefined) return;
  // A missing source answers 0 before the destination's type is looked at (Redis's order).
  if (!s) return ctx.reply.int(0);
  const d = getSet(ctx, dst);
  if (d === undefined) return;
  if (src.equals(dst)) return ctx.reply.int(s.has(m) ? 1 : 0);
  if (!s.delete(m)) return ctx.reply.int(0);
  written(ctx, src, s.size, ['s', 'srem']);
  // A destination that already holds the member is not modified: no WATCH dirtying, no sadd event.
  let added = true;
  if (d) {
    added = d.add(m);
    if (added) ctx.db.touch(sharedKeyStr(dst));
  } else {
    ctx.db.set(sharedKeyStr(dst), SetValue.from([m]));
  }
  if (added) notifyKeyspaceEvent(ctx.srv, 's', 'sadd', dst, ctx.db.id);
  ctx.srv.dirty++;
  ctx.reply.int(1);
}

function sscan(ctx: CommandContext): void {
  const args = parseScanArgs(ctx);
  if (!args) return;
  const s = getSet(ctx, ctx.argv[1]);
  if (s === undefined) return;
  if (!s) return replyScan(ctx, 0, []);
  const { next, slots } = s.intset ? { next: 0, slots: s.d.names.map((_, i) => i) } : s.d.scan(args.cursor, args.count);
  replyScan(ctx, next, slots.map((i) => s.d.keyAt(i)).filter((m) => scanMatch(args.match, m)));
}

function sintercard(ctx: CommandContext): void {
  const parsed = parseCardLimit(ctx);
  if (!parsed) return;
  const members = algebra(ctx, 'inter', parsed.keys);
  if (members) ctx.reply.int(parsed.limit > 0 ? Math.min(parsed.limit, members.length) : members.length);
}

export const setCommands: CommandDef[] = [
  {
    name: 'sadd',
    handler: (ctx) => sadd(ctx, ctx.argv),
    lazy(ctx, args) {
      sadd(ctx, args);
      return true;
    },
  },
  {
    name: 'srem',
    handler(ctx) {
      const s = getSet(ctx, ctx.argv[1]);
      if (s === undefined) return;
      let n = 0;
      if (s) {
        for (let i = 2; i < ctx.argv.length && s.size > 0; i++) if (s.delete(ctx.argv[i])) n++;
        if (n > 0) written(ctx, ctx.argv[1], s.size, ['s', 'srem']);
      }
      ctx.srv.dirty += n;
      ctx.reply.int(n);
    },
  },
  {
    name: 'scard',
    handler(ctx) {
      const s = getSet(ctx, ctx.argv[1]);
      if (s !== undefined) ctx.reply.int(s ? s.size : 0);
    },
  },
  {
    name: 'sismember',
    handler(ctx) {
      const s = getSet(ctx, ctx.argv[1]);
      if (s !== undefined) ctx.reply.int(s?.has(ctx.argv[2]) ? 1 : 0);
    },
  },
  {
    name: 'smismember',
    handler(ctx) {
      const s = getSet(ctx, ctx.argv[1]);
      if (s === undefined) return;
      ctx.reply.array(ctx.argv.length - 2);
      for (let i = 2; i < ctx.argv.length; i++) ctx.reply.int(s?.has(ctx.argv[i]) ? 1 : 0);
    },
  },
  {
    name: 'smembers',
    handler(ctx) {
      const s = getSet(ctx, ctx.argv[1]);
      if (s === undefined) return;
      ctx.reply.set(s ? s.size : 0);
      if (s) for (const m of s.d.names) ctx.reply.bulkLatin1(m);
    },
  },
  { name: 'srandmember', handler: srandmember },
  { name: 'spop', handler: spop, lazy: popOneLazy(SetValue, (ctx) => ctx.reply.null(), spopOne) },
  { name: 'smove', handler: smove },
  { name: 'sinter', handler: (ctx) => algebraCommand(ctx, 'inter', false) },
  { name: 'sunion', handler: (ctx) => algebraCommand(ctx, 'union', false) },
  { name: 'sdiff', handler: (ctx) => algebraCommand(ctx, 'diff', false) },
  { name: 'sinterstore', handler: (ctx) => algebraCommand(ctx, 'inter', true) },
  { name: 'sunionstore', handler: (ctx) => algebraCommand(ctx, 'union', true) },
  { name: 'sdiffstore', handler: (ctx) => algebraCommand(ctx, 'diff', true) },
  { name: 'sintercard', handler: sintercard, getKeys: numkeysAt(1) },
  { name: 'sscan', handler: sscan },
];
