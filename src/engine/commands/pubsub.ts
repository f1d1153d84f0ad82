// Pub/sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB introspection.
// Subscription confirmations are pushes (`>` in RESP3, arrays in RESP2) counting the client's
// channels + patterns, or its shard channels for the S- variants.
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import type { CommandDef, Handler } from './table.js';
import { keyBuf, keyStr } from '../store/types.js';
import { globMatch } from '../util/glob.js';
import { ownSet, pubsubOf, type SubKind } from '../pubsub/registry.js';
import { clusterOf } from '../cluster/cluster.js';
import { clusterPublish, clusterPublishShard } from '../cluster/pubsub.js';

/**
 * Like Redis's forceCommandPropagation(c, PROPAGATE_REPL): replicas get the PUBLISH (their subscribers
 * hear it too), the AOF does not, and the keyspace is not dirty. In cluster mode the bus carries it:
 * PUBLISH to every node, SPUBLISH to the nodes of this shard.
 */
function propagateToReplicas(srv: Server, c: Client, argv: Buffer[], shard: boolean): void {
  const cl = clusterOf(srv);
  if (cl) {
    if (c.isMaster) return;
    if (shard) clusterPublishShard(cl, argv[1], argv[2]);
    else clusterPublish(cl, argv[1], argv[2]);
    return;
  }
  srv.propagate(c.dbIndex, argv, c.isMaster, 'replicas');
}

function count(c: Client, kind: SubKind): number {
  return kind === 'shard' ? c.shardChannels.size : c.channels.size + c.patterns.size;
}

function confirm(c: Client, label: string, name: Buffer | null, kind: SubKind): void {
  c.reply.pushing(() => {
    c.reply.push(3);
    c.reply.bulk(label);
    c.reply.bulk(name);
    c.reply.int(count(c, kind));
  });
}

function subscribe(kind: SubKind, label: string): Handler {
  return ({ srv, client: c, argv, reply }) => {
    // Inside EXEC: SUBSCRIBE/PSUBSCRIBE are tolerated for backward compatibility, SSUBSCRIBE is not.
    if (kind === 'shard' && c.multi) return reply.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    const reg = pubsubOf(srv);
    for (let i = 1; i < argv.length; i++) {
      reg.add(kind, c, keyStr(argv[i]));
      confirm(c, label, argv[i], kind);
    }
  };
}

function unsubscribe(kind: SubKind, label: string): Handler {
  return ({ srv, client: c, argv }) => {
    const reg = pubsubOf(srv);
    const names = argv.length > 1 ? argv.slice(1).map(keyStr) : [...ownSet(c, kind)];
    if (names.length === 0) return confirm(c, label, null, kind);
    for (const name of names) {
      reg.remove(kind, c, name);
      confirm(c, label, keyBuf(name), kind);
    }
  };
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]. */
function listChannels(shard: boolean): Handler {
  return ({ srv, reply, argv }) => {
    if (argv.length > 3) {
      return reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].toString('latin1')}'. Try PUBSUB HELP.`);
    }
    const map = shard ? pubsubOf(srv).shardChannels : pubsubOf(srv).channels;
    const names = [...map.keys()].map(keyBuf).filter((n) => argv.length < 3 || globMatch(argv[2], n));
    reply.bulkArray(names);
  };
}

/** PUBSUB NUMSUB / SHARDNUMSUB channel...: a flat array of name, count (an array in RESP3 too). */
function numSub(shard: boolean): Handler {
  return ({ srv, reply, argv }) => {
    const map = shard ? pubsubOf(srv).shardChannels : pubsubOf(srv).channels;
    reply.array((argv.length - 2) * 2);
    for (let i = 2; i < argv.length; i++) {
      reply.bulk(argv[i]);
      reply.int(map.get(keyStr(argv[i]))?.size ?? 0);
    }
  };
}

const HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

export const pubsubCommands: CommandDef[] = [
  { name: 'subscribe', handler: subscribe('channel', 'subscribe') },
  { name: 'psubscribe', handler: subscribe('pattern', 'psubscribe') },
  { name: 'ssubscribe', handler: subscribe('shard', 'ssubscribe') },
  { name: 'unsubscribe', handler: unsubscribe('channel', 'unsubscribe') },
  { name: 'punsubscribe', handler: unsubscribe('pattern', 'punsubscribe') },
  { name: 'sunsubscribe', handler: unsubscribe('shard', 'sunsubscribe') },
  {
    name: 'publish',
    handler({ srv, client, reply, argv }) {
      reply.int(pubsubOf(srv).publish(argv[1], argv[2]));
      propagateToReplicas(srv, client, argv, false);
    },
  },
  {
    name: 'spublish',
    handler({ srv, client, reply, argv }) {
      reply.int(pubsubOf(srv).spublish(argv[1], argv[2]));
      propagateToReplicas(srv, client, argv, true);
    },
  },
  { name: 'pubsub|channels', handler: listChannels(false) },
  { name: 'pubsub|shardchannels', handler: listChannels(true) },
  { name: 'pubsub|numsub', handler: numSub(false) },
  { name: 'pubsub|shardnumsub', handler: numSub(true) },
  { name: 'pubsub|numpat', handler: ({ srv, reply }) => reply.int(pubsubOf(srv).patterns.size) },
  {
    name: 'pubsub|help',
    handler({ reply }) {
      reply.array(HELP.length);
      for (const line of HELP) reply.simple(line);
    },
  },
];
