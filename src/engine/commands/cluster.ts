// CLUSTER subcommands, ASKING, READONLY and READWRITE. Handlers validate arguments and format
// replies; the changes themselves live in cluster/admin.ts and the state in cluster/state.ts.
import type { CommandContext, CommandDef, Handler } from './table.js';
import { is, parseIntArg } from './args.js';
import { SYNTAX } from './errors.js';
import { clusterOf, type Cluster } from '../cluster/cluster.js';
import { keyHashSlot } from '../cluster/crc16.js';
import { parseSlot } from '../cluster/slots.js';
import { describeCluster, describeNode } from '../cluster/nodes-conf.js';
import { clusterInfoText, replyLinks, replyShards, replySlots } from '../cluster/replies.js';
import { startManualFailover } from '../cluster/failover.js';
import { clusterHelp } from '../cluster/help.js';
import * as admin from '../cluster/admin.js';
import { keyBuf } from '../store/types.js';
import { migrateCommand } from '../cluster/migrate.js';
import { persistenceCommands } from './persistence.js';

/** RESTORE-ASKING is RESTORE that the cluster guard lets through on an importing slot (its `asking` flag). */
const restore = persistenceCommands.find((d) => d.name === 'restore');

const DISABLED = 'ERR This instance has cluster support disabled';
const BAD_SLOT = 'ERR Invalid or out of range slot';

type ClusterHandler = (ctx: CommandContext, cl: Cluster) => void;

/** Wraps a handler that needs cluster mode. */
const inCluster = (fn: ClusterHandler): Handler => (ctx) => {
  const cl = clusterOf(ctx.srv);
  if (!cl) return ctx.reply.error(DISABLED);
  fn(ctx, cl);
};

/**
 * Replies OK or the error after recomputing the state; nodes.conf (fsynced for epochs) is saved before
 * the reply is written, once per event-loop turn (Redis's beforeSleep save).
 */
function done(ctx: CommandContext, cl: Cluster, err: string | null, durable = false): void {
  if (err) return ctx.reply.error(err);
  cl.updateState();
  cl.saveSoon(durable);
  ctx.reply.ok();
}

function slotsArgs(ctx: CommandContext, ranges: boolean): number[] | null {
  const args = ctx.argv.slice(2);
  const out: number[] = [];
  if (ranges && args.length % 2 !== 0) {
    ctx.reply.error(`ERR wrong number of arguments for '${ctx.cmd.fullName}' command`);
    return null;
  }
  for (let i = 0; i < args.length; i += ranges ? 2 : 1) {
    const a = parseSlot(args[i]);
    const b = ranges ? parseSlot(args[i + 1]) : a;
    if (a < 0 || b < 0) {
      ctx.reply.error(BAD_SLOT);
      return null;
    }
    if (b < a) {
      ctx.reply.error(`ERR start slot number ${a} is greater than end slot number ${b}`);
      return null;
    }
    for (let s = a; s <= b; s++) out.push(s);
  }
  return out;
}

const slotChange = (add: boolean, ranges: boolean): Handler => inCluster((ctx, cl) => {
  const slots = slotsArgs(ctx, ranges);
  if (slots) done(ctx, cl, admin.changeSlots(cl, slots, add));
});

export const clusterCommands: CommandDef[] = [
  {
    name: 'cluster|help',
    handler: inCluster(({ reply }) => {
      const lines = clusterHelp();
      reply.array(lines.length);
      for (const l of lines) reply.simple(l);
    }),
  },
  { name: 'cluster|info', handler: inCluster(({ reply }, cl) => reply.verbatim(clusterInfoText(cl))) },
  { name: 'cluster|nodes', handler: inCluster(({ reply }, cl) => reply.verbatim(describeCluster(cl.state))) },
  { name: 'cluster|myid', handler: inCluster(({ reply }, cl) => reply.bulk(cl.myself.id)) },
  { name: 'cluster|slots', handler: inCluster(({ reply }, cl) => replySlots(cl, reply)) },
  { name: 'cluster|shards', handler: inCluster(({ reply }, cl) => replyShards(cl, reply)) },
  { name: 'cluster|links', handler: inCluster(({ reply }, cl) => replyLinks(cl, reply)) },
  {
    name: 'cluster|meet',
    handler: inCluster((ctx, cl) => {
      const { argv, reply } = ctx;
      if (argv.length > 5) return reply.error(SYNTAX);
      const port = parseIntArg(argv[3]);
      if (port === null) return reply.error(`ERR Invalid TCP base port specified: ${argv[3]}`);
      const cport = argv.length === 5 ? parseIntArg(argv[4]) : port + 10000;
      if (cport === null) return reply.error(`ERR Invalid TCP bus port specified: ${argv[4]}`);
      done(ctx, cl, admin.meet(cl, argv[2].toString(), port, cport));
    }),
  },
  { name: 'cluster|addslots', handler: slotChange(true, false) },
  { name: 'cluster|addslotsrange', handler: slotChange(true, true) },
  { name: 'cluster|delslots', handler: slotChange(false, false) },
  { name: 'cluster|delslotsrange', handler: slotChange(false, true) },
  {
    name: 'cluster|flushslots',
    handler: inCluster((ctx, cl) => {
      if (ctx.srv.dbs[0].size !== 0) return ctx.reply.error('ERR DB must be empty to perform CLUSTER FLUSHSLOTS.');
      const mine: number[] = [];
      cl.state.slots.forEach((n, s) => n === cl.myself && mine.push(s));
      done(ctx, cl, admin.changeSlots(cl, mine, false));
    }),
  },
  {
    name: 'cluster|setslot',
    handler: inCluster((ctx, cl) => {
      const { argv, reply } = ctx;
      const slot = parseSlot(argv[2]);
      if (slot < 0) return reply.error(BAD_SLOT);
      const action = argv[3].toString().toLowerCase();
      const wantsId = action !== 'stable';
      if ((wantsId && argv.length !== 5) || (!wantsId && argv.length !== 4)) {
        return reply.error('ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP');
      }
      done(ctx, cl, admin.setSlot(cl, slot, action, argv[4]?.toString()));
    }),
  },
  { name: 'cluster|replicate', handler: inCluster((ctx, cl) => done(ctx, cl, admin.replicate(cl, ctx.argv[2].toString()))) },
  { name: 'cluster|forget', handler: inCluster((ctx, cl) => done(ctx, cl, admin.forget(cl, ctx.argv[2].toString()))) },
  { name: 'cluster|replicas', handler: inCluster(replicas) },
  { name: 'cluster|slaves', handler: inCluster(replicas) },
  {
    name: 'cluster|reset',
    handler: inCluster((ctx, cl) => {
      const { argv, reply } = ctx;
      if (argv.length > 3 || (argv.length === 3 && !is(argv[2], 'hard') && !is(argv[2], 'soft'))) return reply.error(SYNTAX);
      done(ctx, cl, admin.reset(cl, argv.length === 3 && is(argv[2], 'hard')));
    }),
  },
  {
    name: 'cluster|failover',
    handler: inCluster((ctx, cl) => {
      const { argv, reply } = ctx;
      let mode: 'default' | 'force' | 'takeover' = 'default';
      if (argv.length === 3 && is(argv[2], 'force')) mode = 'force';
      else if (argv.length === 3 && is(argv[2], 'takeover')) mode = 'takeover';
      else if (argv.length !== 2) return reply.error(SYNTAX);
      const me = cl.myself;
      if (me.isMaster) return reply.error('ERR You should send CLUSTER FAILOVER to a replica');
      if (!me.master) return reply.error("ERR I'm a replica but my master is unknown to me");
      if (mode === 'default' && (me.master.fail || !me.master.linkUp)) {
        return reply.error('ERR Master is down or failed, please use CLUSTER FAILOVER FORCE');
      }
      startManualFailover(cl, mode);
      done(ctx, cl, null);
    }),
  },
  {
    name: 'cluster|countkeysinslot',
    handler: inCluster(({ argv, reply }, cl) => {
      const slot = parseIntArg(argv[2]);
      if (slot === null) return reply.error('ERR value is not an integer or out of range');
      if (slot < 0 || slot >= 16384) return reply.error('ERR Invalid slot');
      reply.int(cl.keys.countInSlot(slot));
    }),
  },
  {
    name: 'cluster|getkeysinslot',
    handler: inCluster(({ argv, reply }, cl) => {
      const slot = parseIntArg(argv[2]);
      const max = parseIntArg(argv[3]);
      if (slot === null || max === null || slot < 0 || slot >= 16384 || max < 0) return reply.error('ERR Invalid slot or number of keys');
      reply.bulkArray(cl.keys.keysInSlot(slot, max).map(keyBuf));
    }),
  },
  { name: 'cluster|keyslot', handler: inCluster(({ argv, reply }) => reply.int(keyHashSlot(argv[2]))) },
  {
    name: 'cluster|set-config-epoch',
    handler: inCluster((ctx, cl) => {
      const e = parseIntArg(ctx.argv[2]);
      if (e === null) return ctx.reply.error('ERR value is not an integer or out of range');
      done(ctx, cl, admin.setConfigEpoch(cl, e), true);
    }),
  },
  {
    name: 'cluster|bumpepoch',
    handler: inCluster((ctx, cl) => {
      const bumped = admin.bumpEpochWithoutConsensus(cl);
      cl.save(bumped);
      ctx.reply.simple(`${bumped ? 'BUMPED' : 'STILL'} ${cl.myself.configEpoch}`);
    }),
  },
  {
    name: 'cluster|count-failure-reports',
    handler: inCluster(({ argv, reply }, cl) => {
      const n = cl.state.node(argv[2].toString());
      if (!n) return reply.error(`ERR Unknown node ${argv[2].toString('latin1')}`);
      reply.int(n.failReports.size);
    }),
  },
  { name: 'cluster|saveconfig', handler: inCluster((ctx, cl) => { cl.save(true); ctx.reply.ok(); }) },
  { name: 'asking', handler: inCluster(({ client, reply }) => { client.asking = true; reply.ok(); }) },
  { name: 'readonly', handler: inCluster(({ client, reply }) => { client.readOnlyMode = true; reply.ok(); }) },
  { name: 'readwrite', handler: inCluster(({ client, reply }) => { client.readOnlyMode = false; reply.ok(); }) },
  migrateCommand,
  ...(restore ? [{ name: 'restore-asking', handler: restore.handler }] : []),
];

function replicas({ argv, reply }: CommandContext, cl: Cluster): void {
  const n = cl.state.node(argv[2].toString());
  if (!n) return reply.error(`ERR Unknown node ${argv[2].toString('latin1')}`);
  if (!n.isMaster) return reply.error('ERR The specified node is not a master');
  reply.bulkArray([...n.replicas].map((r) => describeNode(cl.state, r)));
}
