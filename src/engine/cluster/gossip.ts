// What bus messages mean. Every message carries the sender's header (id, address, role, epochs,
// the slots of its shard, replication offset); PING/PONG/MEET add a gossip section about the other
// nodes. A receiver learns new nodes, roles and slot owners from them (the higher config epoch wins
// a slot), answers stale claims with UPDATE, and feeds failure reports to failure.ts. The messages
// are Redis 7.0's binary ones (wire.ts), so redis-server nodes and engine nodes share one cluster.
import net from 'node:net';
import { onBusPublish } from './pubsub.js';
import type { BusLink } from './bus.js';
import type { Cluster } from './cluster.js';
import { SLOT_COUNT } from './crc16.js';
import { clearFailIfReachable, noteReport } from './failure.js';
import { handleFailoverMessage } from './failover.js';
import { EMPTY_SLOTS, shardBitmap } from './message.js';
import { ClusterNode } from './node.js';
import { NODE, slotsAdded, type BusMsg, type GossipEntry } from './wire.js';

export { busPortOf } from './message.js';

const isNodeName = (id: string): boolean => /^[0-9a-f]{40}$/.test(id);

function addPeer(c: Cluster, id: string, ip: string, port: number, cport: number): ClusterNode {
  const n = new ClusterNode(id);
  n.ip = ip;
  n.port = port;
  n.cport = cport;
  c.state.addNode(n);
  c.connectSoon(n);
  return n;
}

export function handleMessage(c: Cluster, link: BusLink, msg: BusMsg): void {
  c.count(c.received, msg.type);
  const st = c.state;
  const me = st.myself;
  const now = Date.now();
  if (link.inbound && link.nodeId === null) {
    link.nodeId = msg.sender;
    c.trackInbound(link);
  }
  // A node learns its own address from the peers that reach it (unless it announces one).
  if (link.inbound && (msg.type === 'meet' || me.ip === '') && !c.srv.config.get('cluster-announce-ip')) {
    const ip = link.localAddress;
    if (ip && ip !== me.ip) {
      me.ip = ip;
      st.dirty = true;
    }
  }
  // '' (no announced address) first: net.isIP('') compiles Node's IPv6 regex (~10 ms per process).
  const senderIp = msg.myip !== '' && net.isIP(msg.myip) !== 0 ? msg.myip : link.remoteAddress;
  let sender = st.node(msg.sender);
  if (sender?.handshake || sender === me) sender = undefined;
  if (!sender && msg.type === 'meet' && !st.forgotten.has(msg.sender) && isNodeName(msg.sender)) sender = addPeer(c, msg.sender, senderIp, msg.port, msg.cport);
  if (msg.type === 'pong' && !link.inbound) sender = onPong(c, link, msg, now) ?? sender;
  if (sender) {
    sender.dataReceived = now;
    if (msg.currentEpoch > st.currentEpoch) {
      st.currentEpoch = msg.currentEpoch;
      st.dirty = true;
      st.fsyncDue = true;
    }
    if (msg.slaveof === null && msg.configEpoch > sender.configEpoch) {
      sender.configEpoch = msg.configEpoch;
      st.dirty = true;
      st.fsyncDue = true;
    }
    if (msg.type === 'ping' || msg.type === 'pong' || msg.type === 'meet') {
      updateAddress(c, sender, senderIp, msg);
      updateRole(c, sender, msg);
      updateSlots(c, sender, msg);
      for (const g of msg.gossip) onGossip(c, sender, g);
    }
  }
  // FAIL, UPDATE and the rest count only from a known sender, as Redis.
  if (sender && msg.type === 'fail') onFail(c, msg.failing);
  else if (sender && msg.type === 'update' && msg.update) onUpdate(c, msg.update);
  else if (sender && (msg.type === 'publish' || msg.type === 'publishshard')) onBusPublish(c, msg);
  else if (sender) handleFailoverMessage(c, sender, msg);
  if (msg.type === 'ping' || msg.type === 'meet') c.reply(link, 'pong');
  if (st.dirty) {
    c.updateState();
    c.saveSoon();
  }
}

/** A PONG on our own link: the node is alive; a handshake node learns its real id here. */
function onPong(c: Cluster, link: BusLink, msg: BusMsg, now: number): ClusterNode | undefined {
  const n = link.nodeId ? c.state.node(link.nodeId) : undefined;
  if (!n) return undefined;
  if (n.handshake) {
    if (c.state.node(msg.sender)) {
      c.forget(n); // we already knew it under its real id
      return undefined;
    }
    const old = n.id;
    c.state.rename(n, msg.sender);
    c.relink(old, n);
    n.handshake = false;
  } else if (n.id !== msg.sender) {
    c.dropLink(n); // someone else answers at that address now
    return undefined;
  }
  n.pingSent = 0;
  n.pongReceived = now;
  if (n.pfail) {
    n.pfail = false;
    c.state.dirty = true;
  }
  clearFailIfReachable(c, n, now);
  return n;
}

function updateAddress(c: Cluster, n: ClusterNode, ip: string, msg: BusMsg): void {
  if (n.ip === ip && n.port === msg.port && n.cport === msg.cport) return;
  n.ip = ip;
  n.port = msg.port;
  n.cport = msg.cport;
  n.noaddr = false;
  c.dropLink(n); // reconnect to the new address
  c.state.dirty = true;
  // My master moved (restarted elsewhere): follow it there.
  if (c.myself.master === n) c.repl.replicaOf(n.ip, n.port);
}

function updateRole(c: Cluster, n: ClusterNode, msg: BusMsg): void {
  const st = c.state;
  n.nofailover = (msg.flags & NODE.nofailover) !== 0;
  n.replOffset = msg.offset;
  if (msg.slaveof === null) {
    if (!n.isMaster) st.setMaster(n, null, 'master');
    return;
  }
  // numSlots first: a master without slots (every replica-to-be of a new cluster) skips the scan.
  if (n.isMaster && n.numSlots > 0) {
    for (let s = 0; s < SLOT_COUNT; s++) if (st.slots[s] === n) st.unassign(s);
  }
  const m = st.node(msg.slaveof);
  if (m && !m.handshake) {
    if (n.master !== m) st.setMaster(n, m);
  } else {
    st.setMaster(n, null, 'slave');
    n.masterId = msg.slaveof;
  }
}

function updateSlots(c: Cluster, sender: ClusterNode, msg: BusMsg): void {
  const shard = sender.isMaster ? sender : sender.master;
  if (!shard) return;
  const known = shardBitmap(shard);
  if (Buffer.compare(known, msg.slots) === 0) {
    resolveEpochCollision(c, sender);
    return;
  }
  // A master's claims on slots we already know it owns change nothing below (both skip the sender's
  // own slots), so only the added ones are looked at. A replica never owns a slot: all its claims are.
  const claims = slotsAdded(msg.slots, sender.isMaster ? known : EMPTY_SLOTS);
  if (sender.isMaster) updateSlotsFrom(c, sender, msg.configEpoch, claims);
  // The sender claims slots someone newer owns: tell it (it may have been away during a failover).
  for (const s of claims) {
    const owner = c.state.slots[s];
    if (!owner || owner === sender) continue;
    if (owner.configEpoch > msg.configEpoch) {
      c.send(sender, 'update', { update: { id: owner.id, configEpoch: owner.configEpoch, slots: shardBitmap(owner) } });
      return;
    }
  }
  resolveEpochCollision(c, sender);
}

/** Two masters with the same config epoch: the one with the smaller id takes a new epoch. */
function resolveEpochCollision(c: Cluster, sender: ClusterNode): void {
  const me = c.myself;
  if (!sender.isMaster || !me.isMaster || sender.configEpoch !== me.configEpoch || me.id > sender.id) return;
  me.configEpoch = c.state.bumpEpoch();
  c.state.fsyncDue = true;
  c.srv.log.verbose(`WARNING: configEpoch collision with node ${sender.id}. configEpoch set to ${me.configEpoch}`);
}

/**
 * The sender (a master) claims `claimed` (slots, ascending) with config epoch `epoch`: it wins every
 * slot whose owner has an older epoch, except slots we are importing. If that leaves my shard without
 * slots, I follow it.
 */
export function updateSlotsFrom(c: Cluster, sender: ClusterNode, epoch: number, claimed: readonly number[]): void {
  const st = c.state;
  const me = st.myself;
  const shard = me.isMaster ? me : me.master;
  let takenFromShard = 0;
  let changed = 0;
  const lostWithKeys: number[] = [];
  for (const s of claimed) {
    const owner = st.slots[s];
    if (owner === sender || st.importing.has(s)) continue;
    if (owner && owner.configEpoch >= epoch) continue;
    if (owner === me && c.keys.countInSlot(s) > 0) lostWithKeys.push(s);
    if (owner && owner === shard) takenFromShard++;
    st.assign(s, sender);
    changed++;
  }
  if (changed === 0) return;
  st.fsyncDue = true;
  if (takenFromShard > 0 && shard && shard.numSlots === 0 && (c.srv.config.bool('cluster-allow-replica-migration') || shard === me)) {
    c.srv.log.notice(`Configuration change detected. Reconfiguring myself as a replica of ${sender.id}`);
    c.setMyMaster(sender);
    c.broadcastPong(); // my new role
  } else {
    for (const s of lostWithKeys) c.purgeSlot(s);
  }
  // No PONG for a plain slot update (as Redis): the sender already told everyone, and echoing it from
  // every receiver doubled the bus traffic of each slot of a reshard.
}

function onGossip(c: Cluster, sender: ClusterNode, g: GossipEntry): void {
  const n = c.state.node(g.id);
  if (n) {
    if (n.myself || !sender.isMaster) return;
    noteReport(c, n, sender, (g.flags & (NODE.pfail | NODE.fail)) !== 0);
    return;
  }
  if (c.state.forgotten.has(g.id) || g.ip === '' || net.isIP(g.ip) === 0 || g.port === 0 || (g.flags & (NODE.handshake | NODE.noaddr)) !== 0) return;
  if (!isNodeName(g.id)) return;
  addPeer(c, g.id, g.ip, g.port, g.cport).meetOnConnect = true;
}

function onFail(c: Cluster, id: string | undefined): void {
  const n = id ? c.state.node(id) : undefined;
  if (!n || n.myself || n.fail) return;
  n.fail = true;
  n.pfail = false;
  n.failTime = Date.now();
  c.state.dirty = true;
}

function onUpdate(c: Cluster, upd: NonNullable<BusMsg['update']>): void {
  const n = c.state.node(upd.id);
  if (!n || n.myself || n.configEpoch >= upd.configEpoch) return;
  if (!n.isMaster) c.state.setMaster(n, null, 'master');
  n.configEpoch = upd.configEpoch;
  c.state.dirty = true;
  c.state.fsyncDue = true;
  updateSlotsFrom(c, n, upd.configEpoch, slotsAdded(upd.slots, shardBitmap(n)));
}
