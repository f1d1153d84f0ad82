// Replies of CLUSTER INFO, SLOTS, SHARDS and LINKS in Redis 7.0's shapes.
import type { BusLink } from './bus.js';
import type { ReplyWriter } from '../protocol/writer.js';
import type { Cluster } from './cluster.js';
import { SLOT_COUNT } from './crc16.js';
import type { ClusterNode } from './node.js';
import { MSG_TYPES } from './wire.js';

export function clusterInfoText(cl: Cluster): string {
  const st = cl.state;
  // From the owners' slot counts (exact: assign/unassign keep them), not a scan of the 16384 slots:
  // kvctl polls CLUSTER INFO while a cluster forms, and that scan was the function V8 spent most of
  // the nodes' optimising-compiler time on (re-optimised on every node).
  let assigned = 0;
  let pfail = 0;
  let fail = 0;
  for (const n of st.nodes.values()) {
    if (n.numSlots === 0) continue;
    assigned += n.numSlots;
    if (n.fail) fail += n.numSlots;
    else if (n.pfail) pfail += n.numSlots;
  }
  const lines: [string, string | number][] = [
    ['cluster_state', st.ok ? 'ok' : 'fail'],
    ['cluster_slots_assigned', assigned],
    ['cluster_slots_ok', assigned - pfail - fail],
    ['cluster_slots_pfail', pfail],
    ['cluster_slots_fail', fail],
    ['cluster_known_nodes', st.nodes.size],
    ['cluster_size', st.size],
    ['cluster_current_epoch', st.currentEpoch],
    ['cluster_my_epoch', st.myself.shownEpoch],
  ];
  const stats = (map: Map<string, number>, dir: string) => {
    let total = 0;
    // Per type in wire order (Redis's), the types never seen left out.
    for (const type of MSG_TYPES) {
      const v = map.get(type) ?? 0;
      total += v;
      if (v > 0) lines.push([`cluster_stats_messages_${type}_${dir}`, v]);
    }
    lines.push([`cluster_stats_messages_${dir}`, total]);
  };
  stats(cl.sent, 'sent');
  stats(cl.received, 'received');
  lines.push(['total_cluster_links_buffer_limit_exceeded', 0]);
  return lines.map(([k, v]) => `${k}:${v}\r\n`).join('');
}

/** Runs of consecutive slots with the same owner: [start, end, owner]. */
function ownerRuns(cl: Cluster): [number, number, ClusterNode][] {
  const runs: [number, number, ClusterNode][] = [];
  const slots = cl.state.slots;
  for (let s = 0; s < SLOT_COUNT; s++) {
    const n = slots[s];
    if (!n) continue;
    const last = runs[runs.length - 1];
    if (last && last[2] === n && last[1] === s - 1) last[1] = s;
    else runs.push([s, s, n]);
  }
  return runs;
}

const liveReplicas = (m: ClusterNode) => [...m.replicas].filter((r) => !r.fail);

export function replySlots(cl: Cluster, reply: ReplyWriter): void {
  const runs = ownerRuns(cl);
  reply.array(runs.length);
  for (const [a, b, m] of runs) {
    const nodes = [m, ...liveReplicas(m)];
    reply.array(2 + nodes.length);
    reply.int(a);
    reply.int(b);
    for (const n of nodes) {
      reply.array(4);
      reply.bulk(n.ip);
      reply.int(n.port);
      reply.bulk(n.id);
      reply.map(0); // metadata (hostname): none
    }
  }
}

/** A map of simple fields: strings as bulk strings, numbers as integers. */
function fieldMap(reply: ReplyWriter, fields: [string, string | number][]): void {
  reply.map(fields.length);
  for (const [k, v] of fields) {
    reply.bulk(k);
    if (typeof v === 'number') reply.int(v);
    else reply.bulk(v);
  }
}

/** Redis's shard health: fail (FAIL flag), loading (a replica with nothing replicated yet), online. */
function health(n: ClusterNode, offset: number): string {
  if (n.fail) return 'fail';
  return !n.isMaster && offset === 0 ? 'loading' : 'online';
}

export function replyShards(cl: Cluster, reply: ReplyWriter): void {
  const masters = [...cl.state.nodes.values()].filter((n) => n.isMaster && !n.handshake);
  const myOffset = cl.repl.offset();
  reply.array(masters.length);
  for (const m of masters) {
    reply.map(2);
    reply.bulk('slots');
    const ranges = m.ranges();
    reply.array(ranges.length * 2);
    for (const [a, b] of ranges) {
      reply.int(a);
      reply.int(b);
    }
    reply.bulk('nodes');
    const nodes = [m, ...m.replicas];
    reply.array(nodes.length);
    for (const n of nodes) {
      const offset = n.myself ? myOffset : n.replOffset;
      fieldMap(reply, [
        ['id', n.id], ['port', n.port], ['ip', n.ip], ['endpoint', n.ip], ['role', n.isMaster ? 'master' : 'replica'],
        ['replication-offset', offset], ['health', health(n, offset)],
      ]);
    }
  }
}

export function replyLinks(cl: Cluster, reply: ReplyWriter): void {
  // Per node, its outbound ("to") link then its inbound ("from") one, as Redis lists them.
  const inbound = new Map<string, BusLink>();
  for (const l of cl.inboundLinks()) if (l.nodeId && !l.closed) inbound.set(l.nodeId, l);
  const rows: { dir: 'to' | 'from'; node: ClusterNode; created: number }[] = [];
  for (const n of cl.state.nodes.values()) {
    if (n.myself) continue;
    const l = cl.links.get(n.id);
    if (l && n.linkUp) rows.push({ dir: 'to', node: n, created: l.createdAt });
    const i = inbound.get(n.id);
    if (i) rows.push({ dir: 'from', node: n, created: i.createdAt });
  }
  reply.array(rows.length);
  for (const r of rows) {
    fieldMap(reply, [
      ['direction', r.dir], ['node', r.node.id], ['create-time', r.created], ['events', 'r'],
      ['send-buffer-allocated', 0], ['send-buffer-used', 0],
    ]);
  }
}
