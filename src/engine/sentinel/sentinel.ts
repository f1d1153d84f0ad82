// The Sentinel: the monitored masters and what it learns about them. A timer (Redis's sentinelTimer)
// keeps a command link and a pub/sub link to every master and replica and a command link to every
// other Sentinel; it polls INFO (how replicas are found), PINGs (how sdown is judged), publishes hello
// messages on __sentinel__:hello (how Sentinels find each other and spread new configurations), asks
// the other Sentinels SENTINEL IS-MASTER-DOWN-BY-ADDR (odown, votes) and drives failovers (failover.ts).
import { randomBytes } from '../util/crypto.cjs';
import type { Server } from '../server.js';
import { applyConfigLine, rewriteSentinelConfig, sentinelLines, type SentinelGlobals } from './config.js';
import { Events, type EventLevel } from './events.js';
import {
  addrKey, createReplica, createSentinel, dropLinks, linkDisconnected, newLink, failoverAtLeast,
  type Instance, type Master,
} from './instance.js';
import { RespLink, ReplyError, type Reply } from './resp-link.js';
import { FailoverMachine } from './failover.js';

export const HELLO_CHANNEL = '__sentinel__:hello';

/** Redis's time constants (SENTINEL DEBUG changes them). */
export interface Timing {
  'info-period': number;
  'ping-period': number;
  'ask-period': number;
  'publish-period': number;
  'default-down-after': number;
  'default-failover-timeout': number;
  'tilt-trigger': number;
  'tilt-period': number;
  'slave-reconf-timeout': number;
  'min-link-reconnect-period': number;
  'election-timeout': number;
  'script-max-runtime': number;
  'script-retry-delay': number;
}

export const DEFAULT_TIMING: Timing = {
  'info-period': 10000, 'ping-period': 1000, 'ask-period': 1000, 'publish-period': 2000,
  'default-down-after': 30000, 'default-failover-timeout': 180000, 'tilt-trigger': 2000, 'tilt-period': 30000,
  'slave-reconf-timeout': 10000, 'min-link-reconnect-period': 15000, 'election-timeout': 10000,
  'script-max-runtime': 60000, 'script-retry-delay': 30000,
};

/** How often the timer runs (Redis: hz 10). */
const TICK_MS = 50;
/**
 * The engine PINGs every down-after/10 (at least 100 ms, at most ping-period) instead of Redis's fixed
 * ping-period: sdown is judged on the last reply, so this detects a dead master within ~10% of
 * down-after-milliseconds instead of up to a whole second late.
 */
const MIN_PING_MS = 100;
/** INFO period for replicas while their master is failing over (Redis: 1 s). */
const FAILOVER_INFO_MS = 100;
const MAX_PENDING = 100;

export class Sentinel {
  readonly g: SentinelGlobals;
  readonly masters = new Map<string, Master>();
  readonly events: Events;
  readonly timing: Timing = { ...DEFAULT_TIMING };
  readonly failover: FailoverMachine;
  simulateFailure = { crashAfterElection: false, crashAfterPromotion: false };
  private timer: NodeJS.Timeout | null = null;
  private configDirty = false;

  constructor(readonly srv: Server, readonly configFile: string) {
    this.g = {
      myid: '', currentEpoch: 0, announceIp: '', announcePort: 0, resolveHostnames: false, announceHostnames: false,
      denyScriptsReconfig: true, sentinelUser: null, sentinelPass: null,
    };
    this.events = new Events(srv);
    this.failover = new FailoverMachine(this);
  }

  get myid(): string {
    return this.g.myid;
  }

  /** Applies the config file's sentinel lines (throws SentinelConfigError with Redis's text). */
  loadConfig(lines: string[][]): void {
    for (const l of lines) applyConfigLine(this.g, this.masters, l);
  }

  /** After loading: a fresh id when the file had none, the +monitor events, the first save. */
  start(): void {
    if (!this.g.myid) this.g.myid = randomBytes(20).toString('hex');
    this.flushConfig();
    this.srv.log.warning(`Sentinel ID is ${this.g.myid}`);
    for (const m of this.masters.values()) this.event('warning', '+monitor', m, `quorum ${m.quorum}`);
    const tick = () => {
      try {
        this.tick();
      } catch (e) {
        this.srv.log.warning(`Sentinel timer error: ${(e as Error).stack ?? e}`);
      }
      this.timer = setTimeout(tick, TICK_MS);
    };
    this.timer = setTimeout(tick, TICK_MS);
    this.srv.hooks.shutdown.push(() => this.stop());
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const m of this.masters.values()) this.forEachInstance(m, dropLinks);
  }

  event(level: EventLevel, type: string, i: Instance | null, extra?: string): void {
    this.events.emit(level, type, i, extra);
  }

  /** Saves the state now (SENTINEL FLUSHCONFIG, and after every change worth keeping). */
  flushConfig(): void {
    this.configDirty = false;
    try {
      rewriteSentinelConfig(this.configFile, sentinelLines(this.g, this.masters), { dir: process.cwd() });
      this.srv.log.notice('Sentinel new configuration saved on disk');
    } catch (e) {
      this.srv.log.warning(`WARNING: Sentinel was not able to save the new configuration on disk!!!: ${(e as Error).message}`);
    }
  }

  /** Marks the config to be saved at the end of this timer turn (several changes, one write). */
  markDirty(): void {
    this.configDirty = true;
  }

  forEachInstance(m: Master, fn: (i: Instance) => void): void {
    fn(m);
    for (const r of m.replicas.values()) fn(r);
    for (const s of m.sentinels.values()) fn(s);
  }

  // ---- the timer --------------------------------------------------------------------------------

  private tick(): void {
    for (const m of [...this.masters.values()]) {
      if (!this.masters.has(m.name)) continue;
      this.handleInstance(m);
      for (const r of [...m.replicas.values()]) this.handleInstance(r);
      for (const s of [...m.sentinels.values()]) this.handleInstance(s);
      if (m.failoverState === 'update_config') this.failover.switchToPromoted(m);
    }
    if (this.configDirty) this.flushConfig();
  }

  private handleInstance(i: Instance): void {
    this.reconnect(i);
    this.sendPeriodic(i);
    this.checkSubjectivelyDown(i);
    if (i.kind !== 'master') return;
    const m = i as Master;
    this.checkObjectivelyDown(m);
    if (this.failover.startIfNeeded(m)) this.askOthers(m, true);
    this.failover.step(m);
    this.askOthers(m, false);
  }

  pingEvery(i: Instance): number {
    return Math.min(this.timing['ping-period'], Math.max(MIN_PING_MS, Math.floor(i.downAfter / 10)));
  }

  private infoEvery(i: Instance): number {
    // The first info-period after connecting to a master: every second, so replicas that attach
    // right after our first INFO are found within a second (kvctl up waits for them), not ten.
    if (i.kind === 'master' && Date.now() - i.link.ccConnTime < this.timing['info-period']) return Math.min(1000, this.timing['info-period']);
    if (i.kind === 'slave' && i.master) {
      if (i.master.failoverInProgress) return FAILOVER_INFO_MS;
      if (i.master.odown || i.masterLinkDownTime !== 0) return Math.min(1000, this.timing['info-period']);
    }
    return this.timing['info-period'];
  }

  private authFor(i: Instance): { user: string | null; pass: string | null } {
    if (i.kind === 'sentinel') return { user: this.g.sentinelUser, pass: this.g.sentinelPass };
    const m = i.kind === 'master' ? (i as Master) : i.master!;
    return { user: m.authUser, pass: m.authPass };
  }

  /** A command name as the instance knows it (sentinel rename-command). */
  cmd(i: Instance, name: string): string {
    const m = i.kind === 'master' ? (i as Master) : i.master;
    return m?.renamedCommands.get(name.toLowerCase()) ?? name;
  }

  private openLink(i: Instance, kind: 'cmd' | 'pubsub'): RespLink {
    const localAddress = this.srv.config.get('bind-source-addr') || undefined;
    const link = new RespLink({ host: i.ip, port: i.port, localAddress, connectTimeoutMs: Math.max(1000, this.timing['ping-period']) });
    link.connect(() => {
      const { user, pass } = this.authFor(i);
      if (pass) link.send(user ? [this.cmd(i, 'AUTH'), user, pass] : [this.cmd(i, 'AUTH'), pass]);
      link.send([this.cmd(i, 'CLIENT'), 'SETNAME', `sentinel-${this.g.myid.slice(0, 8)}-${kind}`]);
      if (kind === 'cmd') this.sendPing(i);
      else {
        link.send([this.cmd(i, 'SUBSCRIBE'), HELLO_CHANNEL], () => {
          link.subscribed = true;
        });
        link.subscribed = true;
        link.onMessage = (channel, msg) => {
          i.link.pcLastActivity = Date.now();
          if (channel === HELLO_CHANNEL) this.processHello(msg);
        };
        i.link.pcLastActivity = Date.now();
      }
    });
    link.onClose = () => {
      if (i.link.cc === link) i.link.cc = null;
      if (i.link.pc === link) i.link.pc = null;
    };
    return link;
  }

  private reconnect(i: Instance): void {
    const l = i.link;
    const wantPc = i.kind !== 'sentinel';
    if (l.cc && (!wantPc || l.pc)) return;
    const now = Date.now();
    if (now - l.lastReconnTime < this.pingEvery(i)) return;
    l.lastReconnTime = now;
    if (!l.cc) {
      l.cc = this.openLink(i, 'cmd');
      l.ccConnTime = now;
    }
    if (wantPc && !l.pc) {
      l.pc = this.openLink(i, 'pubsub');
      l.pcConnTime = now;
    }
  }

  sendPing(i: Instance): boolean {
    const l = i.link;
    if (!l.cc?.connected) return false;
    const ok = l.cc.send([this.cmd(i, 'PING')], (r) => this.onPingReply(i, r));
    if (!ok) return false;
    l.lastPingTime = Date.now();
    if (l.actPingTime === 0) l.actPingTime = l.lastPingTime;
    return true;
  }

  private onPingReply(i: Instance, r: Reply): void {
    const now = Date.now();
    const l = i.link;
    const text = r instanceof ReplyError ? r.message : String(r);
    if (text === 'PONG' || text.startsWith('LOADING') || text.startsWith('MASTERDOWN')) {
      l.lastAvailTime = now;
      l.actPingTime = 0;
    }
    l.lastPongTime = now;
  }

  private sendPeriodic(i: Instance): void {
    const l = i.link;
    const cc = l.cc;
    if (!cc?.connected || cc.pending >= MAX_PENDING) return;
    const now = Date.now();
    if (i.kind !== 'sentinel' && (i.infoRefresh === 0 || now - i.infoRefresh > this.infoEvery(i)) && !i.infoPending) {
      i.infoPending = true;
      cc.send([this.cmd(i, 'INFO')], (r) => {
        i.infoPending = false;
        if (typeof r === 'string') this.refreshInfo(i, r);
      });
    }
    const every = this.pingEvery(i);
    if (now - l.lastPongTime > every && now - l.lastPingTime > every / 2) this.sendPing(i);
    if (now - i.lastPubTime > this.timing['publish-period']) this.sendHello(i);
  }

  // ---- hello ------------------------------------------------------------------------------------

  /** The address clients should use for the master now (the promoted replica once it took over). */
  currentAddr(m: Master): { ip: string; port: number } {
    if (m.failoverInProgress && m.promotedReplica && failoverAtLeast(m.failoverState, 'reconf_slaves')) return m.promotedReplica;
    return m;
  }

  sendHello(i: Instance): boolean {
    const cc = i.link.cc;
    if (!cc?.connected) return false;
    const m = i.kind === 'master' ? (i as Master) : i.master!;
    const ip = this.g.announceIp || cc.localAddress;
    if (!ip) return false;
    const port = this.g.announcePort || this.srv.config.int('port');
    const ma = this.currentAddr(m);
    const payload = `${ip},${port},${this.g.myid},${this.g.currentEpoch},${m.name},${ma.ip},${ma.port},${m.configEpoch}`;
    i.lastPubTime = Date.now();
    return cc.send([this.cmd(i, 'PUBLISH'), HELLO_CHANNEL, payload], (r) => {
      if (r instanceof ReplyError) i.lastPubTime = 0;
    });
  }

  /** Sends a hello to every instance of the master now (after a promotion, to spread the new config). */
  forceHello(m: Master): void {
    this.forEachInstance(m, (i) => {
      i.lastPubTime = 0;
      this.sendHello(i);
    });
  }

  /** A hello received on an instance's __sentinel__:hello or by PUBLISH to us (Redis's sentinelProcessHelloMessage). */
  processHello(msg: string): void {
    const t = msg.split(',');
    if (t.length !== 8) return;
    const [ip, portS, runid, epochS, masterName, masterIp, masterPortS, masterEpochS] = t;
    const m = this.masters.get(masterName);
    if (!m || runid === this.g.myid) return;
    const port = Number(portS);
    let si = [...m.sentinels.values()].find((s) => s.runid === runid && s.ip === ip && s.port === port);
    if (!si) {
      // Same run id elsewhere or another id at this address: the old entry is stale.
      let removed = 0;
      for (const s of [...m.sentinels.values()]) {
        if (s.runid === runid || (s.ip === ip && s.port === port)) {
          dropLinks(s);
          m.sentinels.delete(s.name);
          removed++;
        }
      }
      si = createSentinel(m, runid, ip, port);
      if (removed) this.event('notice', '+sentinel-address-switch', m, `ip ${ip} port ${port} for ${runid}`);
      else this.event('notice', '+sentinel', si);
      this.markDirty();
    }
    const epoch = Number(epochS);
    if (epoch > this.g.currentEpoch) {
      this.g.currentEpoch = epoch;
      this.markDirty();
      this.event('warning', '+new-epoch', null, String(epoch));
    }
    const masterEpoch = Number(masterEpochS);
    if (m.configEpoch < masterEpoch) {
      m.configEpoch = masterEpoch;
      const masterPort = Number(masterPortS);
      if (masterPort !== m.port || masterIp !== m.ip) {
        this.event('warning', '+config-update-from', si);
        this.event('warning', '+switch-master', null, `${m.name} ${m.ip} ${m.port} ${masterIp} ${masterPort}`);
        this.resetMasterAndChangeAddress(m, masterIp, masterPort);
      }
      this.markDirty();
    }
    si.lastHelloTime = Date.now();
  }

  // ---- INFO -------------------------------------------------------------------------------------

  /** Redis's sentinelRefreshInstanceInfo: learns role, replicas and replication state from INFO. */
  refreshInfo(i: Instance, info: string): void {
    const now = Date.now();
    i.info = info;
    i.masterLinkDownTime = 0;
    let role: 'master' | 'slave' | null = null;
    for (const raw of info.split('\r\n')) {
      const c = raw.indexOf(':');
      if (c < 0) continue;
      const k = raw.slice(0, c);
      const v = raw.slice(c + 1);
      if (k === 'run_id' && v.length === 40) {
        if (i.runid && i.runid !== v) this.event('notice', '+reboot', i);
        i.runid = v;
      } else if (i.kind === 'master' && /^slave\d+$/.test(k) && v.includes('ip=')) {
        const f = Object.fromEntries(v.split(',').map((p) => p.split('=') as [string, string]));
        const m = i as Master;
        const key = addrKey(f.ip, Number(f.port));
        if (f.ip && f.port && !m.replicas.has(key)) {
          const r = createReplica(m, f.ip, Number(f.port));
          this.event('notice', '+slave', r);
          this.markDirty();
        }
      } else if (k === 'master_link_down_since_seconds') i.masterLinkDownTime = Number(v) * 1000;
      else if (k === 'role') role = v === 'master' ? 'master' : v === 'slave' ? 'slave' : null;
      else if (k === 'master_host') i.slaveMasterHost = v;
      else if (k === 'master_port') i.slaveMasterPort = Number(v);
      else if (k === 'master_link_status') i.slaveMasterLinkStatus = v === 'up' ? 'ok' : 'err';
      else if (k === 'slave_priority' || k === 'replica_priority') i.slavePriority = Number(v);
      else if (k === 'slave_repl_offset') i.slaveReplOffset = Number(v);
      else if (k === 'replica_announced') i.replicaAnnounced = v === '1';
    }
    i.infoRefresh = now;
    if (!role) return;
    if (role !== i.roleReported) {
      i.roleReported = role;
      i.roleReportedTime = now;
      if (role === 'master' ? i.kind !== 'master' : i.kind === 'master') {
        this.event('notice', '-role-change', i, `new reported role is ${role}`);
      } else {
        this.event('notice', '+role-change', i, `new reported role is ${role}`);
      }
    }
    if (i.kind === 'master') return;
    const m = i.master;
    if (!m || i.kind !== 'slave') return;
    if (role === 'master') {
      if (i.promoted && m.failoverInProgress && m.failoverState === 'wait_promotion') {
        this.failover.onPromoted(m, i);
        return;
      }
      // A replica (as we know it) claims to be a master: an old master back from the dead, most
      // likely. Once its claim is older than 4 publish periods and our master looks sane, reconfigure it.
      const wait = this.timing['publish-period'] * 4;
      if (!m.failoverInProgress && this.masterLooksSane(m) && now - i.roleReportedTime > wait) {
        if (this.sendReplicaOf(i, m.ip, m.port)) this.event('notice', '+convert-to-slave', i);
      }
      return;
    }
    // A replica following the wrong master: point it back (unless a failover is changing things).
    const followsUs = i.slaveMasterHost === m.ip && i.slaveMasterPort === m.port;
    if (!followsUs && !m.failoverInProgress && i.reconf !== 'sent' && i.reconf !== 'inprog') {
      const wait = this.timing['publish-period'] * 4;
      if (this.masterLooksSane(m) && now - i.roleReportedTime > wait && now - i.lastFixTime > wait) {
        i.lastFixTime = now;
        if (this.sendReplicaOf(i, m.ip, m.port)) this.event('notice', '+fix-slave-config', i);
      }
    }
    if (m.failoverInProgress) this.failover.onReplicaInfo(m, i);
  }

  /** Redis's sentinelMasterLooksSane. */
  masterLooksSane(m: Master): boolean {
    return !m.sdown && !m.odown && m.roleReported === 'master' && !linkDisconnected(m.link, 'master') && Date.now() - m.infoRefresh < this.timing['info-period'] * 2;
  }

  /**
   * Redis's sentinelSendSlaveOf: one transaction with REPLICAOF, CONFIG REWRITE and killing the
   * instance's normal and pub/sub clients, so they reconnect to the right master.
   */
  sendReplicaOf(i: Instance, host: string | null, port: number): boolean {
    const cc = i.link.cc;
    if (!cc?.connected) return false;
    const target = host === null ? ['NO', 'ONE'] : [host, String(port)];
    cc.send([this.cmd(i, 'MULTI')]);
    cc.send([this.cmd(i, 'SLAVEOF'), ...target]);
    cc.send([this.cmd(i, 'CONFIG'), 'REWRITE']);
    cc.send([this.cmd(i, 'CLIENT'), 'KILL', 'TYPE', 'normal']);
    cc.send([this.cmd(i, 'CLIENT'), 'KILL', 'TYPE', 'pubsub']);
    cc.send([this.cmd(i, 'EXEC')]);
    return true;
  }

  // ---- sdown / odown / asking -------------------------------------------------------------------

  private checkSubjectivelyDown(i: Instance): void {
    const now = Date.now();
    const l = i.link;
    let elapsed = 0;
    if (l.actPingTime) elapsed = now - l.actPingTime;
    else if (linkDisconnected(l, i.kind)) elapsed = now - l.lastAvailTime;
    // A link that stopped answering for half the down time is reopened (it may be stuck, not the node).
    if (l.cc?.connected && now - l.ccConnTime > this.timing['min-link-reconnect-period'] && l.actPingTime && now - l.actPingTime > i.downAfter / 2 && now - l.lastPongTime > i.downAfter / 2) {
      l.cc.close();
    }
    if (l.pc?.connected && now - l.pcConnTime > this.timing['min-link-reconnect-period'] && now - l.pcLastActivity > this.timing['publish-period'] * 3) {
      l.pc.close();
    }
    const masterReportsSlave = i.kind === 'master' && i.roleReported === 'slave' && now - i.roleReportedTime > i.downAfter + this.timing['info-period'] * 2;
    if (elapsed > i.downAfter || masterReportsSlave) {
      if (!i.sdown) {
        this.event('warning', '+sdown', i);
        i.sdown = true;
        i.sDownSince = now;
        if (i.kind === 'master') this.askOthers(i as Master, true);
      }
    } else if (i.sdown) {
      this.event('warning', '-sdown', i);
      i.sdown = false;
    }
  }

  private checkObjectivelyDown(m: Master): void {
    let votes = 0;
    let odown = false;
    if (m.sdown) {
      votes = 1;
      for (const s of m.sentinels.values()) if (s.masterDown) votes++;
      odown = votes >= m.quorum;
    }
    if (odown) {
      if (!m.odown) {
        this.event('warning', '+odown', m, `#quorum ${votes}/${m.quorum}`);
        m.odown = true;
        m.oDownSince = Date.now();
      }
    } else if (m.odown) {
      this.event('warning', '-odown', m);
      m.odown = false;
    }
  }

  /** SENTINEL IS-MASTER-DOWN-BY-ADDR to every other Sentinel (with our run id once we want votes). */
  askOthers(m: Master, forced: boolean): void {
    const now = Date.now();
    for (const s of m.sentinels.values()) {
      const elapsed = now - s.lastMasterDownReplyTime;
      // Old answers mean nothing: forget them.
      if (elapsed > this.timing['ask-period'] * 5) {
        s.masterDown = false;
        s.leader = null;
      }
      if (!m.sdown) continue;
      const cc = s.link.cc;
      if (!cc?.connected || s.askPending) continue;
      // While electing, ask more often than Redis's ask-period so votes arrive quickly.
      const period = m.failoverState === 'wait_start' ? Math.min(this.timing['ask-period'], 100) : this.timing['ask-period'];
      if (!forced && elapsed < period) continue;
      s.askPending = true;
      const runid = m.failoverState !== 'none' ? this.g.myid : '*';
      cc.send(['SENTINEL', 'is-master-down-by-addr', m.ip, m.port, this.g.currentEpoch, runid], (r) => {
        s.askPending = false;
        if (!Array.isArray(r) || r.length !== 3 || typeof r[0] !== 'number' || typeof r[1] !== 'string' || typeof r[2] !== 'number') return;
        s.lastMasterDownReplyTime = Date.now();
        s.masterDown = r[0] === 1;
        if (r[1] !== '*') {
          if (s.leader !== r[1] || s.leaderEpoch !== r[2]) this.srv.log.warning(`${s.name} voted for ${r[1]} ${r[2]}`);
          s.leader = r[1];
          s.leaderEpoch = r[2];
        }
      });
    }
  }

  // ---- configuration changes --------------------------------------------------------------------

  /** Redis's sentinelResetMaster: forget what was learnt (replicas, optionally sentinels), keep settings. */
  resetMaster(m: Master, keepSentinels: boolean): void {
    for (const r of m.replicas.values()) dropLinks(r);
    m.replicas.clear();
    if (!keepSentinels) {
      for (const s of m.sentinels.values()) dropLinks(s);
      m.sentinels.clear();
    }
    dropLinks(m);
    m.link = newLink();
    m.sdown = false;
    m.odown = false;
    m.failoverInProgress = false;
    m.forceFailover = false;
    m.failoverState = 'none';
    m.failoverStateChangeTime = 0;
    m.failoverStartTime = 0;
    m.promotedReplica = null;
    m.runid = null;
    m.leader = null;
    m.infoRefresh = 0;
    m.info = '';
    m.roleReported = 'master';
    m.roleReportedTime = Date.now();
    m.lastPubTime = 0;
  }

  /** After a failover (ours or learnt from a hello): the master moves, its old address becomes a replica. */
  resetMasterAndChangeAddress(m: Master, ip: string, port: number): void {
    const keep: [string, number][] = [];
    for (const r of m.replicas.values()) if (!(r.ip === ip && r.port === port)) keep.push([r.ip, r.port]);
    if (!(m.ip === ip && m.port === port)) keep.push([m.ip, m.port]);
    this.resetMaster(m, true);
    m.ip = ip;
    m.port = port;
    for (const [rip, rport] of keep) {
      const r = createReplica(m, rip, rport);
      this.event('notice', '+slave', r);
    }
    this.markDirty();
  }

  /** SENTINEL MONITOR / config: a master's replicas and sentinels start with its down-after. */
  addMaster(m: Master): void {
    this.masters.set(m.name, m);
  }

  removeMaster(name: string): boolean {
    const m = this.masters.get(name);
    if (!m) return false;
    this.forEachInstance(m, dropLinks);
    this.masters.delete(name);
    return true;
  }
}
