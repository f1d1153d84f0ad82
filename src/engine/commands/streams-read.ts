// XREAD and XREADGROUP, served at once or blocked through the engine's blocking registry (same FIFO
// order as BLPOP & co., woken by XADD from clients, EXEC, scripts and the master's stream).
import type { CommandDef, CommandContext } from './table.js';
import { StreamValue } from '../store/stream.js';
import { keyStr } from '../store/types.js';
import { parseId, idOf, U64_MAX, INVALID_ID, type StreamId } from '../store/stream-id.js';
import { cString, is, parseInt64 } from './args.js';
import { NOT_INTEGER, SYNTAX, WRONGTYPE } from './errors.js';
import { serveOrBlock } from '../blocking/wait.js';
import { deliver, deliverHistory, type GroupReader } from './stream-deliver.js';
import { watchGroupReader } from './streams-block.js';
import { emitWrapped } from './stream-propagate.js';
import { notifyKeyspaceEvent } from '../pubsub/notify.js';
import { scriptingOf } from '../scripting/state.js';

const NEW_ONLY: StreamId = idOf(U64_MAX, U64_MAX); // `>`
/** Redis's XREAD_BLOCKED_DEFAULT_COUNT: a woken reader without COUNT gets at most this many. */
const BLOCKED_DEFAULT_COUNT = 1000;

interface ReadArgs {
  keys: Buffer[];
  /** The keys as Map keys (latin1), made once. */
  keyStrs: string[];
  ids: StreamId[];
  count: number;
  /** Absolute deadline in ms, 0 = forever, -1 = no BLOCK. */
  deadline: number;
  group: Buffer | null;
  consumer: Buffer | null;
  /** group and consumer as Map keys (latin1), made once. */
  groupStr: string;
  consumerStr: string;
  noack: boolean;
}

/** is(a, word) for the option words, skipping the full compare unless the length and first letter match. */
const opt = (a: Buffer, first: number, word: string): boolean => a.length === word.length && (a[0] | 0x20) === first && is(a, word);
const [B, C, G, N, S] = ['b', 'c', 'g', 'n', 's'].map((c) => c.charCodeAt(0));

/** COUNT's value (negative: 0, no limit); null when not an int64. Short digit runs skip the BigInt. */
function countArg(b: Buffer): number | null {
  const n = b.length;
  if (n > 0 && n < 16 && (b[0] !== 48 || n === 1)) {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const c = b[i] - 48;
      if (c < 0 || c > 9) return slowCount(b);
      v = v * 10 + c;
    }
    return v;
  }
  return slowCount(b);
}

function slowCount(b: Buffer): number | null {
  const v = parseInt64(b);
  return v === null ? null : v < 0n ? 0 : Number(v);
}

function parseReadArgs(ctx: CommandContext, group: boolean): ReadArgs | null {
  const { argv } = ctx;
  const out: ReadArgs = { keys: [], keyStrs: [], ids: [], count: 0, deadline: -1, group: null, consumer: null, groupStr: '', consumerStr: '', noack: false };
  const err = (m: string) => (ctx.reply.error(m), null);
  let streamsAt = 0;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const a = argv[i];
    if (opt(a, B, 'block') && more) {
      if (scriptingOf(ctx.srv).running?.fake === ctx.client) return err(`ERR ${argv[0].toString()} command is not allowed with BLOCK option from scripts`);
      const v = parseInt64(argv[++i]);
      if (v === null) return err('ERR timeout is not an integer or out of range');
      if (v < 0n) return err('ERR timeout is negative');
      out.deadline = v > 0n ? Date.now() + Number(v) : 0;
    } else if (opt(a, C, 'count') && more) {
      const v = countArg(argv[++i]);
      if (v === null) return err(NOT_INTEGER);
      out.count = v;
    } else if (opt(a, S, 'streams') && more) {
      streamsAt = i + 1;
      const n = argv.length - streamsAt;
      if (n % 2 !== 0) {
        return err(`ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.`);
      }
      break;
    } else if (opt(a, G, 'group') && more >= 2) {
      if (!group) return err('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
      out.group = argv[i + 1];
      out.consumer = argv[i + 2];
      out.groupStr = keyStr(out.group);
      out.consumerStr = keyStr(out.consumer);
      i += 2;
    } else if (opt(a, N, 'noack')) {
      if (!group) return err('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
      out.noack = true;
    } else return err(SYNTAX);
  }
  if (streamsAt === 0) return err(SYNTAX);
  if (group && !out.group) return err('ERR Missing GROUP option for XREADGROUP');
  const n = (argv.length - streamsAt) / 2;
  for (let i = 0; i < n; i++) {
    const key = argv[streamsAt + i];
    const idArg = argv[streamsAt + n + i];
    const k = keyStr(key);
    const v = ctx.db.get(k);
    if (v !== undefined && !(v instanceof StreamValue)) return err(WRONGTYPE);
    if (out.group && (!v || !v.groups.has(out.groupStr))) {
      return err(`NOGROUP No such key '${cString(key)}' or consumer group '${cString(out.group)}' in XREADGROUP with GROUP option`);
    }
    out.keys.push(key);
    out.keyStrs.push(k);
    const c0 = idArg.length === 1 ? idArg[0] : 0;
    if (c0 === 36) { // $
      if (group) return err('ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.');
      out.ids.push(v ? v.lastId : 0n);
    } else if (c0 === 62) { // >
      if (!group) return err('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
      out.ids.push(NEW_ONLY);
    } else {
      const p = parseId(idArg, 0n, true);
      if (!p) return err(INVALID_ID);
      out.ids.push(p.id);
    }
  }
  return out;
}

/** Looks up (or creates) the reading consumer, refreshing its seen time. */
function reader(ctx: CommandContext, a: ReadArgs, key: Buffer, s: StreamValue, now: number): GroupReader | null {
  const group = s.groups.get(a.groupStr);
  if (!group) return null;
  let consumer = group.consumers.get(a.consumerStr);
  let created = false;
  if (!consumer) {
    consumer = group.createConsumer(a.consumer as Buffer, now) as NonNullable<typeof consumer>;
    created = true;
    ctx.srv.dirty++;
    notifyKeyspaceEvent(ctx.srv, 't', 'xgroup-createconsumer', key, ctx.db.id);
  }
  consumer.seenTime = now;
  return { key, groupName: a.group as Buffer, group, consumer, created, noack: a.noack };
}

/**
 * One attempt: serves every stream with something to give; false when none had (so block). A woken
 * reader (readyKey set) is served from that stream alone, as Redis 7.0's serveClientsBlockedOnStreamKey
 * does: when one write batch feeds several of its streams, the first signalled one answers.
 */
function attempt(ctx: CommandContext, a: ReadArgs, emit: (argv: Buffer[]) => void, initial: boolean, readyKey?: string): boolean {
  const now = Date.now();
  const serve: { key: Buffer; s: StreamValue; gt: StreamId; r: GroupReader | null; history: boolean }[] = [];
  const only = readyKey === undefined ? -1 : a.keyStrs.indexOf(readyKey);
  for (let i = 0; i < a.keys.length; i++) {
    if (only >= 0 && i !== only) continue;
    const key = a.keys[i];
    // Looked up again (not kept from parseReadArgs): Redis's second lookupKeyRead counts a keyspace hit too.
    const v = ctx.db.get(a.keyStrs[i]);
    if (!(v instanceof StreamValue)) continue;
    let gt = a.ids[i];
    let r: GroupReader | null = null;
    let now_ = false;
    let history = false;
    if (a.group) {
      const g = v.groups.get(a.groupStr);
      if (!g) {
        if (initial) continue;
        ctx.reply.error('NOGROUP the consumer group this client was blocked on no longer exists');
        return true;
      }
      if (gt !== NEW_ONLY) {
        now_ = history = true;
      } else if (v.length && v.edgeId(false) > g.lastId) {
        now_ = true;
        gt = g.lastId;
      }
      if (initial || now_) r = reader(ctx, a, key, v, now);
    } else if (v.length && v.edgeId(false) > gt) now_ = true;
    if (now_) serve.push({ key, s: v, gt, r, history });
  }
  if (serve.length === 0) return false;
  const reply = ctx.reply;
  if (reply.resp === 3) reply.map(serve.length);
  else reply.array(serve.length);
  const count = initial || a.count ? a.count : BLOCKED_DEFAULT_COUNT;
  // Served at once with nothing taking propagated writes: the XCLAIMs are not even built.
  const quiet = initial && !ctx.srv.propagation.wanted;
  for (const x of serve) {
    if (reply.resp !== 3) reply.array(2);
    reply.bulk(x.key);
    // The given ID is exclusive for history reads too (Redis starts every read after it).
    if (x.history && x.r) deliverHistory(reply, x.s, x.gt + 1n, count, x.r.consumer, now);
    else ctx.srv.dirty += deliver(reply, x.s, x.gt + 1n, count, x.r, quiet ? null : emit, now);
    if (x.r) ctx.srv.dirty++;
  }
  if (quiet) ctx.propagate = [];
  return true;
}

function xread(ctx: CommandContext, group: boolean): void {
  const a = parseReadArgs(ctx, group);
  if (!a) return;
  const dirty0 = ctx.srv.dirty;
  const keys = a.keys;
  serveOrBlock(ctx, keys, a.deadline, (emit, initial, readyKey) => {
    if (initial) return attempt(ctx, a, emit, true);
    // Woken: what one serve propagates reaches replicas as one unit (MULTI/EXEC when several).
    const out: Buffer[][] = [];
    const served = attempt(ctx, a, (argv) => out.push(argv), false, readyKey);
    if (served) emitWrapped(out, emit);
    return served;
  }, () => ctx.reply.nullArray());
  // The read itself never propagates: only what attempt() emitted (XCLAIM, XGROUP ...).
  if (ctx.srv.dirty !== dirty0) ctx.propagate = wrapTop(ctx, ctx.propagate ?? []);
  if (group && ctx.client.blocked) watchGroupReader(ctx.srv, ctx.client, ctx.db, keys, a.group as Buffer);
}

/** Several writes of one top-level command reach replicas as MULTI ... EXEC (EXEC batches its own). */
function wrapTop(ctx: CommandContext, argvs: Buffer[][]): Buffer[][] {
  if (argvs.length < 2 || ctx.srv.dispatch.depth > 1) return argvs;
  const out: Buffer[][] = [];
  emitWrapped(argvs, (a) => out.push(a));
  return out;
}

/** Key positions: the first half of what follows STREAMS (cluster slots, ACL, snapshot copy-on-write). */
export function streamsKeys(argv: Buffer[]): number[] {
  for (let i = 1; i < argv.length; i++) {
    if (!is(argv[i], 'streams')) {
      // GROUP takes two arguments and BLOCK/COUNT one: skip them so a key named "streams" is not taken.
      if (is(argv[i], 'group')) i += 2;
      else if (is(argv[i], 'block') || is(argv[i], 'count')) i++;
      continue;
    }
    const n = Math.floor((argv.length - i - 1) / 2);
    return Array.from({ length: n }, (_, k) => i + 1 + k);
  }
  return [];
}

export const streamReadCommands: CommandDef[] = [
  { name: 'xread', handler: (ctx) => xread(ctx, false), getKeys: streamsKeys },
  { name: 'xreadgroup', handler: (ctx) => xread(ctx, true), getKeys: streamsKeys },
];
