// Outgoing bus messages: the header every message carries (this node's id, address, role, epochs,
// its shard's slots, replication offset) and, for PING/PONG/MEET, the gossip section as Redis 7.0
// picks it: a tenth of the known nodes (at least 3, at most all but two) at random, plus every node
// this node sees as PFAIL so failure reports spread.
import type { Cluster } from './cluster.js';
import type { ClusterNode } from './node.js';
import { bitmapOf, NODE, type BusMsg, type GossipEntry, type MsgType } from './wire.js';

export const EMPTY_SLOTS = new Uint8Array(2048);

/** The flags a node is described with on the wire (Redis's node->flags). */
export function wireFlags(n: ClusterNode): number {
  let f = n.isMaster ? NODE.master : NODE.slave;
  if (n.myself) f |= NODE.myself;
  if (n.pfail) f |= NODE.pfail;
  if (n.fail) f |= NODE.fail;
  if (n.handshake) f |= NODE.handshake;
  if (n.noaddr) f |= NODE.noaddr;
  if (n.nofailover) f |= NODE.nofailover;
  if (n.isMaster && n.hadReplicas) f |= NODE.migrateTo;
  return f;
}

export function busPortOf(c: Cluster): number {
  return c.srv.config.int('cluster-port') || c.srv.config.int('port') + 10000;
}

/** The slots bitmap of a node, cached with its ranges (ClusterState clears both on change). */
function slotsBitmap(n: ClusterNode): Uint8Array {
  if (n.bitmapCache === null || n.bitmapFor !== n.rangesCache) {
    const ranges = n.ranges();
    n.bitmapCache = bitmapOf(ranges);
    n.bitmapFor = ranges;
  }
  return n.bitmapCache;
}

export function shardBitmap(n: ClusterNode): Uint8Array {
  const shard = n.isMaster ? n : n.master;
  return shard ? slotsBitmap(shard) : EMPTY_SLOTS;
}

export function makeMessage(c: Cluster, type: MsgType, extra: Partial<BusMsg> = {}): BusMsg {
  const me = c.myself;
  const shard = me.isMaster ? me : me.master;
  const cfg = c.srv.config;
  const gossipy = type === 'ping' || type === 'pong' || type === 'meet';
  return {
    type,
    port: cfg.int('cluster-announce-port') || cfg.int('port'),
    pport: 0,
    cport: cfg.int('cluster-announce-bus-port') || busPortOf(c),
    currentEpoch: c.state.currentEpoch,
    configEpoch: shard ? shard.configEpoch : 0,
    offset: c.repl.offset(),
    sender: me.id,
    slots: shardBitmap(me),
    slaveof: me.isMaster ? null : me.masterId,
    myip: cfg.get('cluster-announce-ip'),
    flags: wireFlags(me),
    stateFail: !c.state.ok,
    paused: me.isMaster && c.failover.pausedUntil > Date.now(),
    forceAck: false,
    gossip: gossipy ? gossipSection(c) : [],
    hostname: gossipy ? cfg.get('cluster-announce-hostname') : '',
    ...extra,
  };
}

function entry(n: ClusterNode): GossipEntry {
  return {
    id: n.id,
    pingSent: Math.floor(n.pingSent / 1000),
    pongReceived: Math.floor(n.pongReceived / 1000),
    ip: n.ip,
    port: n.port,
    cport: n.cport,
    flags: wireFlags(n),
    pport: 0,
  };
}

function gossipSection(c: Cluster): GossipEntry[] {
  const nodes = [...c.state.nodes.values()];
  const wanted = Math.min(Math.max(3, Math.floor(nodes.length / 10)), nodes.length - 2);
  const picked = new Set<ClusterNode>();
  const out: GossipEntry[] = [];
  // Random picks, as Redis: a bounded number of tries, so a small cluster may send fewer.
  for (let tries = wanted * 3; tries > 0 && picked.size < wanted; tries--) {
    const n = nodes[Math.floor(Math.random() * nodes.length)];
    if (n.myself || n.pfail || n.handshake || n.noaddr || !n.ip || picked.has(n)) continue;
    if (!n.linkUp && n.numSlots === 0) continue;
    picked.add(n);
    out.push(entry(n));
  }
  for (const n of nodes) {
    if (n.pfail && !n.myself && !n.handshake && !n.noaddr && n.ip) out.push(entry(n));
  }
  return out;
}
