// What bus messages mean. Every message carries the sender's header (id, address, role, epochs,
// the slots of its shard, replication offset); PING/PONG/MEET add a gossip section about the other
// nodes. A receiver learns new nodes, roles and slot owners from them (the higher config epoch wins
// a slot), answers stale claims with UPDATE, and feeds failure reports to failure.ts.
import { onBusPublish } from './pubsub.js';
import type { BusLink } from './bus.js';
import type { Cluster } from './cluster.js';
import { SLOT_COUNT } from './crc16.js';
import { clearFailIfReachable, noteReport } from './failure.js';
import { handleFailoverMessage } from './failover.js';
import { ClusterNode } from './node.js';
import { formatRanges, parseRanges, type SlotRange } from './slots.js';

/** [id, ip, port, cport, flags] of a node the sender knows. */
export type Gossip = [string, string, number, number, string];

export interface Msg {
  t: 'ping' | 'pong' | 'meet' | 'fail' | 'update' | 'auth-req' | 'auth-ack' | 'mf-start' | 'publish' | 'publishshard';
  id: string;
  /** The announced ip, or '' (the receiver then uses the socket's peer address). */
  ip: string;
  port: number;
  cport: number;
  master: string | null;
  nofailover: boolean;
  epoch: number;
  /** Config epoch of the sender's shard (a replica sends its master's). */
  cfg: number;
  /** The sender's shard's slots as `0-5460,5462`. */
  slots: string;
  off: number;
  /** Manual failover: the master has paused writes and `off` is final. */
  paused?: boolean;
  gossip?: Gossip[];
  fail?: string;
  upd?: { id: string; cfg: number; slots: string };
  /** Election request of a manual failover: vote even though the master is not failing. */
  force?: boolean;
  /** PUBLISH / PUBLISHSHARD: channel and message, base64 (cluster/pubsub.ts). */
  pub?: [string, string];
}

const slotsText = (n: ClusterNode) => formatRanges(n.ranges(), ',');

export function makeHeader(c: Cluster, t: Msg['t']): Msg {
  const me = c.myself;
  const shard = me.isMaster ? me : me.master;
  const cfg = c.srv.config;
  const msg: Msg = {
    t,
    id: me.id,
    ip: cfg.get('cluster-announce-ip'),
    port: cfg.int('cluster-announce-port') || cfg.int('port'),
    cport: cfg.int('cluster-announce-bus-port') || busPortOf(c),
    master: me.isMaster ? null : me.masterId,
    nofailover: me.nofailover,
    epoch: c.state.currentEpoch,
    cfg: shard ? shard.configEpoch : 0,
    slots: shard ? slotsText(shard) : '',
    off: c.repl.offset(),
  };
  if (c.failover.pausedUntil > Date.now()) msg.paused = true;
  if (t === 'ping' || t === 'pong' || t === 'meet') {
    msg.gossip = [];
    for (const n of c.state.nodes.values()) {
      if (n.myself || n.handshake) continue;
      msg.gossip.push([n.id, n.ip, n.port, n.cport, n.flagsText()]);
    }
  }
  return msg;
}

export function busPortOf(c: Cluster): number {
  return c.srv.config.int('cluster-port') || c.srv.config.int('port') + 10000;
}

function addPeer(c: Cluster, id: string, ip: string, port: number, cport: number): ClusterNode {
  const n = new ClusterNode(id);
  n.ip = ip;
  n.port = port;
  n.cport = cport;
  c.state.addNode(n);
  return n;
}

export function handleMessage(c: Cluster, link: BusLink, msg: Msg): void {
  if (!msg || typeof msg.t !== 'string' || typeof msg.id !== 'string') return link.close();
  c.count(c.received, msg.t);
  const st = c.state;
  const me = st.myself;
  const now = Date.now();
  if (link.inbound && link.nodeId === null) {
    link.nodeId = msg.id;
    c.trackInbound(link);
  }
  // A node learns its own address from the peers that reach it (unless it announces one).
  if (link.inbound && (msg.t === 'meet' || me.ip === '') && !c.srv.config.get('cluster-announce-ip')) {
    const ip = link.localAddress;
    if (ip && ip !== me.ip) {
      me.ip = ip;
      st.dirty = true;
    }
  }
  const senderIp = msg.ip || link.remoteAddress;
  let sender = st.node(msg.id);
  if (sender?.handshake || sender === me) sender = undefined;
  if (!sender && msg.t === 'meet' && !st.forgotten.has(msg.id)) sender = addPeer(c, msg.id, senderIp, msg.port, msg.cport);
  if (msg.t === 'pong' && !link.inbound) sender = onPong(c, link, msg, now) ?? sender;
  if (sender) {
    sender.dataReceived = now;
    if (msg.epoch > st.currentEpoch) {
      st.currentEpoch = msg.epoch;
      st.dirty = true;
    }
    if (msg.master === null && msg.cfg > sender.configEpoch) {
      sender.configEpoch = msg.cfg;
      st.dirty = true;
    }
    if (msg.t === 'ping' || msg.t === 'pong' || msg.t === 'meet') {
      updateAddress(c, sender, senderIp, msg);
      updateRole(c, sender, msg);
      updateSlots(c, sender, msg);
      for (const g of msg.gossip ?? []) onGossip(c, sender, g);
    }
  }
  if (msg.t === 'fail') onFail(c, msg.fail);
  else if (msg.t === 'update' && msg.upd) onUpdate(c, msg.upd);
  else if (sender && (msg.t === 'publish' || msg.t === 'publishshard')) onBusPublish(c, msg);
  else if (sender) handleFailoverMessage(c, sender, msg);
  if (msg.t === 'ping' || msg.t === 'meet') c.reply(link, 'pong');
  if (st.dirty) {
    c.updateState();
    c.saveSoon();
  }
}

/** A PONG on our own link: the node is alive; a handshake node learns its real id here. */
function onPong(c: Cluster, link: BusLink, msg: Msg, now: number): ClusterNode | undefined {
  const n = link.nodeId ? c.state.node(link.nodeId) : undefined;
  if (!n) return undefined;
  if (n.handshake) {
    if (c.state.node(msg.id)) {
      c.forget(n); // we already knew it under its real id
      return undefined;
    }
    const old = n.id;
    c.state.rename(n, msg.id);
    c.relink(old, n);
    n.handshake = false;
  } else if (n.id !== msg.id) {
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

function updateAddress(c: Cluster, n: ClusterNode, ip: string, msg: Msg): void {
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

function updateRole(c: Cluster, n: ClusterNode, msg: Msg): void {
  const st = c.state;
  n.nofailover = msg.nofailover;
  n.replOffset = msg.off;
  if (msg.master === null) {
    if (!n.isMaster) st.setMaster(n, null, 'master');
    return;
  }
  if (n.isMaster) {
    for (let s = 0; s < SLOT_COUNT; s++) if (st.slots[s] === n) st.unassign(s);
  }
  const m = st.node(msg.master);
  if (m && !m.handshake) {
    if (n.master !== m) st.setMaster(n, m);
  } else {
    st.setMaster(n, null, 'slave');
    n.masterId = msg.master;
  }
}

function sameSlots(n: ClusterNode, claimed: SlotRange[]): boolean {
  let count = 0;
  for (const [a, b] of claimed) {
    for (let s = a; s <= b; s++) if (n.slots[s] !== 1) return false;
    count += b - a + 1;
  }
  return count === n.numSlots;
}

function updateSlots(c: Cluster, sender: ClusterNode, msg: Msg): void {
  const shard = sender.isMaster ? sender : sender.master;
  if (!shard) return;
  const claimed = parseRanges(msg.slots, ',');
  if (sameSlots(shard, claimed)) {
    resolveEpochCollision(c, sender);
    return;
  }
  if (sender.isMaster) updateSlotsFrom(c, sender, msg.cfg, claimed);
  // The sender claims slots someone newer owns: tell it (it may have been away during a failover).
  for (const [a, b] of claimed) {
    for (let s = a; s <= b; s++) {
      const owner = c.state.slots[s];
      if (!owner || owner === sender) continue;
      if (owner.configEpoch > msg.cfg) {
        c.send(sender, 'update', { upd: { id: owner.id, cfg: owner.configEpoch, slots: slotsText(owner) } });
        return;
      }
    }
  }
  resolveEpochCollision(c, sender);
}

/** Two masters with the same config epoch: the one with the smaller id takes a new epoch. */
function resolveEpochCollision(c: Cluster, sender: ClusterNode): void {
  const me = c.myself;
  if (!sender.isMaster || !me.isMaster || sender.configEpoch !== me.configEpoch || me.id > sender.id) return;
  me.configEpoch = c.state.bumpEpoch();
  c.srv.log.verbose(`WARNING: configEpoch collision with node ${sender.id}. configEpoch set to ${me.configEpoch}`);
}

/**
 * The sender (a master) claims slots with config epoch `epoch`: it wins every slot whose owner has an
 * older epoch, except slots we are importing. If that leaves my shard without slots, I follow it.
 */
export function updateSlotsFrom(c: Cluster, sender: ClusterNode, epoch: number, claimed: SlotRange[]): void {
  const st = c.state;
  const me = st.myself;
  const shard = me.isMaster ? me : me.master;
  let takenFromShard = 0;
  let changed = 0;
  const lostWithKeys: number[] = [];
  for (const [a, b] of claimed) {
    for (let s = a; s <= b; s++) {
      const owner = st.slots[s];
      if (owner === sender || st.importing.has(s)) continue;
      if (owner && owner.configEpoch >= epoch) continue;
      if (owner === me && c.keys.countInSlot(s) > 0) lostWithKeys.push(s);
      if (owner && owner === shard) takenFromShard++;
      st.assign(s, sender);
      changed++;
    }
  }
  if (changed === 0) return;
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

function onGossip(c: Cluster, sender: ClusterNode, g: Gossip): void {
  if (!Array.isArray(g) || g.length < 5) return;
  const [id, ip, port, cport, flags] = g;
  const n = c.state.node(id);
  if (n) {
    if (n.myself || !sender.isMaster) return;
    noteReport(c, n, sender, flags.includes('fail'));
    return;
  }
  if (c.state.forgotten.has(id) || !ip || flags.includes('handshake') || flags.includes('noaddr')) return;
  addPeer(c, id, ip, port, cport);
}

function onFail(c: Cluster, id: string | undefined): void {
  const n = id ? c.state.node(id) : undefined;
  if (!n || n.myself || n.fail) return;
  n.fail = true;
  n.pfail = false;
  n.failTime = Date.now();
  c.state.dirty = true;
}

function onUpdate(c: Cluster, upd: NonNullable<Msg['upd']>): void {
  const n = c.state.node(upd.id);
  if (!n || n.myself || n.configEpoch >= upd.cfg) return;
  if (!n.isMaster) c.state.setMaster(n, null, 'master');
  n.configEpoch = upd.cfg;
  c.state.dirty = true;
  updateSlotsFrom(c, n, upd.cfg, parseRanges(upd.slots, ','));
}
