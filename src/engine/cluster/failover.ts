// Replica promotion. Automatic: when its master is FAIL a replica waits a delay growing with its
// rank (replicas with more data go first), asks every master for a vote in a new epoch and, with a
// majority, takes the master's slots with that epoch. Manual (CLUSTER FAILOVER): the master pauses
// writes and sends its final offset; the replica catches up to it, then runs a forced election.
import type { Client } from '../client.js';
import type { Cluster } from './cluster.js';
import { hold, release } from './hold.js';
import type { ClusterNode } from './node.js';
import { hasSlot, type BusMsg } from './wire.js';

const MF_TIMEOUT_MS = 5000;

export interface FailoverState {
  /** When this replica may ask for votes (0: no election scheduled). */
  authTime: number;
  authSent: boolean;
  authEpoch: number;
  authCount: number;
  authRank: number;
  /** Replica side of a manual failover: deadline (0: none), master's final offset (-1: unknown). */
  mfEnd: number;
  mfMasterOffset: number;
  mfCanStart: boolean;
  /** Master side: writes are held back until then (a replica is taking over). */
  pausedUntil: number;
  /** Master side: the replica taking over, pinged on every cron tick meanwhile (pings.ts). */
  mfReplica: ClusterNode | null;
  /** Clients whose writes wait for the pause to end. */
  readonly held: Set<Client>;
}

export const newFailoverState = (): FailoverState => ({
  authTime: 0, authSent: false, authEpoch: 0, authCount: 0, authRank: 0,
  mfEnd: 0, mfMasterOffset: -1, mfCanStart: false, pausedUntil: 0, mfReplica: null, held: new Set(),
});

/** A write reached a master paused for a manual failover: it waits (then runs, or gets MOVED). */
export function holdWrite(c: Cluster, client: Client): void {
  c.failover.held.add(client);
  hold(client, c.failover.pausedUntil, () => {
    c.failover.held.delete(client);
    release(c.srv, client);
  });
}

function releaseHeld(c: Cluster): void {
  const clients = [...c.failover.held];
  c.failover.held.clear();
  for (const client of clients) release(c.srv, client);
}

export function resetManualFailover(c: Cluster): void {
  const f = c.failover;
  f.mfEnd = 0;
  f.mfMasterOffset = -1;
  f.mfCanStart = false;
  f.pausedUntil = 0;
  f.mfReplica = null;
  releaseHeld(c);
}

/** CLUSTER FAILOVER on a replica: default (coordinated), FORCE (no handshake) or TAKEOVER (no vote). */
export function startManualFailover(c: Cluster, mode: 'default' | 'force' | 'takeover'): void {
  const f = c.failover;
  resetManualFailover(c);
  if (mode === 'takeover') {
    c.srv.log.notice('Taking over the master (user request).');
    takeOver(c, c.state.bumpEpoch());
    return;
  }
  f.mfEnd = Date.now() + MF_TIMEOUT_MS;
  f.authTime = 0;
  if (mode === 'force') {
    c.srv.log.notice('Forced failover user request accepted.');
    f.mfCanStart = true;
  } else {
    c.srv.log.notice('Manual failover user request accepted.');
    const master = c.myself.master;
    if (master) c.send(master, 'mfstart');
  }
}

/** Position among the master's replicas by replication offset (0 = most data). */
function rankOf(c: Cluster, master: ClusterNode): number {
  const mine = c.repl.offset();
  let rank = 0;
  for (const r of master.replicas) if (r !== c.myself && r.replOffset > mine) rank++;
  return rank;
}

export function failoverCron(c: Cluster, now: number): void {
  const f = c.failover;
  if (f.pausedUntil && now > f.pausedUntil) {
    f.pausedUntil = 0;
    f.mfReplica = null;
    releaseHeld(c);
  }
  if (f.mfEnd && now > f.mfEnd) {
    c.srv.log.warning('Manual failover timed out.');
    resetManualFailover(c);
  }
  if (f.mfEnd && !f.mfCanStart && f.mfMasterOffset >= 0 && c.repl.offset() >= f.mfMasterOffset) {
    f.mfCanStart = true;
    c.srv.log.notice('All master replication stream processed, manual failover can start.');
  }
  const me = c.myself;
  const master = me.master;
  if (me.isMaster || !master) return;
  const manual = f.mfEnd > 0 && f.mfCanStart;
  if (!manual && (!master.fail || master.numSlots === 0 || me.nofailover || c.srv.config.bool('cluster-replica-no-failover'))) return;
  if (!manual && !dataFreshEnough(c, master, now)) return;
  const authTimeout = Math.max(c.nodeTimeout * 2, 2000);
  if (f.authTime === 0 || now - f.authTime > authTimeout * 2) {
    f.authRank = manual ? 0 : rankOf(c, master);
    f.authTime = manual ? now : now + 200 + Math.floor(Math.random() * 200) + f.authRank * 400;
    f.authSent = false;
    f.authCount = 0;
    // Tell the other replicas my offset now, so their ranks are right.
    c.broadcast('pong', {}, (n) => n.master === master);
    return;
  }
  if (!f.authSent && !manual) {
    const rank = rankOf(c, master);
    if (rank > f.authRank) {
      f.authTime += (rank - f.authRank) * 400;
      f.authRank = rank;
    }
  }
  if (now < f.authTime || now - f.authTime > authTimeout) return;
  if (!f.authSent) {
    f.authEpoch = c.state.bumpEpoch();
    f.authSent = true;
    c.save(true);
    c.srv.log.notice(`Starting a failover election for epoch ${f.authEpoch}.`);
    c.broadcast('auth-req', { forceAck: manual }, (n) => n.isMaster);
    return;
  }
  if (f.authCount >= c.state.quorum) {
    c.srv.log.notice('Failover election won: I\'m the new master.');
    takeOver(c, f.authEpoch);
  }
}

/** The data of a replica cut off from its master for too long is not worth promoting. */
function dataFreshEnough(c: Cluster, master: ClusterNode, now: number): boolean {
  const factor = c.srv.config.int('cluster-replica-validity-factor');
  if (factor === 0 || master.pongReceived === 0) return true;
  const age = now - master.pongReceived - c.nodeTimeout;
  return age <= c.srv.config.int('repl-ping-replica-period') * 1000 + c.nodeTimeout * factor;
}

/** Becomes the master of my shard with config epoch `epoch` and tells everyone. */
function takeOver(c: Cluster, epoch: number): void {
  const st = c.state;
  const me = c.myself;
  const old = me.master;
  st.setMaster(me, null, 'master');
  if (old) for (let s = 0; s < st.slots.length; s++) if (st.slots[s] === old) st.assign(s, me);
  me.configEpoch = epoch;
  c.failover.authTime = 0;
  resetManualFailover(c);
  c.repl.promote();
  c.updateState();
  c.save(true);
  c.broadcastPong();
}

export function handleFailoverMessage(c: Cluster, sender: ClusterNode, msg: BusMsg): void {
  const f = c.failover;
  const me = c.myself;
  if (msg.type === 'auth-req') return vote(c, sender, msg);
  if (msg.type === 'auth-ack') {
    if (sender.isMaster && sender.numSlots > 0 && msg.currentEpoch >= f.authEpoch && f.authSent) f.authCount++;
    return;
  }
  if (msg.type === 'mfstart') {
    if (!me.isMaster || sender.master !== me) return;
    c.srv.log.notice(`Manual failover requested by replica ${sender.id}.`);
    f.pausedUntil = Date.now() + MF_TIMEOUT_MS * 2;
    f.mfReplica = sender;
    c.send(sender, 'ping');
    return;
  }
  if (msg.paused && sender === me.master && f.mfEnd && f.mfMasterOffset < 0) {
    f.mfMasterOffset = msg.offset;
    c.srv.log.notice(`Received replication offset for paused master manual failover: ${msg.offset}`);
  }
}

/** A master votes once per epoch, for a replica of a failing master (or a forced manual failover). */
function vote(c: Cluster, sender: ClusterNode, msg: BusMsg): void {
  const st = c.state;
  const me = c.myself;
  const now = Date.now();
  if (!me.isMaster || me.numSlots === 0) return;
  if (msg.currentEpoch < st.currentEpoch || st.lastVoteEpoch === st.currentEpoch) return;
  const master = sender.master;
  if (sender.isMaster || !master) return;
  if (!master.fail && !msg.forceAck) return;
  if (now - master.votedAt < c.nodeTimeout * 2) return;
  for (let s = 0; s < st.slots.length; s++) {
    if (!hasSlot(msg.slots, s)) continue;
    const owner = st.slots[s];
    if (owner && owner.configEpoch > msg.configEpoch) return; // the requester's view is stale
  }
  st.lastVoteEpoch = st.currentEpoch;
  master.votedAt = now;
  c.save(true);
  c.srv.log.notice(`Failover auth granted to ${sender.id} for epoch ${st.currentEpoch}`);
  c.send(sender, 'auth-ack');
}
