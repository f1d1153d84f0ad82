// Expiry commands: EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT [NX|XX|GT|LT], TTL, PTTL, EXPIRETIME,
// PEXPIRETIME, PERSIST. Every accepted expiry propagates as PEXPIREAT (absolute), or DEL when the
// time is already past.
import type { CommandContext, CommandDef } from './table.js';
import { keyStr } from '../store/types.js';
import { cString, is, parseInt64 } from './args.js';
import { INVALID_EXPIRE, NOT_INTEGER } from './errors.js';
import { applyExpireAt } from './expire-time.js';
import { notifyKeyspaceEvent } from '../pubsub/notify.js';

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

interface Flags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
}

function parseFlags(argv: Buffer[]): Flags | string {
  const f: Flags = { nx: false, xx: false, gt: false, lt: false };
  for (let i = 3; i < argv.length; i++) {
    if (is(argv[i], 'nx')) f.nx = true;
    else if (is(argv[i], 'xx')) f.xx = true;
    else if (is(argv[i], 'gt')) f.gt = true;
    else if (is(argv[i], 'lt')) f.lt = true;
    else return `ERR Unsupported option ${cString(argv[i])}`;
  }
  if (f.nx && (f.xx || f.gt || f.lt)) return 'ERR NX and XX, GT or LT options at the same time are not compatible';
  if (f.gt && f.lt) return 'ERR GT and LT options at the same time are not compatible';
  return f;
}

function expireGeneric(seconds: boolean, relative: boolean) {
  return (ctx: CommandContext): void => {
    const { argv, reply, db, srv, cmd } = ctx;
    const flags = parseFlags(argv);
    if (typeof flags === 'string') return reply.error(flags);
    let when = parseInt64(argv[2]);
    if (when === null) return reply.error(NOT_INTEGER);
    if (seconds) {
      if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) return reply.error(INVALID_EXPIRE(cmd.fullName));
      when *= 1000n;
    }
    if (relative) {
      const now = BigInt(srv.now());
      if (when > LLONG_MAX - now) return reply.error(INVALID_EXPIRE(cmd.fullName));
      when += now;
    }
    const key = keyStr(argv[1]);
    if (!db.has(key)) return reply.int(0);
    const cur = db.getExpire(key);
    const at = Number(when);
    if (flags.nx && cur !== undefined) return reply.int(0);
    if (flags.xx && cur === undefined) return reply.int(0);
    // A key without TTL counts as an infinite TTL for GT/LT.
    if (flags.gt && (cur === undefined || at <= cur)) return reply.int(0);
    if (flags.lt && cur !== undefined && at >= cur) return reply.int(0);
    srv.dirty++;
    applyExpireAt(ctx, argv[1], at);
    reply.int(1);
  };
}

/** TTL family: -2 missing, -1 no TTL; relative values rounded like Redis ((ms + 500) / 1000). */
function ttlGeneric(ms: boolean, absolute: boolean) {
  return (ctx: CommandContext): void => {
    const key = keyStr(ctx.argv[1]);
    if (!ctx.db.has(key)) return ctx.reply.int(-2);
    const at = ctx.db.getExpire(key);
    if (at === undefined) return ctx.reply.int(-1);
    if (absolute) return ctx.reply.int(ms ? at : Math.floor(at / 1000));
    const left = Math.max(0, at - ctx.srv.now());
    ctx.reply.int(ms ? left : Math.floor((left + 500) / 1000));
  };
}

export const expireCommands: CommandDef[] = [
  { name: 'expire', handler: expireGeneric(true, true) },
  { name: 'pexpire', handler: expireGeneric(false, true) },
  { name: 'expireat', handler: expireGeneric(true, false) },
  { name: 'pexpireat', handler: expireGeneric(false, false) },
  { name: 'ttl', handler: ttlGeneric(false, false) },
  { name: 'pttl', handler: ttlGeneric(true, false) },
  { name: 'expiretime', handler: ttlGeneric(false, true) },
  { name: 'pexpiretime', handler: ttlGeneric(true, true) },
  {
    name: 'persist',
    handler(ctx) {
      const key = keyStr(ctx.argv[1]);
      if (!ctx.db.has(key) || !ctx.db.persist(key)) return ctx.reply.int(0);
      ctx.srv.dirty++;
      notifyKeyspaceEvent(ctx.srv, 'g', 'persist', ctx.argv[1], ctx.db.id);
      ctx.reply.int(1);
    },
  },
];
