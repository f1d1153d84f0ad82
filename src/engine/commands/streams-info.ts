// XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS, in Redis 7.0's field order.
import type { CommandDef, CommandContext } from './table.js';
import type { StreamValue } from '../store/stream.js';
import { ENTRIES_READ_INVALID, type ConsumerGroup } from '../store/stream-group.js';
import { formatId, ID_MAX, ID_MIN } from '../store/stream-id.js';
import { getStream, replyEntry, replyEntries } from './stream-common.js';
import { cString, is, parseInt64 } from './args.js';
import { NOT_INTEGER, NO_SUCH_KEY } from './errors.js';
import { raxNodeCount } from '../store/stream-rax.js';

const syntax = (ctx: CommandContext) => ctx.reply.error(`ERR unknown subcommand or wrong number of arguments for '${ctx.argv[1].toString('latin1')}'. Try XINFO HELP.`);

function lookup(ctx: CommandContext): StreamValue | null {
  const s = getStream(ctx, ctx.argv[2]);
  if (s === undefined) return null;
  if (!s) {
    ctx.reply.error(NO_SUCH_KEY);
    return null;
  }
  return s;
}

function entriesRead(ctx: CommandContext, g: ConsumerGroup): void {
  if (g.entriesRead === ENTRIES_READ_INVALID) ctx.reply.null();
  else ctx.reply.int(g.entriesRead);
}

function lag(ctx: CommandContext, s: StreamValue, g: ConsumerGroup): void {
  const l = s.lag(g);
  if (l === null) ctx.reply.null();
  else ctx.reply.int(l);
}

/** The fields STREAM and STREAM FULL share, in order. */
function header(ctx: CommandContext, s: StreamValue): void {
  const r = ctx.reply;
  r.bulk('length');
  r.int(s.length);
  r.bulk('radix-tree-keys');
  r.int(s.nodeCount);
  r.bulk('radix-tree-nodes');
  r.int(raxNodeCount(s.liveNodes().map((n) => n.master)));
  r.bulk('last-generated-id');
  r.bulk(formatId(s.lastId));
  r.bulk('max-deleted-entry-id');
  r.bulk(formatId(s.maxDeletedId));
  r.bulk('entries-added');
  r.int(s.entriesAdded);
  r.bulk('recorded-first-entry-id');
  r.bulk(formatId(s.firstId));
}

function edge(ctx: CommandContext, s: StreamValue, first: boolean): void {
  for (const e of s.range(ID_MIN, ID_MAX, !first)) return replyEntry(ctx.reply, e);
  ctx.reply.null();
}

function stream(ctx: CommandContext): void {
  const { argv } = ctx;
  // Redis looks the key up before it reads the options (XINFO STREAM nokey x: no such key).
  const s = lookup(ctx);
  if (!s) return;
  const opts = argv.length - 3;
  let count = 10;
  if (opts !== 0) {
    if ((opts !== 1 && opts !== 3) || !is(argv[3], 'full')) return syntax(ctx);
    if (opts === 3) {
      if (!is(argv[4], 'count')) return syntax(ctx);
      const v = parseInt64(argv[5]);
      if (v === null) return ctx.reply.error(NOT_INTEGER);
      count = v < 0n ? 10 : Number(v);
    }
  }
  const r = ctx.reply;
  if (opts === 0) {
    r.map(10);
    header(ctx, s);
    r.bulk('groups');
    r.int(s.groups.size);
    r.bulk('first-entry');
    edge(ctx, s, true);
    r.bulk('last-entry');
    edge(ctx, s, false);
    return;
  }
  r.map(9);
  header(ctx, s);
  r.bulk('entries');
  replyEntries(r, s.range(ID_MIN, ID_MAX), count);
  r.bulk('groups');
  const groups = s.sortedGroups();
  r.array(groups.length);
  const limited = <T>(it: Iterable<T>): T[] => {
    const out: T[] = [];
    for (const x of it) {
      if (count > 0 && out.length >= count) break;
      out.push(x);
    }
    return out;
  };
  for (const g of groups) {
    r.map(7);
    r.bulk('name');
    r.bulk(g.name);
    r.bulk('last-delivered-id');
    r.bulk(formatId(g.lastId));
    r.bulk('entries-read');
    entriesRead(ctx, g);
    r.bulk('lag');
    lag(ctx, s, g);
    r.bulk('pel-count');
    r.int(g.pel.size);
    r.bulk('pending');
    const pel = limited(g.pel.entries());
    r.array(pel.length);
    for (const [id, n] of pel) {
      r.array(4);
      r.bulk(formatId(id));
      r.bulk(n.consumer.name);
      r.int(n.deliveryTime);
      r.int(n.deliveryCount);
    }
    r.bulk('consumers');
    const consumers = g.sortedConsumers();
    r.array(consumers.length);
    for (const c of consumers) {
      r.map(4);
      r.bulk('name');
      r.bulk(c.name);
      r.bulk('seen-time');
      r.int(c.seenTime);
      r.bulk('pel-count');
      r.int(c.pel.size);
      r.bulk('pending');
      const cp = limited(c.pel.entries());
      r.array(cp.length);
      for (const [id, n] of cp) {
        r.array(3);
        r.bulk(formatId(id));
        r.int(n.deliveryTime);
        r.int(n.deliveryCount);
      }
    }
  }
}

function groups(ctx: CommandContext): void {
  if (ctx.argv.length !== 3) return syntax(ctx);
  const s = lookup(ctx);
  if (!s) return;
  const r = ctx.reply;
  const gs = s.sortedGroups();
  r.array(gs.length);
  for (const g of gs) {
    r.map(6);
    r.bulk('name');
    r.bulk(g.name);
    r.bulk('consumers');
    r.int(g.consumers.size);
    r.bulk('pending');
    r.int(g.pel.size);
    r.bulk('last-delivered-id');
    r.bulk(formatId(g.lastId));
    r.bulk('entries-read');
    entriesRead(ctx, g);
    r.bulk('lag');
    lag(ctx, s, g);
  }
}

function consumers(ctx: CommandContext): void {
  if (ctx.argv.length !== 4) return syntax(ctx);
  const s = lookup(ctx);
  if (!s) return;
  const g = s.group(ctx.argv[3]);
  if (!g) return ctx.reply.error(`NOGROUP No such consumer group '${cString(ctx.argv[3])}' for key name '${cString(ctx.argv[2])}'`);
  const now = Date.now();
  const cs = g.sortedConsumers();
  const r = ctx.reply;
  r.array(cs.length);
  for (const c of cs) {
    r.map(3);
    r.bulk('name');
    r.bulk(c.name);
    r.bulk('pending');
    r.int(c.pel.size);
    r.bulk('idle');
    r.int(Math.max(0, now - c.seenTime));
  }
}

export const streamInfoCommands: CommandDef[] = [
  { name: 'xinfo|stream', handler: stream },
  { name: 'xinfo|groups', handler: groups },
  { name: 'xinfo|consumers', handler: consumers },
];
