// Hash commands.
import type { CommandDef, CommandContext } from './table.js';
import { HashValue } from '../store/hash.js';
import { unpack } from '../store/types.js';
import { lookup, lookupKey, written, parseScanArgs, scanMatch, replyScan } from './aggregate.js';
import { argCount, bytesAt, endAt, startAt, storedAt, type ArgSource, type CommandArgs } from '../protocol/command-args.js';
import { parseInt64 } from './args.js';
import { NOT_INTEGER, OVERFLOW } from './errors.js';
import { incrByFloat } from '../protocol/long-double.js';
import { parseRandomCount, randomPicks } from './random-picks.js';
import { notifyKeyArg, notifyKeyspaceEvent } from '../pubsub/notify.js';
import { sharedKeyStr } from '../store/compact.js';

const getHash = (ctx: CommandContext, key: Buffer, k?: string) => lookup(ctx, key, HashValue, k);

/** The hash at key, created when missing; undefined after WRONGTYPE. */
function hashForWrite(ctx: CommandContext, key: Buffer, k = sharedKeyStr(key)): HashValue | undefined {
  const h = getHash(ctx, key, k);
  if (h === undefined) return undefined;
  if (h) return h;
  const fresh = new HashValue();
  ctx.db.set(k, fresh);
  return fresh;
}

function hset(ctx: CommandContext, legacy: boolean, src: ArgSource = ctx.argv): void {
  const n = argCount(src);
  if (n % 2 !== 0) return ctx.reply.error(`ERR wrong number of arguments for '${ctx.cmd.name}' command`);
  const k = Array.isArray(src) ? sharedKeyStr(src[1]) : src.sharedKey(1);
  let h = lookupKey(ctx, k, HashValue);
  if (h === undefined) return;
  if (h === null) ctx.db.set(k, (h = new HashValue()));
  let added = 0;
  for (let i = 2; i < n; i += 2) if (h.setStoredRange(bytesAt(src, i), startAt(src, i), endAt(src, i), storedAt(src, i + 1))) added++;
  ctx.db.touch(k);
  notifyKeyArg(ctx.srv, 'h', 'hset', ctx, 1, ctx.db.id);
  ctx.srv.dirty += (n - 2) / 2;
  if (legacy) ctx.reply.ok();
  else ctx.reply.int(added);
}

function hsetLazy(ctx: CommandContext, args: CommandArgs, legacy: boolean): boolean {
  hset(ctx, legacy, args);
  return true;
}

function replyPairs(ctx: CommandContext, pairs: Iterable<[Buffer, Buffer]>, n: number): void {
  ctx.reply.map(n);
  for (const [f, v] of pairs) {
    ctx.reply.bulk(f);
    ctx.reply.bulk(v);
  }
}

function hincrby(ctx: CommandContext): void {
  const by = parseInt64(ctx.argv[3]);
  if (by === null) return ctx.reply.error(NOT_INTEGER);
  const h = hashForWrite(ctx, ctx.argv[1]);
  if (!h) return;
  const cur = h.get(ctx.argv[2]);
  let n = 0n;
  if (cur) {
    const parsed = parseInt64(cur);
    if (parsed === null) return ctx.reply.error('ERR hash value is not an integer');
    n = parsed;
  }
  const sum = n + by;
  if (sum > 9223372036854775807n || sum < -9223372036854775808n) return ctx.reply.error(OVERFLOW);
  h.set(ctx.argv[2], Buffer.from(sum.toString()));
  ctx.db.touch(sharedKeyStr(ctx.argv[1]));
  notifyKeyspaceEvent(ctx.srv, 'h', 'hincrby', ctx.argv[1], ctx.db.id);
  ctx.srv.dirty++;
  ctx.reply.int(sum);
}

function hincrbyfloat(ctx: CommandContext): void {
  const check = incrByFloat(null, ctx.argv[3].toString('latin1'));
  if ('error' in check) return ctx.reply.error(check.error === 'ERR value is not a valid float' ? check.error : 'ERR value is NaN or Infinity');
  const h = hashForWrite(ctx, ctx.argv[1]);
  if (!h) return;
  const cur = h.get(ctx.argv[2]);
  const r = incrByFloat(cur ? cur.toString('latin1') : null, ctx.argv[3].toString('latin1'));
  if ('error' in r) {
    if (h.size === 0) ctx.db.delete(sharedKeyStr(ctx.argv[1]));
    return ctx.reply.error(r.error === 'ERR value is not a valid float' ? 'ERR hash value is not a float' : r.error);
  }
  const v = Buffer.from(r.value);
  h.set(ctx.argv[2], v);
  ctx.db.touch(sharedKeyStr(ctx.argv[1]));
  notifyKeyspaceEvent(ctx.srv, 'h', 'hincrbyfloat', ctx.argv[1], ctx.db.id);
  ctx.srv.dirty++;
  // Propagate the result, not the increment, so replicas never re-round it.
  ctx.propagate = [[Buffer.from('HSET'), ctx.argv[1], ctx.argv[2], v]];
  ctx.reply.bulk(v);
}

function hrandfield(ctx: CommandContext): void {
  const argv = ctx.argv;
  const parsed = parseRandomCount(argv, 'withvalues');
  if (typeof parsed === 'string') return ctx.reply.error(parsed);
  const { count, withPairs: withValues } = parsed;
  const h = getHash(ctx, argv[1]);
  if (h === undefined) return;
  if (count === null) {
    if (!h) return ctx.reply.null();
    return ctx.reply.bulkLatin1(h.d.names[h.d.randomSlot()]);
  }
  if (!h || count === 0) return ctx.reply.array(0);
  const slots = randomPicks(h.size, count, () => h.d.randomSlot());
  ctx.reply.array(withValues && ctx.reply.resp === 2 ? slots.length * 2 : slots.length);
  for (const s of slots) {
    if (withValues && ctx.reply.resp === 3) ctx.reply.array(2);
    ctx.reply.bulkLatin1(h.d.names[s]);
    if (withValues) ctx.reply.bulkStored(h.d.vals[s]);
  }
}

function hscan(ctx: CommandContext): void {
  const args = parseScanArgs(ctx);
  if (!args) return;
  const h = getHash(ctx, ctx.argv[1]);
  if (h === undefined) return;
  if (!h) return replyScan(ctx, 0, []);
  const { names, vals } = h.d;
  // Listpack-sized hashes answer in one go, like Redis.
  const { next, slots } = h.listpack ? { next: 0, slots: names.map((_, i) => i) } : h.d.scan(args.cursor, args.count);
  const out: Buffer[] = [];
  for (const s of slots) {
    const f = h.d.keyAt(s);
    if (scanMatch(args.match, f)) out.push(f, unpack(vals[s]) as Buffer);
  }
  replyScan(ctx, next, out);
}

export const hashCommands: CommandDef[] = [
  { name: 'hset', handler: (ctx) => hset(ctx, false), lazy: (ctx, args) => hsetLazy(ctx, args, false) },
  { name: 'hmset', handler: (ctx) => hset(ctx, true), lazy: (ctx, args) => hsetLazy(ctx, args, true) },
  {
    name: 'hsetnx',
    handler(ctx) {
      const h = hashForWrite(ctx, ctx.argv[1]);
      if (!h) return;
      if (h.has(ctx.argv[2])) return ctx.reply.int(0);
      h.set(ctx.argv[2], ctx.argv[3]);
      ctx.db.touch(sharedKeyStr(ctx.argv[1]));
      notifyKeyspaceEvent(ctx.srv, 'h', 'hset', ctx.argv[1], ctx.db.id);
      ctx.srv.dirty++;
      ctx.reply.int(1);
    },
  },
  {
    name: 'hget',
    handler(ctx) {
      const h = getHash(ctx, ctx.argv[1]);
      if (h !== undefined) ctx.reply.bulkStored(h?.getPacked(ctx.argv[2]));
    },
  },
  {
    name: 'hmget',
    handler(ctx) {
      const h = getHash(ctx, ctx.argv[1]);
      if (h === undefined) return;
      ctx.reply.array(ctx.argv.length - 2);
      for (let i = 2; i < ctx.argv.length; i++) ctx.reply.bulkStored(h?.getPacked(ctx.argv[i]));
    },
  },
  {
    name: 'hdel',
    handler(ctx) {
      const h = getHash(ctx, ctx.argv[1]);
      if (h === undefined) return;
      let n = 0;
      if (h) {
        for (let i = 2; i < ctx.argv.length && h.size > 0; i++) if (h.delete(ctx.argv[i])) n++;
        if (n > 0) written(ctx, ctx.argv[1], h.size, ['h', 'hdel']);
      }
      ctx.srv.dirty += n;
      ctx.reply.int(n);
    },
  },
  {
    name: 'hlen',
    handler(ctx) {
      const h = getHash(ctx, ctx.argv[1]);
      if (h !== undefined) ctx.reply.int(h ? h.size : 0);
    },
  },
  {
    name: 'hstrlen',
    handler(ctx) {
      const h = getHash(ctx, ctx.argv[1]);
      if (h !== undefined) ctx.reply.int(h?.getPacked(ctx.argv[2])?.length ?? 0);
    },
  },
  {
    name: 'hexists',
    handler(ctx) {
      const h = getHash(ctx, ctx.argv[1]);
      if (h !== undefined) ctx.reply.int(h?.has(ctx.argv[2]) ? 1 : 0);
    },
  },
  {
    name: 'hkeys',
    handler(ctx) {
      const h = getHash(ctx, ctx.argv[1]);
      if (h !== undefined) ctx.reply.bulkArray(h ? h.d.keyBuffers() : []);
    },
  },
  {
    name: 'hvals',
    handler(ctx) {
      const h = getHash(ctx, ctx.argv[1]);
      if (h === undefined) return;
      ctx.reply.array(h ? h.size : 0);
      if (h) for (const v of h.d.vals) ctx.reply.bulkStored(v);
    },
  },
  {
    name: 'hgetall',
    handler(ctx) {
      const h = getHash(ctx, ctx.argv[1]);
      if (h !== undefined) replyPairs(ctx, h ? h.entries() : [], h ? h.size : 0);
    },
  },
  { name: 'hincrby', handler: hincrby },
  { name: 'hincrbyfloat', handler: hincrbyfloat },
  { name: 'hrandfield', handler: hrandfield },
  { name: 'hscan', handler: hscan },
];
