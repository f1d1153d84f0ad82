// The configuration changes behind CLUSTER MEET / ADDSLOTS / DELSLOTS / SETSLOT / REPLICATE / FORGET /
// RESET / SET-CONFIG-EPOCH / BUMPEPOCH: validation with Redis's error texts, then the change. Each
// returns an error reply text or null; the command layer saves nodes.conf and replies.
import net from 'node:net';
import type { Cluster } from './cluster.js';
import { SLOT_COUNT } from './crc16.js';
import { ClusterNode, randomNodeId } from './node.js';

const FORGET_TTL_MS = 60_000;

export function meet(cl: Cluster, ip: string, port: number, cport: number): string | null {
  const validPort = (p: number) => p >= 0 && p <= 65535;
  const family = net.isIP(ip); // an IPv4 address never reaches Node's costly IPv6 regex
  if (family === 0 || !validPort(port) || !validPort(cport)) return `ERR Invalid node address specified: ${ip}:${port}`;
  const norm = family === 6 ? ip.toLowerCase() : ip;
  for (const n of cl.state.nodes.values()) if (n.handshake && n.ip === norm && n.port === port && n.cport === cport) return null;
  const n = new ClusterNode(randomNodeId());
  n.ip = norm;
  n.port = port;
  n.cport = cport;
  n.handshake = true;
  n.handshakeStart = Date.now();
  cl.state.addNode(n);
  cl.connectSoon(n);
  return null;
}

/** ADDSLOTS / DELSLOTS over a list of slots, all or nothing. */
export function changeSlots(cl: Cluster, slots: number[], add: boolean): string | null {
  const st = cl.state;
  const seen = new Set<number>();
  for (const s of slots) {
    if (add && st.slots[s]) return `ERR Slot ${s} is already busy`;
    if (!add && !st.slots[s]) return `ERR Slot ${s} is already unassigned`;
    if (seen.has(s)) return `ERR Slot ${s} specified multiple times`;
    seen.add(s);
  }
  for (const s of slots) {
    // Either way the slot is no longer being imported; as in Redis 7.0 a migrating state survives
    // DELSLOTS (the node still holds the keys it was sending), so 'cluster fix' still sees it open.
    st.importing.delete(s);
    if (add) st.assign(s, st.myself);
    else st.unassign(s);
  }
  return null;
}

/**
 * CLUSTER SETSLOT <slot> IMPORTING|MIGRATING|NODE <id> | STABLE. Marks the state dirty only when
 * something changed (a reshard sends SETSLOT NODE to every master, most of which already learned the
 * new owner from the importer's PONG), and like Redis 7.0 only the importer closing an import
 * broadcasts a PONG: the others learn the owner from it (its epoch is the newest).
 */
export function setSlot(cl: Cluster, slot: number, action: string, id: string | undefined): string | null {
  const st = cl.state;
  const me = st.myself;
  if (!me.isMaster) return 'ERR Please use SETSLOT only with masters.';
  const target = id === undefined ? undefined : st.node(id);
  const mustBeMaster = (unknownText: string): string | null => {
    if (!target) return `${unknownText} ${id}`;
    return target.isMaster ? null : 'ERR Target node is not a master';
  };
  const setOpen = (m: Map<number, ClusterNode>, n: ClusterNode | undefined) => {
    if (m.get(slot) === n) return;
    if (n) m.set(slot, n);
    else m.delete(slot);
    st.dirty = true;
  };
  let err: string | null;
  switch (action) {
    case 'migrating':
      if (st.slots[slot] !== me) return `ERR I'm not the owner of hash slot ${slot}`;
      if ((err = mustBeMaster("ERR I don't know about node"))) return err;
      setOpen(st.migrating, target);
      break;
    case 'importing':
      if (st.slots[slot] === me) return `ERR I'm already the owner of hash slot ${slot}`;
      if ((err = mustBeMaster("ERR I don't know about node"))) return err;
      setOpen(st.importing, target);
      break;
    case 'stable':
      setOpen(st.migrating, undefined);
      setOpen(st.importing, undefined);
      break;
    case 'node': {
      if ((err = mustBeMaster('ERR Unknown node'))) return err;
      const n = target as ClusterNode;
      const keys = cl.keys.countInSlot(slot);
      if (st.slots[slot] === me && n !== me && keys !== 0) {
        return `ERR Can't assign hashslot ${slot} to a different node while I still hold keys for this hash slot.`;
      }
      if (keys === 0) setOpen(st.migrating, undefined);
      // Closing an import: take a new epoch so the new ownership wins everywhere (no vote needed),
      // fsynced before the reply as Redis does, and tell everyone at once.
      if (n === me && st.importing.has(slot)) {
        setOpen(st.importing, undefined);
        if (bumpEpochWithoutConsensus(cl)) {
          cl.srv.log.notice(`configEpoch updated after importing slot ${slot}`);
          cl.saveSoon(true);
        }
        cl.broadcastPong();
      }
      st.assign(slot, n); // dirty only if the owner changed
      break;
    }
    default:
      return 'ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP';
  }
  return null;
}

/** Takes currentEpoch+1 as my config epoch unless mine is already the unique maximum. */
export function bumpEpochWithoutConsensus(cl: Cluster): boolean {
  const st = cl.state;
  const me = st.myself;
  let max = st.currentEpoch;
  for (const n of st.nodes.values()) max = Math.max(max, n.configEpoch);
  if (me.configEpoch !== 0 && me.configEpoch === max) return false;
  st.currentEpoch = max + 1;
  me.configEpoch = st.currentEpoch;
  st.dirty = true;
  return true;
}

export function replicate(cl: Cluster, id: string): string | null {
  const st = cl.state;
  const n = st.node(id);
  if (!n) return `ERR Unknown node ${id}`;
  if (n.myself) return "ERR Can't replicate myself";
  if (!n.isMaster) return 'ERR I can only replicate a master, not a replica.';
  if (st.myself.isMaster && (st.myself.numSlots !== 0 || cl.srv.dbs[0].size !== 0)) {
    return 'ERR To set a master the node must be empty and without assigned slots.';
  }
  cl.setMyMaster(n);
  cl.broadcastPong();
  return null;
}

export function forget(cl: Cluster, id: string): string | null {
  const st = cl.state;
  const n = st.node(id);
  if (!n) return `ERR Unknown node ${id}`;
  if (n.myself) return "ERR I tried hard but I can't forget myself...";
  if (st.myself.master === n) return "ERR Can't forget my master!";
  st.forgotten.set(id, Date.now() + FORGET_TTL_MS);
  cl.forget(n);
  return null;
}

/** CLUSTER RESET: forget everyone, drop slots, become an empty master (HARD: new id and epochs). */
export function reset(cl: Cluster, hard: boolean): string | null {
  const st = cl.state;
  const me = st.myself;
  if (me.isMaster && cl.srv.dbs[0].size !== 0) return "ERR CLUSTER RESET can't be called with master nodes containing keys";
  if (!me.isMaster) {
    st.setMaster(me, null, 'master');
    cl.repl.promote();
    for (const db of cl.srv.dbs) db.clear();
  }
  for (let s = 0; s < SLOT_COUNT; s++) st.unassign(s);
  st.migrating.clear();
  st.importing.clear();
  for (const n of [...st.nodes.values()]) if (!n.myself) cl.forget(n);
  if (hard) {
    st.currentEpoch = 0;
    st.lastVoteEpoch = 0;
    me.configEpoch = 0;
    st.rename(me, randomNodeId());
  }
  st.dirty = true;
  return null;
}

export function setConfigEpoch(cl: Cluster, epoch: number): string | null {
  const st = cl.state;
  if (epoch < 0) return `ERR Invalid config epoch specified: ${epoch}`;
  if (st.nodes.size > 1) return 'ERR The user can assign a config epoch only when the node does not know any other node.';
  if (st.myself.configEpoch !== 0) return 'ERR Node config epoch is already non-zero';
  st.myself.configEpoch = epoch;
  if (st.currentEpoch < epoch) st.currentEpoch = epoch;
  st.dirty = true;
  return null;
}
