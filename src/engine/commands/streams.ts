// Stream commands on entries: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID.
// Groups are in streams-groups.ts, XINFO in streams-info.ts, XREAD/XREADGROUP in streams-read.ts.
import type { CommandDef, CommandContext } from './table.js';
import { StreamValue } from '../store/stream.js';
import { keyStr } from '../store/types.js';
import { parseId, formatId, idOf, msOf, seqOf, U64_MAX, ID_MAX, NUM_SAFE, INVALID_ID, type StreamId } from '../store/stream-id.js';
import { lookup } from './aggregate.js';
import { getStream, idArg, parseTrimArgs, rewriteTrim, replyEntries, rangeBound } from './stream-common.js';
import { is, parseInt64 } from './args.js';
import { NOT_INTEGER, SYNTAX, NO_SUCH_KEY } from './errors.js';
import { notifyKeyspaceEvent } from '../pubsub/notify.js';

const EXHAUSTED = 'ERR The stream has exhausted the last possible ID, unable to add more items';
const TOO_SMALL = 'ERR The ID specified in XADD is equal or smaller than the target stream top item';

/** The ID XADD gives the new entry, or an error text. */
function nextId(s: StreamValue | null, given: { id: StreamId; autoSeq: boolean } | null, now: number): StreamId | string {
  const last = s ? s.lastId : 0n;
  const lastMs = msOf(last);
  const lastSeq = seqOf(last);
  if (!given) {
    const ms = BigInt(now);
    if (ms > lastMs) return idOf(ms, 0n);
    return lastSeq === U64_MAX ? idOf(lastMs + 1n, 0n) : idOf(lastMs, lastSeq + 1n);
  }
  if (given.autoSeq) {
    const ms = msOf(given.id);
    if (ms > lastMs) return idOf(ms, 0n);
    if (ms < lastMs || lastSeq === U64_MAX) return TOO_SMALL;
    return idOf(ms, lastSeq + 1n);
  }
  return s && given.id <= last ? TOO_SMALL : given.id;
}

/**
 * XADD `*` on numbers: the new ID's halves when they are exact below 2^53 (every clock-made ID), in
 * `auto`; false sends the caller to nextId's BigInt rules (IDs set past 2^53 by hand or XSETID).
 */
const auto = { ms: 0, seq: 0 };
function autoIdFast(s: StreamValue | null, now: number): boolean {
  if (!s) {
    auto.ms = now;
    auto.seq = 0;
    return true;
  }
  if (s.lastMs >= NUM_SAFE || s.lastSeq >= NUM_SAFE - 1) return false;
  if (now > s.lastMs) {
    auto.ms = now;
    auto.seq = 0;
  } else {
    auto.ms = s.lastMs;
    auto.seq = s.lastSeq + 1;
  }
  return true;
}

function xadd(ctx: CommandContext): void {
  const t = parseTrimArgs(ctx, true);
  if (!t) return;
  const { argv } = ctx;
  let given: { id: StreamId; autoSeq: boolean } | null = null;
  const idArgBuf = argv[t.idIdx];
  if (idArgBuf && !(idArgBuf.length === 1 && idArgBuf[0] === 42)) {
    given = parseId(idArgBuf, 0n, true, true);
    if (!given) return ctx.reply.error(INVALID_ID);
  }
  const fieldPos = t.idIdx + 1;
  const nfv = argv.length - fieldPos;
  if (nfv < 2 || nfv % 2 === 1) return ctx.reply.error(`ERR wrong number of arguments for 'xadd' command`);
  if (given && !given.autoSeq && given.id === 0n) return ctx.reply.error('ERR The ID specified in XADD must be greater than 0-0');
  const key = argv[1];
  const k = keyStr(key);
  let s = lookup(ctx, key, StreamValue, k);
  if (s === undefined) return;
  if (!s && t.noMkStream) return ctx.reply.null();
  if (s && s.lastId === ID_MAX) return ctx.reply.error(EXHAUSTED);
  const now = Date.now();
  let id: StreamId | string;
  let idStr: string;
  let ms = -1;
  let seq = -1;
  if (!given && autoIdFast(s, now)) {
    ({ ms, seq } = auto);
    // The same millisecond as the last entry (the usual case under load) is lastId + 1.
    id = s && ms === s.lastMs ? s.lastId + 1n : seq === 0 ? BigInt(ms) << 64n : idOf(BigInt(ms), BigInt(seq));
    idStr = `${ms}-${seq}`;
  } else {
    id = nextId(s, given, now);
    if (typeof id === 'string') return ctx.reply.error(id);
    idStr = formatId(id);
  }
  if (!s) {
    s = new StreamValue();
    ctx.db.set(k, s);
  }
  s.append(id, argv.slice(fieldPos), ms, seq);
  ctx.srv.dirty++;
  ctx.db.touch(k);
  ctx.reply.bulkLatin1(idStr);
  // Propagate the ID chosen here, not `*`; nothing at all when nothing takes propagated writes now
  // (a trim still builds it: rewriteTrim edits it).
  if (!given || given.autoSeq) {
    if (t.spec || ctx.srv.propagation.wanted) {
      const p = argv.slice();
      p[t.idIdx] = Buffer.from(idStr, 'latin1');
      ctx.propagate = [p];
    } else ctx.propagate = [];
  }
  notifyKeyspaceEvent(ctx.srv, 't', 'xadd', key, ctx.db.id);
  if (t.spec) {
    if (s.trim(t.spec) > 0) notifyKeyspaceEvent(ctx.srv, 't', 'xtrim', key, ctx.db.id);
    rewriteTrim(ctx, s, t);
  }
  ctx.srv.signalKeyAsReady(ctx.db, k);
}

function xtrim(ctx: CommandContext): void {
  const t = parseTrimArgs(ctx, false);
  if (!t || !t.spec) return;
  if (t.idIdx !== ctx.argv.length) return ctx.reply.error(SYNTAX);
  const s = getStream(ctx, ctx.argv[1]);
  if (s === undefined) return;
  if (!s) return ctx.reply.int(0);
  const n = s.trim(t.spec);
  if (n > 0) {
    ctx.db.touch(keyStr(ctx.argv[1]));
    notifyKeyspaceEvent(ctx.srv, 't', 'xtrim', ctx.argv[1], ctx.db.id);
    ctx.srv.dirty += n;
    rewriteTrim(ctx, s, t);
  }
  ctx.reply.int(n);
}

function xrange(ctx: CommandContext, rev: boolean): void {
  const { argv } = ctx;
  const start = rangeBound(ctx, argv[rev ? 3 : 2], true);
  if (start === null) return;
  const end = rangeBound(ctx, argv[rev ? 2 : 3], false);
  if (end === null) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (is(argv[j], 'count') && j + 1 < argv.length) {
      const v = parseInt64(argv[++j]);
      if (v === null) return ctx.reply.error(NOT_INTEGER);
      count = v < 0n ? 0 : Number(v);
    } else return ctx.reply.error(SYNTAX);
  }
  const s = getStream(ctx, argv[1]);
  if (s === undefined) return;
  if (!s) return ctx.reply.array(0);
  if (count === 0) return ctx.reply.nullArray();
  replyEntries(ctx.reply, s.range(start, end, rev), count < 0 ? 0 : count);
}

function xlen(ctx: CommandContext): void {
  const s = getStream(ctx, ctx.argv[1]);
  if (s === undefined) return;
  ctx.reply.int(s ? s.length : 0);
}

function xdel(ctx: CommandContext): void {
  const s = getStream(ctx, ctx.argv[1]);
  if (s === undefined) return;
  if (!s) return ctx.reply.int(0);
  const ids: StreamId[] = [];
  for (let j = 2; j < ctx.argv.length; j++) {
    const id = idArg(ctx, ctx.argv[j], 0n, true);
    if (id === null) return;
    ids.push(id);
  }
  let deleted = 0;
  let first = false;
  for (const id of ids) {
    if (id === s.firstId) first = true;
    if (s.delete(id)) deleted++;
  }
  if (deleted) {
    if (s.length === 0) s.firstId = 0n;
    else if (first) s.refreshFirstId();
    ctx.db.touch(keyStr(ctx.argv[1]));
    notifyKeyspaceEvent(ctx.srv, 't', 'xdel', ctx.argv[1], ctx.db.id);
    ctx.srv.dirty += deleted;
  }
  ctx.reply.int(deleted);
}

function xsetid(ctx: CommandContext): void {
  const { argv } = ctx;
  const id = idArg(ctx, argv[2], 0n, true);
  if (id === null) return;
  let entriesAdded = -1;
  let maxDel = 0n;
  for (let i = 3; i < argv.length; i += 2) {
    const more = i + 1 < argv.length;
    if (is(argv[i], 'entriesadded') && more) {
      const v = parseInt64(argv[i + 1]);
      if (v === null) return ctx.reply.error(NOT_INTEGER);
      if (v < 0n) return ctx.reply.error('ERR entries_added must be positive');
      entriesAdded = Number(v);
    } else if (is(argv[i], 'maxdeletedid') && more) {
      const v = idArg(ctx, argv[i + 1], 0n, true);
      if (v === null) return;
      if (id < v) return ctx.reply.error('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
      maxDel = v;
    } else return ctx.reply.error(SYNTAX);
  }
  const s = getStream(ctx, argv[1]);
  if (s === undefined) return;
  if (!s) return ctx.reply.error(NO_SUCH_KEY);
  if (s.length > 0) {
    if (id < s.edgeId(false)) return ctx.reply.error('ERR The ID specified in XSETID is smaller than the target stream top item');
    if (entriesAdded !== -1 && s.length > entriesAdded) return ctx.reply.error('ERR The entries_added specified in XSETID is smaller than the target stream length');
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (maxDel !== 0n) s.maxDeletedId = maxDel;
  ctx.db.touch(keyStr(argv[1]));
  notifyKeyspaceEvent(ctx.srv, 't', 'xsetid', argv[1], ctx.db.id);
  ctx.srv.dirty++;
  ctx.reply.ok();
}

export const streamCommands: CommandDef[] = [
  { name: 'xadd', handler: xadd },
  { name: 'xtrim', handler: xtrim },
  { name: 'xrange', handler: (ctx) => xrange(ctx, false) },
  { name: 'xrevrange', handler: (ctx) => xrange(ctx, true) },
  { name: 'xlen', handler: xlen },
  { name: 'xdel', handler: xdel },
  { name: 'xsetid', handler: xsetid },
];
