// What a Sentinel knows about each instance: the masters it monitors, their replicas (found in the
// master's INFO) and the other Sentinels watching them (found by hello messages). Field meanings
// follow Redis's sentinelRedisInstance so SENTINEL MASTER/REPLICAS/SENTINELS read the same.
import type { RespLink } from './resp-link.js';

export type Kind = 'master' | 'slave' | 'sentinel';

export type FailoverState =
  | 'none'
  | 'wait_start'
  | 'select_slave'
  | 'send_slaveof_noone'
  | 'wait_promotion'
  | 'reconf_slaves'
  | 'update_config';

/** Order matters: states compare with `>=` like Redis's numeric ones. */
export const FAILOVER_ORDER: FailoverState[] = ['none', 'wait_start', 'select_slave', 'send_slaveof_noone', 'wait_promotion', 'reconf_slaves', 'update_config'];

export function failoverAtLeast(s: FailoverState, than: FailoverState): boolean {
  return FAILOVER_ORDER.indexOf(s) >= FAILOVER_ORDER.indexOf(than);
}

/** The command and pub/sub connections to one instance, with the PING bookkeeping sdown is judged on. */
export interface InstanceLink {
  cc: RespLink | null;
  pc: RespLink | null;
  ccConnTime: number;
  pcConnTime: number;
  pcLastActivity: number;
  /** Time of the oldest PING still unanswered, 0 when none is pending. */
  actPingTime: number;
  lastPingTime: number;
  /** Last valid PING reply (+PONG, -LOADING, -MASTERDOWN). */
  lastAvailTime: number;
  /** Last reply of any kind to PING. */
  lastPongTime: number;
  lastReconnTime: number;
}

export function newLink(): InstanceLink {
  const now = Date.now();
  return { cc: null, pc: null, ccConnTime: 0, pcConnTime: 0, pcLastActivity: 0, actPingTime: now, lastPingTime: 0, lastAvailTime: now, lastPongTime: now, lastReconnTime: 0 };
}

export function linkDisconnected(l: InstanceLink, kind: Kind): boolean {
  if (!l.cc?.connected) return true;
  return kind !== 'sentinel' && !l.pc?.connected;
}

export interface Instance {
  kind: Kind;
  /** Masters: their configured name; replicas: ip:port; sentinels: their run id. */
  name: string;
  ip: string;
  port: number;
  runid: string | null;
  link: InstanceLink;
  /** The master this replica or sentinel belongs to (null for masters). */
  master: Master | null;
  sdown: boolean;
  sDownSince: number;
  downAfter: number;
  infoRefresh: number;
  info: string;
  roleReported: 'master' | 'slave';
  roleReportedTime: number;
  // Replica fields from INFO.
  masterLinkDownTime: number;
  slaveMasterHost: string | null;
  slaveMasterPort: number;
  slaveMasterLinkStatus: 'ok' | 'err';
  slavePriority: number;
  replicaAnnounced: boolean;
  slaveReplOffset: number;
  // Replica states during a failover.
  promoted: boolean;
  reconf: 'none' | 'sent' | 'inprog' | 'done';
  slaveReconfSentTime: number;
  // Sentinel fields.
  lastHelloTime: number;
  lastMasterDownReplyTime: number;
  /** This sentinel says the master is down (from IS-MASTER-DOWN-BY-ADDR replies). */
  masterDown: boolean;
  leader: string | null;
  leaderEpoch: number;
  // Bookkeeping: one INFO / one IS-MASTER-DOWN-BY-ADDR in flight, when the last hello / fix was sent.
  infoPending: boolean;
  askPending: boolean;
  lastPubTime: number;
  lastFixTime: number;
}

export interface Master extends Instance {
  kind: 'master';
  quorum: number;
  parallelSyncs: number;
  failoverTimeout: number;
  authPass: string | null;
  authUser: string | null;
  notificationScript: string | null;
  clientReconfigScript: string | null;
  rebootDownAfter: number;
  configEpoch: number;
  odown: boolean;
  oDownSince: number;
  replicas: Map<string, Instance>;
  sentinels: Map<string, Instance>;
  renamedCommands: Map<string, string>;
  failoverState: FailoverState;
  failoverInProgress: boolean;
  forceFailover: boolean;
  failoverEpoch: number;
  failoverStateChangeTime: number;
  failoverStartTime: number;
  failoverDelayLogged: number;
  promotedReplica: Instance | null;
}

export const DEFAULT_DOWN_AFTER = 30_000;
export const DEFAULT_FAILOVER_TIMEOUT = 180_000;

function base(kind: Kind, name: string, ip: string, port: number, master: Master | null, downAfter: number): Instance {
  const now = Date.now();
  return {
    kind, name, ip, port, runid: null, link: newLink(), master,
    sdown: false, sDownSince: 0, downAfter, infoRefresh: 0, info: '',
    roleReported: kind === 'master' ? 'master' : 'slave', roleReportedTime: now,
    masterLinkDownTime: 0, slaveMasterHost: null, slaveMasterPort: 0, slaveMasterLinkStatus: 'err', slavePriority: 100,
    replicaAnnounced: true, slaveReplOffset: 0, promoted: false, reconf: 'none', slaveReconfSentTime: 0,
    lastHelloTime: now, lastMasterDownReplyTime: now, masterDown: false, leader: null, leaderEpoch: 0,
    infoPending: false, askPending: false, lastPubTime: 0, lastFixTime: 0,
  };
}

export function createMaster(name: string, ip: string, port: number, quorum: number): Master {
  return {
    ...base('master', name, ip, port, null, DEFAULT_DOWN_AFTER),
    kind: 'master', quorum, parallelSyncs: 1, failoverTimeout: DEFAULT_FAILOVER_TIMEOUT, authPass: null, authUser: null,
    notificationScript: null, clientReconfigScript: null, rebootDownAfter: 0,
    configEpoch: 0, odown: false, oDownSince: 0, replicas: new Map(), sentinels: new Map(), renamedCommands: new Map(),
    failoverState: 'none', failoverInProgress: false, forceFailover: false, failoverEpoch: 0,
    failoverStateChangeTime: 0, failoverStartTime: 0, failoverDelayLogged: 0, promotedReplica: null,
  };
}

export const addrKey = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

export function createReplica(master: Master, ip: string, port: number): Instance {
  const r = base('slave', addrKey(ip, port), ip, port, master, master.downAfter);
  master.replicas.set(r.name, r);
  return r;
}

export function createSentinel(master: Master, runid: string, ip: string, port: number): Instance {
  const s = base('sentinel', runid, ip, port, master, master.downAfter);
  s.runid = runid;
  master.sentinels.set(runid, s);
  return s;
}

/** Closes an instance's connections (they are re-opened by the timer when still wanted). */
export function dropLinks(i: Instance): void {
  const { cc, pc } = i.link;
  i.link.cc = null;
  i.link.pc = null;
  cc?.close();
  pc?.close();
}

/** The flags field of SENTINEL MASTER/REPLICAS/SENTINELS, in Redis's order ("s_down,slave,disconnected"). */
export function flagsOf(i: Instance): string {
  const f: string[] = [];
  if (i.sdown) f.push('s_down');
  if (i.kind === 'master' && (i as Master).odown) f.push('o_down');
  f.push(i.kind);
  if (linkDisconnected(i.link, i.kind)) f.push('disconnected');
  if (i.kind === 'sentinel' && i.masterDown) f.push('master_down');
  if (i.kind === 'master' && (i as Master).failoverInProgress) f.push('failover_in_progress');
  if (i.promoted) f.push('promoted');
  if (i.reconf === 'sent') f.push('reconf_sent');
  if (i.reconf === 'inprog') f.push('reconf_inprog');
  if (i.reconf === 'done') f.push('reconf_done');
  if (i.kind === 'master' && (i as Master).forceFailover) f.push('force_failover');
  return f.join(',');
}
