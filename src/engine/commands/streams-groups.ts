// Consumer group commands: XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER, XACK, XPENDING,
// XCLAIM and XAUTOCLAIM, propagated as Redis 7.0 propagates them (XCLAIM ... FORCE JUSTID LASTID).
import type { CommandDef, CommandContext } from './table.js';
import { StreamValue } from '../store/stream.js';
import { ConsumerGroup, ENTRIES_READ_INVALID, type Consumer, type Nack } from '../store/stream-group.js';
import { keyStr } from '../store/types.js';
import { formatId, parseId, U64_MAX, idOf, type StreamId } from '../store/stream-id.js';
import { getStream, idArg, replyEntry, bs, rangeBound } from './stream-common.js';
import { xclaimArgv, setIdArgv } from './stream-deliver.js';
import { emitWrapped } from './stream-propagate.js';
import { cString, is, parseInt64 } from './args.js';
import { NOT_INTEGER, SYNTAX } from './errors.js';
import { notifyKeyspaceEvent } from '../pubsub/notify.js';

const str = (b: Buffer) => b.toString();
// Error texts echo the client's bytes: latin1 keeps each byte as one char (the writer's convention).
const noGroup = (key: Buffer, group: Buffer) => `NOGROUP No such key '${cString(key)}' or consumer group '${cString(group)}'`;

/** Propagation for commands that emit several writes: wrapped when more than one. */
function propagateAll(ctx: CommandContext, argvs: Buffer[][]): void {
  if (argvs.length > 1 && ctx.srv.dispatch.depth > 1) {
    ctx.propagate = argvs;
    return;
  }
  const out: Buffer[][] = [];
  emitWrapped(argvs, (a) => out.push(a));
  ctx.propagate = out;
}

function xgroup(ctx: CommandContext, sub: 'create' | 'setid' | 'destroy' | 'createconsumer' | 'delconsumer'): void {
  const { argv } = ctx;
  const key = argv[2];
  const groupName = argv[3];
  let mkstream = false;
  let entriesRead = ENTRIES_READ_INVALID;
  const badSub = () => ctx.reply.error(`ERR unknown subcommand or wrong number of arguments for '${str(argv[1])}'. Try XGROUP HELP.`);
  // Redis 7.0 reads CREATE's and SETID's options (repeats allowed) before it looks the key and group
  // up, and checks the subcommand's argument count only after that.
  if (sub === 'create' || sub === 'setid') {
    for (let i = 5; i < argv.length; ) {
      if (sub === 'create' && is(argv[i], 'mkstream')) {
        mkstream = true;
        i++;
      } else if (is(argv[i], 'entriesread') && i + 1 < argv.length) {
        const v = parseInt64(argv[i + 1]);
        if (v === null) return ctx.reply.error(NOT_INTEGER);
        if (v < 0n && v !== -1n) return ctx.reply.error('ERR value for ENTRIESREAD must be positive or -1');
        entriesRead = Number(v);
        i += 2;
      } else return badSub();
    }
  }
  let s = getStream(ctx, key);
  if (s === undefined) return;
  if (!s && !(sub === 'create' && mkstream)) {
    return ctx.reply.error('ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.');
  }
  const group = s ? s.group(groupName) : undefined;
  if (!group && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer')) {
    return ctx.reply.error(`NOGROUP No such consumer group '${cString(groupName)}' for key name '${cString(key)}'`);
  }
  if ((sub === 'create' && argv.length > 8) || (sub === 'setid' && argv.length !== 5 && argv.length !== 7)) return badSub();
  const k = keyStr(key);
  const notify = (ev: string) => notifyKeyspaceEvent(ctx.srv, 't', ev, key, ctx.db.id);
  switch (sub) {
    case 'create': {
      let id: StreamId;
      if (argv[4].length === 1 && argv[4][0] === 36) id = s ? s.lastId : 0n;
      else {
        const v = idArg(ctx, argv[4], 0n, true);
        if (v === null) return;
        id = v;
      }
      if (!s) {
        s = new StreamValue();
        ctx.db.set(k, s);
      }
      if (s.group(groupName)) return ctx.reply.error('BUSYGROUP Consumer Group name already exists');
      s.groups.set(keyStr(groupName), new ConsumerGroup(Buffer.from(groupName), id, entriesRead));
      ctx.db.touch(k);
      ctx.srv.dirty++;
      ctx.reply.ok();
      return notify('xgroup-create');
    }
    case 'setid': {
      const g = group as ConsumerGroup;
      const st = s as StreamValue;
      let id: StreamId;
      if (argv[4].length === 1 && argv[4][0] === 36) id = st.lastId;
      else {
        const v = idArg(ctx, argv[4], 0n, false);
        if (v === null) return;
        id = v;
      }
      g.lastId = id;
      g.entriesRead = entriesRead;
      ctx.db.touch(k);
      ctx.srv.dirty++;
      ctx.reply.ok();
      return notify('xgroup-setid');
    }
    case 'destroy': {
      if (!group) return ctx.reply.int(0);
      (s as StreamValue).groups.delete(keyStr(groupName));
      ctx.db.touch(k);
      ctx.srv.dirty++;
      ctx.reply.int(1);
      notify('xgroup-destroy');
      // Readers blocked on this group get NOGROUP (streams-block.ts checks after the command).
      return ctx.srv.signalKeyAsReady(ctx.db, k);
    }
    case 'createconsumer': {
      const c = (group as ConsumerGroup).createConsumer(argv[4], Date.now());
      if (!c) return ctx.reply.int(0);
      ctx.db.touch(k);
      ctx.srv.dirty++;
      ctx.reply.int(1);
      return notify('xgroup-createconsumer');
    }
    case 'delconsumer': {
      const g = group as ConsumerGroup;
      const c = g.consumer(argv[4]);
      if (!c) return ctx.reply.int(0);
      const pending = g.deleteConsumer(c);
      ctx.db.touch(k);
      ctx.srv.dirty++;
      ctx.reply.int(pending);
      return notify('xgroup-delconsumer');
    }
  }
}

/** The group of a stream for commands that need it; undefined after replying. */
function groupOf(ctx: CommandContext, key: Buffer, name: Buffer): { s: StreamValue; g: ConsumerGroup } | null | undefined {
  const s = getStream(ctx, key);
  if (s === undefined) return undefined;
  const g = s ? s.group(name) : undefined;
  return s && g ? { s, g } : null;
}

function xack(ctx: CommandContext): void {
  const found = groupOf(ctx, ctx.argv[1], ctx.argv[2]);
  if (found === undefined) return;
  if (!found) return ctx.reply.int(0);
  const ids: StreamId[] = [];
  for (let j = 3; j < ctx.argv.length; j++) {
    const id = idArg(ctx, ctx.argv[j], 0n, true);
    if (id === null) return;
    ids.push(id);
  }
  let n = 0;
  for (const id of ids) if (found.g.ack(id)) n++;
  if (n) {
    ctx.srv.dirty += n;
    ctx.db.touch(keyStr(ctx.argv[1]));
  }
  ctx.reply.int(n);
}

function xpending(ctx: CommandContext): void {
  const { argv } = ctx;
  const justInfo = argv.length === 3;
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) return ctx.reply.error(SYNTAX);
  let minIdle = 0;
  let start = 0n;
  let end = 0n;
  let count = 0;
  let consumerName: Buffer | null = null;
  if (argv.length >= 6) {
    let at = 3;
    if (is(argv[3], 'idle')) {
      const v = parseInt64(argv[4]);
      if (v === null) return ctx.reply.error(NOT_INTEGER);
      minIdle = Number(v);
      if (argv.length < 8) return ctx.reply.error(SYNTAX);
      at += 2;
    }
    const c = parseInt64(argv[at + 2]);
    if (c === null) return ctx.reply.error(NOT_INTEGER);
    count = c < 0n ? 0 : Number(c);
    const st = rangeBound(ctx, argv[at], true);
    if (st === null) return;
    const en = rangeBound(ctx, argv[at + 1], false);
    if (en === null) return;
    [start, end] = [st, en];
    if (at + 3 < argv.length) consumerName = argv[at + 3];
  }
  const found = groupOf(ctx, argv[1], argv[2]);
  if (found === undefined) return;
  if (!found) return ctx.reply.error(noGroup(argv[1], argv[2]));
  const { g } = found;
  if (justInfo) {
    ctx.reply.array(4);
    ctx.reply.int(g.pel.size);
    if (g.pel.size === 0) {
      ctx.reply.null();
      ctx.reply.null();
      ctx.reply.nullArray();
      return;
    }
    ctx.reply.bulk(formatId(g.pel.first() as StreamId));
    ctx.reply.bulk(formatId(g.pel.last() as StreamId));
    const withPending = g.sortedConsumers().filter((c) => c.pel.size > 0);
    ctx.reply.array(withPending.length);
    for (const c of withPending) {
      ctx.reply.array(2);
      ctx.reply.bulk(c.name);
      ctx.reply.bulk(String(c.pel.size));
    }
    return;
  }
  let pel = g.pel;
  if (consumerName) {
    const c = g.consumer(consumerName);
    if (!c) return ctx.reply.array(0);
    pel = c.pel;
  }
  const now = Date.now();
  const out: [StreamId, Nack][] = [];
  if (count > 0) {
    for (const [id, nack] of pel.range(start, end)) {
      if (minIdle && now - nack.deliveryTime < minIdle) continue;
      out.push([id, nack]);
      if (out.length >= count) break;
    }
  }
  ctx.reply.array(out.length);
  for (const [id, nack] of out) {
    ctx.reply.array(4);
    ctx.reply.bulk(formatId(id));
    ctx.reply.bulk(nack.consumer.name);
    ctx.reply.int(Math.max(0, now - nack.deliveryTime));
    ctx.reply.int(nack.deliveryCount);
  }
}

/** Drops a pending entry whose stream entry is gone, propagating that as Redis does. */
function dropDeleted(ctx: CommandContext, g: ConsumerGroup, id: StreamId, idText: Buffer, nack: Nack, out: Buffer[][]): void {
  out.push(xclaimArgv(ctx.argv[1], ctx.argv[2], g, idText, nack));
  ctx.srv.dirty++;
  g.ack(id);
}

/** The claiming consumer (argv[3]), created when new, its seen time refreshed when not. */
function claimant(ctx: CommandContext, g: ConsumerGroup, now: number): Consumer {
  const c = g.consumer(ctx.argv[3]);
  if (c) {
    c.seenTime = now;
    return c;
  }
  ctx.srv.dirty++;
  notifyKeyspaceEvent(ctx.srv, 't', 'xgroup-createconsumer', ctx.argv[1], ctx.db.id);
  return g.createConsumer(ctx.argv[3], now) as Consumer;
}

function replyClaimed(ctx: CommandContext, s: StreamValue, id: StreamId, justId: boolean): void {
  if (justId) return ctx.reply.bulk(formatId(id));
  const e = s.get(id);
  if (e) replyEntry(ctx.reply, e);
  else ctx.reply.null();
}

function xclaim(ctx: CommandContext): void {
  const { argv } = ctx;
  const found = groupOf(ctx, argv[1], argv[2]);
  if (found === undefined) return;
  if (!found) return ctx.reply.error(noGroup(argv[1], argv[2]));
  const { s, g } = found;
  const optInt = (b: Buffer, what: string): number | null => {
    const v = parseInt64(b);
    if (v === null) ctx.reply.error(`ERR Invalid ${what} argument for XCLAIM`);
    return v === null ? null : Number(v);
  };
  let minIdle = optInt(argv[4], 'min-idle-time');
  if (minIdle === null) return;
  if (minIdle < 0) minIdle = 0;
  let j = 5;
  const ids: StreamId[] = [];
  for (; j < argv.length; j++) {
    const p = parseId(argv[j], 0n, true);
    if (!p) break;
    ids.push(p.id);
  }
  const lastIdArg = j - 1;
  const now = Date.now();
  let force = false;
  let justId = false;
  let deliveryTime = -1;
  let retryCount = -1;
  let lastId = 0n;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const o = argv[j];
    if (is(o, 'force')) force = true;
    else if (is(o, 'justid')) justId = true;
    else if (is(o, 'idle') && more) {
      const v = optInt(argv[++j], 'IDLE option');
      if (v === null) return;
      deliveryTime = now - v;
    } else if (is(o, 'time') && more) {
      const v = optInt(argv[++j], 'TIME option');
      if (v === null) return;
      deliveryTime = v;
    } else if (is(o, 'retrycount') && more) {
      const v = optInt(argv[++j], 'RETRYCOUNT option');
      if (v === null) return;
      retryCount = v;
    } else if (is(o, 'lastid') && more) {
      const v = idArg(ctx, argv[++j], 0n, true);
      if (v === null) return;
      lastId = v;
    } else return ctx.reply.error(`ERR Unrecognized XCLAIM option '${str(o)}'`);
  }
  let propagateLastId = false;
  if (lastId > g.lastId) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  if (deliveryTime !== -1) {
    if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  } else deliveryTime = now;
  const out: Buffer[][] = [];
  const replies: StreamId[] = [];
  const k = keyStr(argv[1]);
  let consumer: Consumer | undefined;
  for (let i = 5; i <= lastIdArg; i++) {
    const id = ids[i - 5];
    let nack = g.pel.get(id);
    if (!s.has(id)) {
      if (nack) {
        dropDeleted(ctx, g, id, argv[i], nack, out);
        propagateLastId = false;
      }
      continue;
    }
    let fresh = false;
    if (force && !nack) fresh = true;
    if (!nack && !fresh) continue;
    if (nack && minIdle && now - nack.deliveryTime < minIdle) continue;
    consumer ??= claimant(ctx, g, now);
    const count = retryCount >= 0 ? retryCount : (nack ? nack.deliveryCount : 1) + (justId ? 0 : 1);
    nack = g.assign(id, consumer, deliveryTime, count);
    replies.push(id);
    out.push(xclaimArgv(argv[1], argv[2], g, argv[i], nack));
    propagateLastId = false;
    ctx.srv.dirty++;
  }
  if (propagateLastId) {
    out.push(setIdArgv(argv[1], argv[2], g));
    ctx.srv.dirty++;
  }
  ctx.reply.array(replies.length);
  for (const id of replies) replyClaimed(ctx, s, id, justId);
  if (out.length) ctx.db.touch(k);
  propagateAll(ctx, out);
}

function xautoclaim(ctx: CommandContext): void {
  const { argv } = ctx;
  const mi = parseInt64(argv[4]);
  if (mi === null) return ctx.reply.error('ERR Invalid min-idle-time argument for XAUTOCLAIM');
  const minIdle = mi < 0n ? 0 : Number(mi);
  const start = rangeBound(ctx, argv[5], true);
  if (start === null) return;
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (is(argv[j], 'count') && more) {
      const v = parseInt64(argv[++j]);
      if (v === null || v < 1n || v > 922337203685477580n) return ctx.reply.error('ERR COUNT must be > 0');
      count = Number(v);
    } else if (is(argv[j], 'justid')) justId = true;
    else return ctx.reply.error(SYNTAX);
  }
  const found = groupOf(ctx, argv[1], argv[2]);
  if (found === undefined) return;
  if (!found) return ctx.reply.error(noGroup(argv[1], argv[2]));
  const { s, g } = found;
  let attempts = count * 10;
  const now = Date.now();
  // The entries this call may visit (attempts, plus the next one as the cursor), collected first:
  // claiming changes the PELs.
  const pending: [StreamId, Nack][] = [];
  for (const p of g.pel.range(start, idOf(U64_MAX, U64_MAX))) {
    pending.push(p);
    if (pending.length > attempts) break;
  }
  const claimed: StreamId[] = [];
  const deleted: StreamId[] = [];
  const out: Buffer[][] = [];
  let consumer: Consumer | undefined;
  let i = 0;
  for (; attempts > 0 && count > 0 && i < pending.length; i++) {
    attempts--;
    const [id, nack] = pending[i];
    if (!s.has(id)) {
      dropDeleted(ctx, g, id, bs(formatId(id)), nack, out);
      deleted.push(id);
      count--;
      continue;
    }
    if (minIdle && now - nack.deliveryTime < minIdle) continue;
    consumer ??= claimant(ctx, g, now);
    const n = g.assign(id, consumer, now, nack.deliveryCount + (justId ? 0 : 1));
    claimed.push(id);
    count--;
    out.push(xclaimArgv(argv[1], argv[2], g, bs(formatId(id)), n));
    ctx.srv.dirty++;
  }
  const next = i < pending.length ? pending[i][0] : 0n;
  ctx.reply.array(3);
  ctx.reply.bulk(formatId(next));
  ctx.reply.array(claimed.length);
  for (const id of claimed) replyClaimed(ctx, s, id, justId);
  ctx.reply.array(deleted.length);
  for (const id of deleted) ctx.reply.bulk(formatId(id));
  if (out.length) ctx.db.touch(keyStr(argv[1]));
  propagateAll(ctx, out);
}

export const streamGroupCommands: CommandDef[] = [
  { name: 'xgroup|create', handler: (ctx) => xgroup(ctx, 'create') },
  { name: 'xgroup|setid', handler: (ctx) => xgroup(ctx, 'setid') },
  { name: 'xgroup|destroy', handler: (ctx) => xgroup(ctx, 'destroy') },
  { name: 'xgroup|createconsumer', handler: (ctx) => xgroup(ctx, 'createconsumer') },
  { name: 'xgroup|delconsumer', handler: (ctx) => xgroup(ctx, 'delconsumer') },
  { name: 'xack', handler: xack },
  { name: 'xpending', handler: xpending },
  { name: 'xclaim', handler: xclaim },
  { name: 'xautoclaim', handler: xautoclaim },
];
