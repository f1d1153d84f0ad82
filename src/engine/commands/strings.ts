// String commands. The value of a string key is a Buffer. Relative expiries propagate as absolute
// ones (SET ... PXAT, PEXPIREAT) so replicas and the AOF never depend on when they apply them.
import type { CommandDef, CommandContext } from './table.js';
import { keyStr, unpack } from '../store/types.js';
import { markRaw } from '../store/string-encoding.js';
import { storedCopy, storedInteger } from '../store/compact.js';
import { incrByFloat } from '../protocol/long-double.js';
import { is, parseInt64 } from './args.js';
import { NOT_INTEGER, OVERFLOW, SYNTAX, WRONGTYPE } from './errors.js';
import { applyExpireAt, expireAt, msArg, type ExpireUnit } from './expire-time.js';
import { notifyKeyArg, notifyKeyspaceEvent } from '../pubsub/notify.js';
import type { CommandArgs } from '../protocol/command-args.js';

const B_SET = Buffer.from('SET');
const B_PXAT = Buffer.from('PXAT');
const B_KEEPTTL = Buffer.from('KEEPTTL');
const B_DEL = Buffer.from('DEL');
const B_PERSIST = Buffer.from('PERSIST');

export const TOO_BIG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';

/** Strings may grow up to proto-max-bulk-len (Redis's checkStringLength). */
export function maxString(ctx: CommandContext): number {
  return ctx.srv.config.int('proto-max-bulk-len');
}

/** The string at argv[i]'s key: Buffer, null when missing, or undefined after replying WRONGTYPE. */
export function getString(ctx: CommandContext, keyArg: Buffer): Buffer | null | undefined {
  const v = ctx.db.get(keyStr(keyArg));
  if (v === undefined) return null;
  if (!Buffer.isBuffer(v)) {
    ctx.reply.error(WRONGTYPE);
    return undefined;
  }
  return v;
}

/**
 * The GET family's lookup, with keyspace hit/miss accounting (a key of the wrong type is a hit, as in
 * Redis): the value as stored (a packed string or a Buffer), null when missing, undefined after
 * replying WRONGTYPE.
 */
function lookupCounted(ctx: CommandContext, key: string): string | Buffer | null | undefined {
  const v = ctx.db.getStored(key);
  // Counted here for the write commands of the family (GETDEL, GETEX); reads count in Db itself.
  if (v === undefined) {
    if (!ctx.db.countLookups) ctx.db.misses++;
    return null;
  }
  if (!ctx.db.countLookups) ctx.db.hits++;
  if (typeof v !== 'string' && !Buffer.isBuffer(v)) {
    ctx.reply.error(WRONGTYPE);
    return undefined;
  }
  return v;
}

/** lookupCounted() with the value as a Buffer. */
function getCounted(ctx: CommandContext, keyArg: Buffer): Buffer | null | undefined {
  const v = lookupCounted(ctx, keyStr(keyArg));
  return typeof v === 'string' ? (unpack(v) as Buffer) : v;
}

interface SetOptions {
  nx: boolean;
  xx: boolean;
  get: boolean;
  keepTtl: boolean;
  persist: boolean;
  unit: ExpireUnit | null;
  expireArg: Buffer | null;
}

/** Parses SET / GETEX flags like Redis's parseExtendedStringArgumentsOrReply; null on syntax error. */
function parseOptions(argv: Buffer[], start: number, forSet: boolean): SetOptions | null {
  const o: SetOptions = { nx: false, xx: false, get: false, keepTtl: false, persist: false, unit: null, expireArg: null };
  for (let i = start; i < argv.length; i++) {
    const a = argv[i];
    const hasNext = i + 1 < argv.length;
    // Redis refuses a flag only next to a conflicting one: KEEPTTL KEEPTTL and PERSIST PERSIST are fine.
    if (forSet && is(a, 'nx') && !o.xx) o.nx = true;
    else if (forSet && is(a, 'xx') && !o.nx) o.xx = true;
    else if (forSet && is(a, 'get')) o.get = true;
    else if (forSet && is(a, 'keepttl') && o.unit === null && !o.persist) o.keepTtl = true;
    else if (!forSet && is(a, 'persist') && o.unit === null && !o.keepTtl) o.persist = true;
    else {
      const unit = is(a, 'ex') ? 'ex' : is(a, 'px') ? 'px' : is(a, 'exat') ? 'exat' : is(a, 'pxat') ? 'pxat' : null;
      // A repeated identical unit is accepted (the later value wins), a different one is not.
      if (unit === null || !hasNext || o.keepTtl || o.persist || (o.unit !== null && o.unit !== unit)) return null;
      o.unit = unit;
      o.expireArg = argv[++i];
    }
  }
  return o;
}

function setCommand(ctx: CommandContext): void {
  const { argv, reply, db, srv } = ctx;
  const o = parseOptions(argv, 3, true);
  if (o === null) return reply.error(SYNTAX);
  let at = 0;
  if (o.unit !== null) {
    const r = expireAt(o.expireArg as Buffer, o.unit, srv.now(), 'set');
    if (typeof r === 'string') return reply.error(r);
    at = r;
  }
  const key = keyStr(argv[1]);
  let old: Buffer | null | undefined = null;
  if (o.get) {
    old = getString(ctx, argv[1]);
    if (old === undefined) return;
  }
  const exists = o.get ? old !== null : o.nx || o.xx ? db.has(key) : false;
  if ((o.nx && exists) || (o.xx && !exists)) {
    if (o.get) reply.bulk(old);
    else reply.null();
    return;
  }
  db.set(key, storedCopy(argv[2]), o.keepTtl);
  notifyKeyspaceEvent(srv, '$', 'set', argv[1], db.id);
  if (o.unit !== null) {
    db.setExpire(key, at);
    notifyKeyspaceEvent(srv, 'g', 'expire', argv[1], db.id);
  }
  srv.dirty++;
  if (o.unit !== null && o.unit !== 'pxat') ctx.propagate = [[B_SET, argv[1], argv[2], B_PXAT, msArg(at)]];
  if (o.get) reply.bulk(old);
  else reply.ok();
}

function getexCommand(ctx: CommandContext): void {
  const { argv, reply, db, srv } = ctx;
  const o = parseOptions(argv, 2, false);
  if (o === null) return reply.error(SYNTAX);
  const v = getCounted(ctx, argv[1]);
  if (v === undefined) return;
  if (v === null) return reply.null();
  const key = keyStr(argv[1]);
  if (o.unit !== null) {
    const at = expireAt(o.expireArg as Buffer, o.unit, srv.now(), 'getex');
    if (typeof at === 'string') return reply.error(at);
    reply.bulk(v);
    applyExpireAt(ctx, argv[1], at);
    srv.dirty++;
    return;
  }
  reply.bulk(v);
  if (o.persist && db.persist(key)) {
    ctx.propagate = [[B_PERSIST, argv[1]]];
    srv.dirty++;
    notifyKeyspaceEvent(srv, 'g', 'persist', argv[1], db.id);
  }
}

/** SETEX / PSETEX: SET with a mandatory relative expiry, propagated as SET ... PXAT. */
function setWithExpire(unit: 'ex' | 'px', name: string) {
  return (ctx: CommandContext): void => {
    const { argv, reply, db, srv } = ctx;
    const at = expireAt(argv[2], unit, srv.now(), name);
    if (typeof at === 'string') return reply.error(at);
    const key = keyStr(argv[1]);
    db.set(key, storedCopy(argv[3]));
    db.setExpire(key, at);
    srv.dirty++;
    notifyKeyspaceEvent(srv, '$', 'set', argv[1], db.id);
    notifyKeyspaceEvent(srv, 'g', 'expire', argv[1], db.id);
    ctx.propagate = [[B_SET, argv[1], argv[3], B_PXAT, msArg(at)]];
    reply.ok();
  };
}

/** Small canonical integers (up to 15 digits) parsed without BigInt; null = use the slow path. */
function smallInt(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 15) return null;
  const neg = s.charCodeAt(0) === 45;
  let i = neg ? 1 : 0;
  if (i === n || (s.charCodeAt(i) === 48 && n > i + 1) || (neg && s.charCodeAt(1) === 48)) return null;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

const SMALL_BY = 1000000000000000n;
const SMALL_BY_N = 1e15;

/** INCR family: the value must be a canonical 64-bit integer; the TTL is kept. `bySmall` is the
 * increment as a number when |by| < 10^15 (null otherwise, then `by` holds it), so the common case
 * makes no BigInt at all. */
function incrBy(ctx: CommandContext, key: string, bySmall: number | null, by: bigint | null = null): void {
  const { reply, db, srv } = ctx;
  const v = db.getStored(key);
  if (v !== undefined && typeof v !== 'string' && !Buffer.isBuffer(v)) return reply.error(WRONGTYPE);
  // Fast path: both sides well inside the safe-integer range (the common counter case).
  // Short counters are packed strings; a Buffer here is a raw (APPEND/SETRANGE) or long value.
  const small = v === undefined ? 0 : typeof v === 'string' ? smallInt(v) : v.length <= 15 ? smallInt(v.latin1Slice(0, v.length)) : null;
  if (small !== null && bySmall !== null) {
    const r = small + bySmall;
    db.set(key, storedInteger(r), true);
    srv.dirty++;
    notifyKeyArg(srv, '$', 'incrby', ctx, 1, db.id);
    return reply.int(r);
  }
  let n = 0n;
  if (v !== undefined) {
    const parsed = parseInt64(unpack(v) as Buffer);
    if (parsed === null) return reply.error(NOT_INTEGER);
    n = parsed;
  }
  const r = n + (by ?? BigInt(bySmall as number));
  if (r > 9223372036854775807n || r < -9223372036854775808n) return reply.error(OVERFLOW);
  db.set(key, r.toString(), true);
  srv.dirty++;
  notifyKeyArg(srv, '$', 'incrby', ctx, 1, db.id);
  reply.int(r);
}

function incrArg(ctx: CommandContext, negate: boolean): void {
  const by = parseInt64(ctx.argv[2]);
  if (by === null) return ctx.reply.error(NOT_INTEGER);
  if (negate && by === -9223372036854775808n) return ctx.reply.error('ERR decrement would overflow');
  const d = negate ? -by : by;
  incrBy(ctx, keyStr(ctx.argv[1]), d < SMALL_BY && d > -SMALL_BY ? Number(d) : null, d);
}

/** INCR/DECR on the view. */
function incrLazy(ctx: CommandContext, args: CommandArgs, by: 1 | -1): boolean {
  incrBy(ctx, args.keyIn(1, ctx.db.data), by);
  return true;
}

/** INCRBY/DECRBY on the view: an increment within +-10^15 written canonically; else the regular path. */
function incrArgLazy(ctx: CommandContext, args: CommandArgs, negate: boolean): boolean {
  const by = args.safeInt(2);
  if (by === null || by >= SMALL_BY_N || by <= -SMALL_BY_N) return false;
  incrBy(ctx, args.keyIn(1, ctx.db.data), negate ? -by : by);
  return true;
}

/** MSET on the view: each value's one copy goes straight into the keyspace. */
function msetLazy(ctx: CommandContext, args: CommandArgs): boolean {
  const n = args.count;
  if (n % 2 === 0) return false;
  const { db, srv } = ctx;
  for (let i = 1; i < n; i += 2) {
    db.set(args.keyIn(i, db.data), args.stored(i + 1));
    notifyKeyArg(srv, '$', 'set', ctx, i, db.id);
  }
  srv.dirty += (n - 1) / 2;
  ctx.reply.ok();
  return true;
}

/** The GET reply for a key: packed values (store/types.ts) go out as they are stored, without a Buffer. */
function getReply(ctx: CommandContext, key: string): void {
  const v = lookupCounted(ctx, key);
  if (typeof v === 'string') ctx.reply.bulkLatin1(v);
  else if (v !== undefined) ctx.reply.bulk(v);
}

function mset(ctx: CommandContext, nx: boolean): void {
  const { argv, reply, db, srv } = ctx;
  if (argv.length % 2 === 0) return reply.error(`ERR wrong number of arguments for '${ctx.cmd.fullName}' command`);
  if (nx) {
    for (let i = 1; i < argv.length; i += 2) {
      if (db.has(keyStr(argv[i]))) return reply.int(0);
    }
  }
  for (let i = 1; i < argv.length; i += 2) {
    db.set(keyStr(argv[i]), storedCopy(argv[i + 1]));
    notifyKeyspaceEvent(srv, '$', 'set', argv[i], db.id);
  }
  srv.dirty += (argv.length - 1) / 2;
  if (nx) reply.int(1);
  else reply.ok();
}

/** Redis's GETRANGE index clamping over a string of length n; null = empty result. */
function clampRange(start: number, end: number, n: number): [number, number] | null {
  if (start < 0 && end < 0 && start > end) return null;
  if (start < 0) start = n + start;
  if (end < 0) end = n + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= n) end = n - 1;
  if (n === 0 || start > end) return null;
  return [start, end];
}

function toSafe(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : v < BigInt(Number.MIN_SAFE_INTEGER) ? Number.MIN_SAFE_INTEGER : Number(v);
}

export const stringCommands: CommandDef[] = [
  {
    name: 'get',
    handler(ctx) {
      getReply(ctx, keyStr(ctx.argv[1]));
    },
    lazy(ctx, args) {
      getReply(ctx, args.keyIn(1, ctx.db.data));
      return true;
    },
  },
  {
    name: 'set',
    handler: setCommand,
    // The plain form only: options go the regular way.
    lazy(ctx, args) {
      if (args.count !== 3) return false;
      ctx.db.set(args.keyIn(1, ctx.db.data), args.stored(2), false);
      notifyKeyArg(ctx.srv, '$', 'set', ctx, 1, ctx.db.id);
      ctx.srv.dirty++;
      ctx.reply.ok();
      return true;
    },
  },
  { name: 'getex', handler: getexCommand },
  {
    name: 'getdel',
    handler(ctx) {
      const v = getCounted(ctx, ctx.argv[1]);
      if (v === undefined) return;
      if (v !== null) {
        ctx.db.delete(keyStr(ctx.argv[1]));
        ctx.srv.dirty++;
        notifyKeyspaceEvent(ctx.srv, 'g', 'del', ctx.argv[1], ctx.db.id);
        ctx.propagate = [[B_DEL, ctx.argv[1]]];
      }
      ctx.reply.bulk(v);
    },
  },
  {
    name: 'getset',
    handler(ctx) {
      const v = getString(ctx, ctx.argv[1]);
      if (v === undefined) return;
      ctx.db.set(keyStr(ctx.argv[1]), storedCopy(ctx.argv[2]));
      ctx.srv.dirty++;
      notifyKeyspaceEvent(ctx.srv, '$', 'set', ctx.argv[1], ctx.db.id);
      ctx.propagate = [[B_SET, ctx.argv[1], ctx.argv[2]]];
      ctx.reply.bulk(v);
    },
  },
  {
    name: 'mget',
    handler(ctx) {
      const { argv, reply, db } = ctx;
      reply.array(argv.length - 1);
      for (let i = 1; i < argv.length; i++) {
        const v = db.getStored(keyStr(argv[i])); // counts a hit or miss (a read command)
        if (typeof v === 'string') reply.bulkLatin1(v);
        else reply.bulk(v !== undefined && Buffer.isBuffer(v) ? v : null);
      }
    },
  },
  { name: 'mset', handler: (ctx) => mset(ctx, false), lazy: msetLazy },
  { name: 'msetnx', handler: (ctx) => mset(ctx, true) },
  {
    name: 'setnx',
    handler(ctx) {
      const key = keyStr(ctx.argv[1]);
      if (ctx.db.has(key)) return ctx.reply.int(0);
      ctx.db.set(key, storedCopy(ctx.argv[2]));
      ctx.srv.dirty++;
      notifyKeyspaceEvent(ctx.srv, '$', 'set', ctx.argv[1], ctx.db.id);
      ctx.reply.int(1);
    },
    lazy(ctx, args) {
      const key = args.key(1);
      if (ctx.db.has(key)) ctx.reply.int(0);
      else {
        ctx.db.set(key, args.stored(2));
        ctx.srv.dirty++;
        notifyKeyArg(ctx.srv, '$', 'set', ctx, 1, ctx.db.id);
        ctx.reply.int(1);
      }
      return true;
    },
  },
  { name: 'setex', handler: setWithExpire('ex', 'setex') },
  { name: 'psetex', handler: setWithExpire('px', 'psetex') },
  { name: 'incr', handler: (ctx) => incrBy(ctx, keyStr(ctx.argv[1]), 1), lazy: (ctx, args) => incrLazy(ctx, args, 1) },
  { name: 'decr', handler: (ctx) => incrBy(ctx, keyStr(ctx.argv[1]), -1), lazy: (ctx, args) => incrLazy(ctx, args, -1) },
  { name: 'incrby', handler: (ctx) => incrArg(ctx, false), lazy: (ctx, args) => incrArgLazy(ctx, args, false) },
  { name: 'decrby', handler: (ctx) => incrArg(ctx, true), lazy: (ctx, args) => incrArgLazy(ctx, args, true) },
  {
    name: 'incrbyfloat',
    handler(ctx) {
      const { argv, reply, db, srv } = ctx;
      const cur = getString(ctx, argv[1]);
      if (cur === undefined) return;
      const r = incrByFloat(cur === null ? null : cur.latin1Slice(0, cur.length), argv[2].latin1Slice(0, argv[2].length));
      if ('error' in r) return reply.error(r.error);
      const out = Buffer.from(r.value);
      db.set(keyStr(argv[1]), out, true);
      srv.dirty++;
      notifyKeyspaceEvent(srv, '$', 'incrbyfloat', argv[1], db.id);
      // The float is computed once here; replicas and the AOF get the result, keeping the TTL.
      ctx.propagate = [[B_SET, argv[1], out, B_KEEPTTL]];
      reply.bulk(out);
    },
  },
  {
    name: 'append',
    handler(ctx) {
      const { argv, reply, db, srv } = ctx;
      const cur = getString(ctx, argv[1]);
      if (cur === undefined) return;
      const key = keyStr(argv[1]);
      if (cur === null) {
        db.set(key, storedCopy(argv[2]));
        srv.dirty++;
        notifyKeyspaceEvent(srv, '$', 'append', argv[1], db.id);
        return reply.int(argv[2].length);
      }
      if (cur.length + argv[2].length > maxString(ctx)) return reply.error(TOO_BIG);
      const out = markRaw(Buffer.concat([cur, argv[2]]));
      db.set(key, out, true);
      srv.dirty++;
      notifyKeyspaceEvent(srv, '$', 'append', argv[1], db.id);
      reply.int(out.length);
    },
  },
  {
    name: 'strlen',
    handler(ctx) {
      const v = getString(ctx, ctx.argv[1]);
      if (v !== undefined) ctx.reply.int(v === null ? 0 : v.length);
    },
  },
  {
    name: 'getrange',
    handler(ctx) {
      const { argv, reply } = ctx;
      const s = parseInt64(argv[2]);
      const e = parseInt64(argv[3]);
      if (s === null || e === null) return reply.error(NOT_INTEGER);
      const v = getString(ctx, argv[1]);
      if (v === undefined) return;
      const r = v === null ? null : clampRange(toSafe(s), toSafe(e), v.length);
      reply.bulk(r === null || v === null ? Buffer.alloc(0) : v.subarray(r[0], r[1] + 1));
    },
  },
  {
    name: 'setrange',
    handler(ctx) {
      const { argv, reply, db, srv } = ctx;
      const off = parseInt64(argv[2]);
      if (off === null) return reply.error(NOT_INTEGER);
      if (off < 0n) return reply.error('ERR offset is out of range');
      const cur = getString(ctx, argv[1]);
      if (cur === undefined) return;
      const val = argv[3];
      if (val.length === 0) return reply.int(cur === null ? 0 : cur.length);
      if (off + BigInt(val.length) > BigInt(maxString(ctx))) return reply.error(TOO_BIG);
      const o = Number(off);
      const len = Math.max(cur === null ? 0 : cur.length, o + val.length);
      const out = Buffer.alloc(len);
      if (cur !== null) cur.copy(out);
      val.copy(out, o);
      db.set(keyStr(argv[1]), markRaw(out), true);
      srv.dirty++;
      notifyKeyspaceEvent(srv, '$', 'setrange', argv[1], db.id);
      reply.int(len);
    },
  },
];
