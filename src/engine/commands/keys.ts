// Generic keyspace commands: DEL, UNLINK, EXISTS, TYPE, RENAME(NX), COPY, MOVE, KEYS, SCAN,
// RANDOMKEY, TOUCH, OBJECT. (Expiry commands are in expire.ts.)
import { idleSeconds, lfuFrequency } from '../eviction/idle-stamps.js';
import type { CommandContext, CommandDef } from './table.js';
import type { Db } from '../store/db.js';
import { keyBuf, keyStr, typeOf, type RedisValue } from '../store/types.js';
import { stringEncoding } from '../store/string-encoding.js';
import { scanStep } from '../store/scan.js';
import { globMatch } from '../util/glob.js';
import { is, parseInt32, parseInt64 } from './args.js';
import { NO_SUCH_KEY, NOT_INTEGER, SYNTAX } from './errors.js';
import { notifyKeyspaceEvent } from '../pubsub/notify.js';

const SAME_OBJECT = 'ERR source and destination objects are the same';
const DB_RANGE = 'ERR DB index is out of range';

function del(ctx: CommandContext): void {
  let n = 0;
  for (let i = 1; i < ctx.argv.length; i++) {
    if (!ctx.db.delete(keyStr(ctx.argv[i]))) continue;
    n++;
    notifyKeyspaceEvent(ctx.srv, 'g', 'del', ctx.argv[i], ctx.db.id);
  }
  ctx.srv.dirty += n;
  ctx.reply.int(n);
}

function countExisting(ctx: CommandContext): void {
  let n = 0;
  for (let i = 1; i < ctx.argv.length; i++) if (ctx.db.has(keyStr(ctx.argv[i]))) n++;
  ctx.reply.int(n);
}

/** Moves value and TTL from one (db, key) to another; the target must be free or replaced. */
function transfer(from: Db, fromKey: string, to: Db, toKey: string, value: RedisValue): void {
  const ttl = from.getExpire(fromKey);
  from.delete(fromKey);
  to.delete(toKey);
  to.set(toKey, value);
  if (ttl !== undefined) to.setExpire(toKey, ttl);
}

function rename(ctx: CommandContext, nx: boolean): void {
  const { argv, db, reply, srv } = ctx;
  const src = keyStr(argv[1]);
  const dst = keyStr(argv[2]);
  const v = db.get(src);
  if (v === undefined) return reply.error(NO_SUCH_KEY);
  if (src === dst) return nx ? reply.int(0) : reply.ok();
  if (nx && db.has(dst)) return reply.int(0);
  transfer(db, src, db, dst, v);
  notifyKeyspaceEvent(srv, 'g', 'rename_from', argv[1], db.id);
  notifyKeyspaceEvent(srv, 'g', 'rename_to', argv[2], db.id);
  srv.signalKeyAsReady(db, dst);
  srv.dirty++;
  if (nx) reply.int(1);
  else reply.ok();
}

/** A db index argument: the Db, or the error reply text. */
function dbArg(ctx: CommandContext, arg: Buffer): Db | string {
  const n = parseInt32(arg);
  if (typeof n === 'string') return n;
  if (n < 0 || n >= ctx.srv.dbs.length) return DB_RANGE;
  return ctx.srv.dbs[n];
}

function copy(ctx: CommandContext): void {
  const { argv, db, reply, srv } = ctx;
  let dstDb = db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    if (is(argv[i], 'replace')) replace = true;
    else if (is(argv[i], 'db') && i + 1 < argv.length) {
      const d = dbArg(ctx, argv[++i]);
      if (typeof d === 'string') return reply.error(d);
      dstDb = d;
    } else return reply.error(SYNTAX);
  }
  if (srv.config.bool('cluster-enabled') && dstDb !== db) return reply.error('ERR Copying to another database is not allowed in cluster mode');
  const src = keyStr(argv[1]);
  const dst = keyStr(argv[2]);
  if (dstDb === db && src === dst) return reply.error(SAME_OBJECT);
  const v = db.get(src);
  if (v === undefined) return reply.int(0);
  if (dstDb.has(dst)) {
    if (!replace) return reply.int(0);
    dstDb.delete(dst);
  }
  dstDb.set(dst, Buffer.isBuffer(v) ? v : v.clone());
  const ttl = db.getExpire(src);
  if (ttl !== undefined) dstDb.setExpire(dst, ttl);
  notifyKeyspaceEvent(srv, 'g', 'copy_to', argv[2], dstDb.id);
  srv.signalKeyAsReady(dstDb, dst);
  srv.dirty++;
  reply.int(1);
}

function move(ctx: CommandContext): void {
  const { argv, db, reply, srv } = ctx;
  if (srv.config.bool('cluster-enabled')) return reply.error('ERR MOVE is not allowed in cluster mode');
  const n = parseInt32(argv[2]);
  if (typeof n === 'string') return reply.error(n);
  if (n < 0 || n >= srv.dbs.length) return reply.error(DB_RANGE);
  const to = srv.dbs[n];
  if (to === db) return reply.error(SAME_OBJECT);
  const key = keyStr(argv[1]);
  const v = db.get(key);
  if (v === undefined || to.has(key)) return reply.int(0);
  transfer(db, key, to, key, v);
  notifyKeyspaceEvent(srv, 'g', 'move_from', argv[1], db.id);
  notifyKeyspaceEvent(srv, 'g', 'move_to', argv[1], to.id);
  srv.signalKeyAsReady(to, key);
  srv.dirty++;
  reply.int(1);
}

/** Key filter shared by KEYS and SCAN: live (not expired) and matching the glob, if any. */
function keyFilter(db: Db, pattern: Buffer | null, type: string | null): (key: string) => boolean {
  const all = pattern === null || (pattern.length === 1 && pattern[0] === 42);
  return (key) => {
    if (!all && !globMatch(pattern as Buffer, keyBuf(key))) return false;
    const v = db.get(key);
    if (v === undefined) return false;
    return type === null || typeOf(v) === type;
  };
}

function keys(ctx: CommandContext): void {
  const { db, reply, argv } = ctx;
  const accept = keyFilter(db, argv[1], null);
  const out: string[] = [];
  for (const k of [...db.data.keys()]) if (accept(k)) out.push(k);
  reply.array(out.length);
  for (const k of out) reply.bulk(keyBuf(k));
}

export interface ScanArgs {
  cursor: number;
  match: Buffer | null;
  count: number;
  type: string | null;
}

/** Parses `cursor [MATCH p] [COUNT n] [TYPE t]` from argv[at]; the error text on failure. */
export function parseScanArgs(argv: Buffer[], at: number, allowType: boolean): ScanArgs | string {
  const c = argv[at].latin1Slice(0, argv[at].length);
  // strtoul semantics as Redis checks them: optional sign, digits within 64 bits, no leading space;
  // "" reads as 0; "-1" is accepted (a cursor past the end: the scan is over, -1 here).
  const m = c === '' ? ['', '', '0'] : /^([+-]?)(\d{1,20})$/.exec(c);
  if (!m || BigInt(m[2]) > 18446744073709551615n) return 'ERR invalid cursor';
  const out: ScanArgs = { cursor: m[1] === '-' && BigInt(m[2]) !== 0n ? -1 : Number(m[2]), match: null, count: 10, type: null };
  for (let i = at + 1; i < argv.length; i++) {
    const more = i + 1 < argv.length;
    if (is(argv[i], 'count') && more) {
      const n = parseInt64(argv[++i]);
      if (n === null) return NOT_INTEGER;
      if (n < 1n) return SYNTAX;
      out.count = n > 1000000n ? 1000000 : Number(n);
    } else if (is(argv[i], 'match') && more) {
      out.match = argv[++i];
    } else if (allowType && is(argv[i], 'type') && more) {
      out.type = argv[++i].toString().toLowerCase();
    } else return SYNTAX;
  }
  return out;
}

function scan(ctx: CommandContext): void {
  const { db, reply, argv } = ctx;
  const a = parseScanArgs(argv, 1, true);
  if (typeof a === 'string') return reply.error(a);
  const step = a.cursor < 0 ? { cursor: 0, keys: [] } : scanStep(db, a.cursor, a.count, keyFilter(db, a.match, a.type));
  reply.array(2);
  reply.bulk(String(step.cursor));
  reply.array(step.keys.length);
  for (const k of step.keys) reply.bulk(keyBuf(k));
}

function randomKey(ctx: CommandContext): void {
  const { db, reply } = ctx;
  // Random keys until a live one; expired keys are removed on the way (Redis retries likewise).
  for (let tries = 0; tries < 100 && db.data.size > 0; tries++) {
    const k = db.data.randomKey() as string;
    if (db.has(k)) return reply.bulk(keyBuf(k));
  }
  reply.null();
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

/** OBJECT <sub> key: the value, or null after replying null for a missing key. */
function objectTarget(ctx: CommandContext): RedisValue | null {
  const v = ctx.db.get(keyStr(ctx.argv[2]));
  if (v === undefined) {
    ctx.reply.null();
    return null;
  }
  return v;
}

const isLfu = (ctx: CommandContext) => ctx.srv.config.get('maxmemory-policy').endsWith('lfu');

export const keyCommands: CommandDef[] = [
  { name: 'del', handler: del },
  { name: 'unlink', handler: del },
  { name: 'exists', handler: countExisting },
  { name: 'touch', handler: countExisting },
  {
    name: 'type',
    handler(ctx) {
      const v = ctx.db.get(keyStr(ctx.argv[1]));
      ctx.reply.simple(v === undefined ? 'none' : typeOf(v));
    },
  },
  { name: 'rename', handler: (ctx) => rename(ctx, false) },
  { name: 'renamenx', handler: (ctx) => rename(ctx, true) },
  { name: 'copy', handler: copy },
  { name: 'move', handler: move },
  { name: 'keys', handler: keys },
  { name: 'scan', handler: scan },
  { name: 'randomkey', handler: randomKey },
  {
    name: 'object|encoding',
    handler(ctx) {
      const v = objectTarget(ctx);
      if (v !== null) ctx.reply.bulk(Buffer.isBuffer(v) ? stringEncoding(v) : v.encoding());
    },
  },
  {
    name: 'object|refcount',
    handler(ctx) {
      const v = objectTarget(ctx);
      // Redis shares small integers (refcount INT_MAX); everything else has one reference.
      if (v !== null) ctx.reply.int(Buffer.isBuffer(v) && isSharedInt(v) ? 2147483647 : 1);
    },
  },
  {
    name: 'object|idletime',
    handler(ctx) {
      const v = objectTarget(ctx);
      if (v === null) return;
      if (isLfu(ctx)) return ctx.reply.error('ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
      // No access clock per key: only RESTORE IDLETIME stamps one (eviction/idle-stamps.ts).
      ctx.reply.int(idleSeconds(ctx.srv, ctx.db, keyStr(ctx.argv[2])));
    },
  },
  {
    name: 'object|freq',
    handler(ctx) {
      const v = objectTarget(ctx);
      if (v === null) return;
      if (!isLfu(ctx)) return ctx.reply.error('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
      ctx.reply.int(lfuFrequency(ctx.srv, ctx.db, keyStr(ctx.argv[2])));
    },
  },
  {
    name: 'object|help',
    handler(ctx) {
      ctx.reply.array(OBJECT_HELP.length);
      for (const l of OBJECT_HELP) ctx.reply.simple(l);
    },
  },
];

/** Values Redis serves from its shared integer pool (0..9999, when maxmemory is off). */
export function isSharedInt(v: Buffer): boolean {
  if (v.length === 0 || v.length > 4 || stringEncoding(v) !== 'int') return false;
  return v[0] !== 45;
}
