// Shared plumbing for the aggregate families (lists, hashes, sets, sorted sets): typed lookups that
// answer WRONGTYPE, writing back (empty aggregates are deleted), and the *SCAN argument parser.
import type { CommandContext, LazyHandler } from './table.js';
import type { RedisObject } from '../store/types.js';
import { WRONGTYPE, SYNTAX, NOT_INTEGER } from './errors.js';
import { is, parseIntArg } from './args.js';
import { globMatch } from '../util/glob.js';
import { notifyKeyArg, notifyKeyspaceEvent, type NotifyClass } from '../pubsub/notify.js';
import { sharedKeyStr } from '../store/compact.js';

type Ctor<T> = abstract new (...args: never[]) => T;

/** The value at key if it is a T; null when missing; undefined after replying WRONGTYPE. `k`: the
 * key's keyStr when the caller has it (hot paths compute it once per command, not per helper). */
export function lookup<T extends RedisObject>(ctx: CommandContext, key: Buffer, cls: Ctor<T>, k = sharedKeyStr(key)): T | null | undefined {
  return lookupKey(ctx, k, cls);
}

/** lookup() by the key's string. */
export function lookupKey<T extends RedisObject>(ctx: CommandContext, k: string, cls: Ctor<T>): T | null | undefined {
  const v = ctx.db.get(k);
  if (v === undefined) return null;
  if (!(v instanceof cls)) {
    ctx.reply.error(WRONGTYPE);
    return undefined;
  }
  return v;
}

/** Like lookup but for several keys checked up front (SINTER...): undefined after WRONGTYPE. */
export function lookupAll<T extends RedisObject>(ctx: CommandContext, keys: Buffer[], cls: Ctor<T>): (T | null)[] | undefined {
  const out: (T | null)[] = [];
  for (const k of keys) {
    const v = lookup(ctx, k, cls);
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

/**
 * After an in-place change: deletes the key when emptied, otherwise signals watchers. With `event`,
 * notifies it (e.g. ['l', 'lpop']) and then `del` when the key was emptied, in Redis's order.
 */
export function written(ctx: CommandContext, key: Buffer, size: number, event?: readonly [NotifyClass, string], k = sharedKeyStr(key)): void {
  if (event) notifyKeyspaceEvent(ctx.srv, event[0], event[1], key, ctx.db.id);
  if (size === 0) {
    ctx.db.delete(k);
    if (event) notifyKeyspaceEvent(ctx.srv, 'g', 'del', key, ctx.db.id);
  } else ctx.db.touch(k);
}

/**
 * The LazyHandler of a pop without a count (`LPOP key`, `SPOP key`, `ZPOPMIN key`): the key's value
 * of class cls goes to one() with its key string; a missing key is answered by missing(). Other forms
 * go to the regular handler.
 */
export function popOneLazy<T extends RedisObject>(cls: Ctor<T>, missing: (ctx: CommandContext) => void, one: (ctx: CommandContext, v: T, k: string) => void): LazyHandler {
  return (ctx, args) => {
    if (args.count !== 2) return false;
    const k = args.sharedKey(1);
    const v = lookupKey(ctx, k, cls);
    if (v === null) missing(ctx);
    else if (v !== undefined) one(ctx, v, k);
    return true;
  };
}

/** written() for the key at ctx.argv[i], read only for keyspace events (a read-buffer view's
 * arguments are not copied out otherwise). */
export function writtenArg(ctx: CommandContext, i: number, size: number, event: readonly [NotifyClass, string], k: string): void {
  notifyKeyArg(ctx.srv, event[0], event[1], ctx, i, ctx.db.id);
  if (size === 0) {
    ctx.db.delete(k);
    notifyKeyArg(ctx.srv, 'g', 'del', ctx, i, ctx.db.id);
  } else ctx.db.touch(k);
}

/** Stores a freshly built result (the *STORE forms): an empty result deletes the destination. */
export function storeResult(ctx: CommandContext, key: Buffer, value: RedisObject & { size: number }): void {
  const k = sharedKeyStr(key);
  if (value.size === 0) ctx.db.delete(k);
  else ctx.db.set(k, value);
  ctx.srv.signalKeyAsReady(ctx.db, k);
}

export interface ScanArgs {
  cursor: number;
  count: number;
  match: Buffer | null;
}

/** Parses `cursor [MATCH pattern] [COUNT count]` from argv[2]; null after replying the error. */
export function parseScanArgs(ctx: CommandContext): ScanArgs | null {
  // strtoul's rules as Redis checks them: no leading space, optional sign (a negative cursor wraps
  // around), digits, nothing after; an empty cursor reads as 0.
  const c = ctx.argv[2].toString('latin1');
  const m = c === '' ? ['', '', '0'] : /^([+-]?)([0-9]{1,20})$/.exec(c);
  const mag = m ? BigInt(m[2]) : -1n;
  if (!m || mag > 18446744073709551615n) {
    ctx.reply.error('ERR invalid cursor');
    return null;
  }
  const cursor = m[1] === '-' && mag !== 0n ? 18446744073709551616n - mag : mag;
  const out: ScanArgs = { cursor: Number(cursor), count: 10, match: null };
  for (let i = 3; i < ctx.argv.length; i++) {
    const more = i + 1 < ctx.argv.length;
    if (is(ctx.argv[i], 'count') && more) {
      const n = parseIntArg(ctx.argv[++i]);
      if (n === null) return scanOptionError(ctx, NOT_INTEGER);
      if (n < 1) return scanOptionError(ctx, SYNTAX);
      out.count = n;
    } else if (is(ctx.argv[i], 'match') && more) {
      out.match = ctx.argv[++i];
    } else {
      return scanOptionError(ctx, SYNTAX);
    }
  }
  return out;
}

const SCANNED_TYPE: Record<string, string> = { hscan: 'hash', sscan: 'set', zscan: 'zset' };

/**
 * HSCAN/SSCAN/ZSCAN look the key up before reading their options (Redis's order): a missing key
 * answers an empty scan and a wrong type WRONGTYPE, whatever the options say.
 */
function scanOptionError(ctx: CommandContext, err: string): null {
  const want = SCANNED_TYPE[ctx.cmd.name];
  if (want) {
    const v = ctx.db.get(sharedKeyStr(ctx.argv[1]));
    if (v === undefined) return (replyScan(ctx, 0, []), null);
    if (Buffer.isBuffer(v) || v.type !== want) return (ctx.reply.error(WRONGTYPE), null);
  }
  ctx.reply.error(err);
  return null;
}

/** True when the pattern is absent or matches (a lone `*` skips matching). */
export function scanMatch(match: Buffer | null, b: Buffer): boolean {
  if (match === null || (match.length === 1 && match[0] === 42)) return true;
  return globMatch(match, b);
}

/** Writes the `[cursor, [items...]]` reply. */
export function replyScan(ctx: CommandContext, next: number, items: Buffer[]): void {
  ctx.reply.array(2);
  ctx.reply.bulk(String(next));
  ctx.reply.array(items.length);
  for (const it of items) ctx.reply.bulk(it);
}

/** Normalises a Redis (start, end) index pair against a length; null for an empty range. */
export function clampRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

/** Key positions for `[dst] numkeys key...` commands (COMMAND GETKEYS, cluster slot checks). */
export function numkeysAt(at: number, withDst = false): (argv: Buffer[]) => number[] {
  return (argv) => {
    const n = Math.max(0, Math.min(Number(argv[at]?.toString()) || 0, argv.length - at - 1));
    const keys = Array.from({ length: n }, (_, i) => at + 1 + i);
    return withDst ? [1, ...keys] : keys;
  };
}
