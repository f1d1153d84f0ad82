// The failover state machine (Redis's sentinelFailoverStateMachine) and the leader election it starts
// with: wait_start (votes) -> select_slave -> send_slaveof_noone -> wait_promotion -> reconf_slaves ->
// update_config (+switch-master). Timeouts abort the early states; reconfiguration ends by timeout too.
import type { Instance, Master } from './instance.js';
import { linkDisconnected } from './instance.js';
import type { Sentinel } from './sentinel.js';

/** Redis's SENTINEL_MAX_DESYNC: how far a voter pushes back its own failover start. */
const MAX_DESYNC = 1000;

/**
 * Between odown and our own failover start the engine waits a random 0..ELECTION_JITTER ms, so
 * Sentinels that saw odown together rarely ask for votes in the same instant (a split vote costs
 * failover-timeout*2 before the next try).
 */
const ELECTION_JITTER = 150;

function ctime(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}

export class FailoverMachine {
  /** Per master: when odown was first seen by the start check (for the jitter). */
  private readonly odownSeen = new WeakMap<Master, number>();

  constructor(private readonly s: Sentinel) {}

  private setState(m: Master, state: Master['failoverState']): void {
    m.failoverState = state;
    m.failoverStateChangeTime = Date.now();
  }

  /** Redis's sentinelStartFailover: a new epoch, then wait_start (votes). */
  start(m: Master): void {
    const s = this.s;
    m.failoverState = 'wait_start';
    m.failoverStateChangeTime = Date.now();
    m.failoverInProgress = true;
    s.g.currentEpoch++;
    m.failoverEpoch = s.g.currentEpoch;
    s.event('warning', '+new-epoch', null, String(s.g.currentEpoch));
    s.event('warning', '+try-failover', m);
    m.failoverStartTime = Date.now() + Math.floor(Math.random() * MAX_DESYNC);
    s.markDirty();
  }

  /** Redis's sentinelStartFailoverIfNeeded: odown, none running, and not too soon after the last try. */
  startIfNeeded(m: Master): boolean {
    if (!m.odown || m.failoverInProgress) {
      this.odownSeen.delete(m);
      return false;
    }
    const now = Date.now();
    if (now - m.failoverStartTime < m.failoverTimeout * 2) {
      if (m.failoverDelayLogged !== m.failoverStartTime) {
        const clock = m.failoverStartTime + m.failoverTimeout * 2;
        m.failoverDelayLogged = m.failoverStartTime;
        this.s.srv.log.warning(`Next failover delay: I will not start a failover before ${ctime(clock)}`);
      }
      return false;
    }
    let seen = this.odownSeen.get(m);
    if (seen === undefined) {
      seen = now + Math.floor(Math.random() * ELECTION_JITTER);
      this.odownSeen.set(m, seen);
    }
    if (now < seen) return false;
    this.odownSeen.delete(m);
    this.start(m);
    return true;
  }

  /** Redis's sentinelVoteLeader: one vote per epoch, for the first Sentinel that asks in it. */
  voteLeader(m: Master, reqEpoch: number, reqRunid: string): { leader: string | null; epoch: number } {
    const s = this.s;
    if (reqEpoch > s.g.currentEpoch) {
      s.g.currentEpoch = reqEpoch;
      s.markDirty();
      s.event('warning', '+new-epoch', null, String(reqEpoch));
    }
    if (m.leaderEpoch < reqEpoch && s.g.currentEpoch <= reqEpoch) {
      m.leader = reqRunid;
      m.leaderEpoch = s.g.currentEpoch;
      s.flushConfig();
      s.event('warning', '+vote-for-leader', null, `${reqRunid} ${m.leaderEpoch}`);
      // Voted for someone else: don't start our own failover for a while.
      if (reqRunid !== s.myid) m.failoverStartTime = Date.now() + Math.floor(Math.random() * MAX_DESYNC);
    }
    return { leader: m.leader, epoch: m.leaderEpoch };
  }

  /** Redis's sentinelGetLeader: the run id with a majority of all known Sentinels (and >= quorum) in epoch. */
  getLeader(m: Master, epoch: number): string | null {
    const counts = new Map<string, number>();
    const voters = m.sentinels.size + 1;
    for (const si of m.sentinels.values()) {
      if (si.leader && si.leaderEpoch === this.s.g.currentEpoch) counts.set(si.leader, (counts.get(si.leader) ?? 0) + 1);
    }
    const best = (): [string | null, number] => {
      let w: string | null = null;
      let max = 0;
      for (const [id, n] of counts) if (n > max) [w, max] = [id, n];
      return [w, max];
    };
    const [winner] = best();
    const mine = this.voteLeader(m, epoch, winner ?? this.s.myid);
    if (mine.leader && mine.epoch === epoch) counts.set(mine.leader, (counts.get(mine.leader) ?? 0) + 1);
    const [w, max] = best();
    if (w && (max < Math.floor(voters / 2) + 1 || max < m.quorum)) return null;
    return w;
  }

  /** Redis's sentinelSelectSlave: the best replica to promote, or null. */
  selectReplica(m: Master): Instance | null {
    const now = Date.now();
    const timing = this.s.timing;
    const maxLinkDown = (m.sdown ? now - m.sDownSince : 0) + m.downAfter * 10;
    const validity = m.sdown ? timing['ping-period'] * 5 : timing['info-period'] * 3;
    const candidates = [...m.replicas.values()].filter((r) =>
      !r.sdown && !linkDisconnected(r.link, 'slave') && now - r.link.lastAvailTime <= timing['ping-period'] * 5 &&
      r.slavePriority !== 0 && now - r.infoRefresh <= validity && r.masterLinkDownTime <= maxLinkDown);
    candidates.sort((a, b) => a.slavePriority - b.slavePriority || b.slaveReplOffset - a.slaveReplOffset || cmpRunid(a.runid, b.runid));
    return candidates[0] ?? null;
  }

  abort(m: Master): void {
    m.failoverInProgress = false;
    m.forceFailover = false;
    this.setState(m, 'none');
    if (m.promotedReplica) m.promotedReplica.promoted = false;
    m.promotedReplica = null;
  }

  /** SENTINEL SIMULATE-FAILURE: exit as a crash would, right after the named step. */
  private simulatedCrash(armed: boolean, after: string): void {
    if (!armed) return;
    this.s.srv.log.warning(`Simulated crash after ${after}`);
    process.exit(99);
  }

  /** One step of the state machine for a master (called every timer tick). */
  step(m: Master): void {
    if (!m.failoverInProgress) return;
    switch (m.failoverState) {
      case 'wait_start': return this.waitStart(m);
      case 'select_slave': return this.selectSlave(m);
      case 'send_slaveof_noone': return this.sendSlaveOfNoOne(m);
      case 'wait_promotion': return this.waitPromotion(m);
      case 'reconf_slaves': return this.reconfSlaves(m);
      default:
    }
  }

  private waitStart(m: Master): void {
    const s = this.s;
    const leader = this.getLeader(m, m.failoverEpoch);
    const isLeader = leader === s.myid;
    if (!isLeader && !m.forceFailover) {
      const electionTimeout = Math.min(s.timing['election-timeout'], m.failoverTimeout);
      if (Date.now() - m.failoverStartTime > electionTimeout) {
        s.event('warning', '-failover-abort-not-elected', m);
        this.abort(m);
      }
      return;
    }
    s.event('warning', '+elected-leader', m);
    this.simulatedCrash(s.simulateFailure.crashAfterElection, 'election');
    this.setState(m, 'select_slave');
    s.event('warning', '+failover-state-select-slave', m);
    this.selectSlave(m);
  }

  private selectSlave(m: Master): void {
    const s = this.s;
    const r = this.selectReplica(m);
    if (!r) {
      s.event('warning', '-failover-abort-no-good-slave', m);
      this.abort(m);
      return;
    }
    s.event('warning', '+selected-slave', r);
    r.promoted = true;
    m.promotedReplica = r;
    this.setState(m, 'send_slaveof_noone');
    s.event('notice', '+failover-state-send-slaveof-noone', r);
    this.sendSlaveOfNoOne(m);
  }

  private sendSlaveOfNoOne(m: Master): void {
    const s = this.s;
    const r = m.promotedReplica!;
    if (linkDisconnected(r.link, 'slave')) {
      if (Date.now() - m.failoverStateChangeTime > m.failoverTimeout) {
        s.event('warning', '-failover-abort-slave-timeout', r);
        this.abort(m);
      }
      return;
    }
    if (!s.sendReplicaOf(r, null, 0)) return;
    this.setState(m, 'wait_promotion');
    s.event('notice', '+failover-state-wait-promotion', r);
  }

  private waitPromotion(m: Master): void {
    if (Date.now() - m.failoverStateChangeTime > m.failoverTimeout) {
      this.s.event('warning', '-failover-abort-slave-timeout', m.promotedReplica!);
      this.abort(m);
    }
  }

  /** The promoted replica's INFO says role:master: the new configuration starts here (epoch bump). */
  onPromoted(m: Master, r: Instance): void {
    const s = this.s;
    m.configEpoch = m.failoverEpoch;
    s.markDirty();
    s.event('warning', '+promoted-slave', r);
    this.simulatedCrash(s.simulateFailure.crashAfterPromotion, 'promotion');
    this.setState(m, 'reconf_slaves');
    s.event('warning', '+failover-state-reconf-slaves', m);
    s.forceHello(m);
    this.reconfSlaves(m);
  }

  /** A replica's INFO during reconf_slaves: following the promoted one (inprog), then linked (done). */
  onReplicaInfo(m: Master, r: Instance): void {
    const p = m.promotedReplica;
    if (!p || m.failoverState !== 'reconf_slaves') return;
    const follows = r.slaveMasterHost === p.ip && r.slaveMasterPort === p.port;
    if (r.reconf === 'sent' && follows) {
      r.reconf = 'inprog';
      this.s.event('notice', '+slave-reconf-inprog', r);
    }
    if (r.reconf === 'inprog' && r.slaveMasterLinkStatus === 'ok') {
      r.reconf = 'done';
      this.s.event('notice', '+slave-reconf-done', r);
    }
  }

  private reconfSlaves(m: Master): void {
    const s = this.s;
    const p = m.promotedReplica!;
    const others = [...m.replicas.values()].filter((r) => r !== p);
    let inProgress = others.filter((r) => r.reconf === 'sent' || r.reconf === 'inprog').length;
    const now = Date.now();
    for (const r of others) {
      if (inProgress >= m.parallelSyncs) break;
      if (r.reconf === 'done') continue;
      if (r.reconf === 'sent' && now - r.slaveReconfSentTime > s.timing['slave-reconf-timeout']) {
        s.event('notice', '-slave-reconf-sent-timeout', r);
        r.reconf = 'done';
        inProgress--;
        continue;
      }
      if (r.reconf !== 'none' || linkDisconnected(r.link, 'slave') || r.sdown) continue;
      if (s.sendReplicaOf(r, p.ip, p.port)) {
        r.reconf = 'sent';
        r.slaveReconfSentTime = now;
        s.event('notice', '+slave-reconf-sent', r);
        inProgress++;
      }
    }
    this.detectEnd(m);
  }

  /** Redis's sentinelFailoverDetectEnd: every reachable replica reconfigured, or the timeout passed. */
  private detectEnd(m: Master): void {
    const s = this.s;
    const p = m.promotedReplica!;
    if (p.sdown) return;
    const pending = [...m.replicas.values()].filter((r) => r !== p && r.reconf !== 'done' && !r.sdown);
    const timedOut = Date.now() - m.failoverStateChangeTime > m.failoverTimeout;
    if (pending.length > 0 && !timedOut) return;
    this.setState(m, 'update_config');
    if (timedOut && pending.length > 0) {
      s.event('warning', '+failover-end-for-timeout', m);
      // Point the stragglers at the new master anyway (Redis does).
      for (const r of pending) {
        if (r.reconf === 'sent') continue;
        if (s.sendReplicaOf(r, p.ip, p.port)) {
          r.reconf = 'sent';
          s.event('notice', '+slave-reconf-sent-be', r);
        }
      }
    }
    s.event('warning', '+failover-end', m);
  }

  /** update_config: announce and apply the switch (Redis's sentinelFailoverSwitchToPromotedSlave). */
  switchToPromoted(m: Master): void {
    const p = m.promotedReplica ?? m;
    const s = this.s;
    s.event('warning', '+switch-master', null, `${m.name} ${m.ip} ${m.port} ${p.ip} ${p.port}`);
    s.resetMasterAndChangeAddress(m, p.ip, p.port);
  }
}

/** Run ids compare as strings; a replica with none sorts last. */
function cmpRunid(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
