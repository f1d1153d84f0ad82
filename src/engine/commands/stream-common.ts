// Shared by the stream families: typed lookup, ID arguments with Redis's errors, entry replies, and
// the XADD/XTRIM trimming options.
import type { CommandContext } from './table.js';
import { StreamValue, type StreamEntry, type TrimSpec } from '../store/stream.js';
import { parseId, formatId, idOf, U64_MAX, INVALID_ID, type StreamId } from '../store/stream-id.js';
import { lookup } from './aggregate.js';
import { is, parseInt64 } from './args.js';
import { NOT_INTEGER, SYNTAX } from './errors.js';
import type { ReplyWriter } from '../protocol/writer.js';

export const getStream = (ctx: CommandContext, key: Buffer) => lookup(ctx, key, StreamValue);

export const bs = (s: string) => Buffer.from(s);

/** A stream ID argument; null after replying the error. */
export function idArg(ctx: CommandContext, arg: Buffer, missingSeq: bigint, strict: boolean): StreamId | null {
  const p = parseId(arg, missingSeq, strict);
  if (!p) {
    ctx.reply.error(INVALID_ID);
    return null;
  }
  return p.id;
}

/** An int64 argument; null after replying "not an integer". */
export function int64Arg(ctx: CommandContext, arg: Buffer): number | null {
  const v = parseInt64(arg);
  if (v === null) {
    ctx.reply.error(NOT_INTEGER);
    return null;
  }
  return Number(v);
}

/** True when a client must be obeyed without limits (our master, the AOF loader). */
export function mustObey(ctx: CommandContext): boolean {
  return ctx.client.isMaster || ctx.srv.applyingMasterStream || (ctx.client.socket === null && ctx.client.id === 0);
}

/** One entry as [id, [field, value, ...]]; idStr: its formatted ID when the caller has it. */
export function replyEntry(reply: ReplyWriter, e: StreamEntry, idStr = formatId(e.id)): void {
  reply.array(2);
  reply.bulkLatin1(idStr);
  reply.array(e.fields.length);
  for (const f of e.fields) reply.bulk(f);
}

/** Replies entries from an iterator, at most count (0 = all). */
export function replyEntries(reply: ReplyWriter, it: Iterable<StreamEntry>, count: number): void {
  const out: StreamEntry[] = [];
  for (const e of it) {
    out.push(e);
    if (count > 0 && out.length >= count) break;
  }
  reply.array(out.length);
  for (const e of out) replyEntry(reply, e);
}

export interface TrimArgs {
  spec: TrimSpec | null;
  /** argv index of the MAXLEN/MINID value (rewritten for propagation after an approximate trim). */
  argIdx: number;
  noMkStream: boolean;
  /** XADD: index of the ID argument. */
  idIdx: number;
}

/** Parses XADD's options (xadd) or XTRIM's; null after replying the error. */
export function parseTrimArgs(ctx: CommandContext, xadd: boolean): TrimArgs | null {
  const { argv } = ctx;
  // `XADD key * ...`, the usual call: no option, so none of the checks below can fail.
  if (xadd && argv.length > 2 && argv[2].length === 1 && argv[2][0] === 42) return { spec: null, argIdx: -1, noMkStream: false, idIdx: 2 };
  const out: TrimArgs = { spec: null, argIdx: -1, noMkStream: false, idIdx: -1 };
  let strategy: TrimSpec['strategy'] | null = null;
  let approx = false;
  let maxlen = 0;
  let minid = 0n;
  let limit = 0;
  let limitGiven = false;
  const err = (m: string) => (ctx.reply.error(m), null);
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const a = argv[i];
    if (xadd && a.length === 1 && a[0] === 42) break;
    if ((is(a, 'maxlen') || is(a, 'minid')) && more) {
      if (strategy) return err('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
      approx = false;
      const next = argv[i + 1];
      if (more >= 2 && next.length === 1 && (next[0] === 126 || next[0] === 61)) {
        approx = next[0] === 126;
        i++;
      }
      if (is(a, 'maxlen')) {
        const v = parseInt64(argv[i + 1]);
        if (v === null) return err(NOT_INTEGER);
        if (v < 0n) return err('ERR The MAXLEN argument must be >= 0.');
        maxlen = Number(v);
        strategy = 'maxlen';
      } else {
        const id = idArg(ctx, argv[i + 1], 0n, true);
        if (id === null) return null;
        minid = id;
        strategy = 'minid';
      }
      i++;
      out.argIdx = i;
    } else if (is(a, 'limit') && more) {
      const v = parseInt64(argv[i + 1]);
      if (v === null) return err(NOT_INTEGER);
      if (v < 0n) return err('ERR The LIMIT argument must be >= 0.');
      limit = Number(v);
      limitGiven = true;
      i++;
    } else if (xadd && is(a, 'nomkstream')) {
      out.noMkStream = true;
    } else if (xadd) {
      // The ID, checked here as Redis does, before the LIMIT checks below.
      if (!parseId(a, 0n, true, true)) return err(INVALID_ID);
      break;
    } else {
      return err(SYNTAX);
    }
  }
  out.idIdx = i;
  if (limit && !strategy) return err('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
  if (!xadd && !strategy) return err('ERR syntax error, XTRIM must be called with a trimming strategy');
  if (mustObey(ctx)) limit = 0;
  else if (limitGiven) {
    if (!approx) return err('ERR syntax error, LIMIT cannot be used without the special ~ option');
  } else if (approx) {
    limit = 100 * ctx.srv.config.int('stream-node-max-entries');
    if (limit <= 0) limit = 10000;
    if (limit > 1000000) limit = 1000000;
  }
  if (strategy) out.spec = { strategy, maxlen, minid, approx, limit };
  return out;
}

/** After an approximate trim, rewrites `~ N` to `= <exact>` so replicas and the AOF trim the same. */
export function rewriteTrim(ctx: CommandContext, s: StreamValue, t: TrimArgs): void {
  if (!t.spec?.approx) return;
  const argv = (ctx.propagate ??= [ctx.argv.slice()])[0];
  argv[t.argIdx - 1] = bs('=');
  argv[t.argIdx] = bs(t.spec.strategy === 'maxlen' ? String(s.length) : formatId(s.length ? s.edgeId(true) : s.lastId));
}

/** An XRANGE-style bound: `(id` excludes it (the seq half carries, as streamIncrID). Null after replying. */
export function rangeBound(ctx: CommandContext, arg: Buffer, start: boolean): StreamId | null {
  if (arg.length > 1 && arg[0] === 40) {
    const id = idArg(ctx, arg.subarray(1), start ? 0n : U64_MAX, true);
    if (id === null) return null;
    if (start ? id === idOf(U64_MAX, U64_MAX) : id === 0n) {
      ctx.reply.error(start ? 'ERR invalid start ID for the interval' : 'ERR invalid end ID for the interval');
      return null;
    }
    return start ? id + 1n : id - 1n;
  }
  return idArg(ctx, arg, start ? 0n : U64_MAX, false);
}

