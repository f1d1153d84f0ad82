// Sentinel's commands: the SENTINEL family with Redis 7.0's replies and error texts, PUBLISH (hello
// messages only), ROLE and INFO as a Sentinel answers them. Which other commands a Sentinel accepts is
// in index.ts (SENTINEL_ALLOWED); everything else is an unknown command there, as in Redis.
import type { CommandContext, CommandDef, Handler } from '../commands/table.js';
import type { ReplyWriter } from '../protocol/writer.js';
import type { Server } from '../server.js';
import { globMatch } from '../util/glob.js';
import { isValidAddr } from './config.js';
import { createMaster, flagsOf, type Instance, type Master } from './instance.js';
import type { Sentinel, Timing } from './sentinel.js';
import { HELLO_CHANNEL } from './sentinel.js';
import { sentinelHelp } from './help.js';

const SENTINELS = new WeakMap<Server, Sentinel>();

export function bindSentinel(srv: Server, s: Sentinel): void {
  SENTINELS.set(srv, s);
}

export function sentinelOf(srv: Server): Sentinel {
  const s = SENTINELS.get(srv);
  if (!s) throw new Error('not a sentinel');
  return s;
}

const NO_MASTER = 'ERR No such master with that name';
const NOT_INT = 'ERR value is not an integer or out of range';

function int(b: Buffer): number | null {
  const s = b.toString();
  return /^-?\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : null;
}

function masterArg(ctx: CommandContext, pos = 2): Master | null {
  const m = sentinelOf(ctx.srv).masters.get(ctx.argv[pos].toString());
  if (!m) ctx.reply.error(NO_MASTER);
  return m ?? null;
}

/** One instance as SENTINEL MASTER/REPLICAS/SENTINELS show it (Redis's addReplySentinelRedisInstance). */
function instanceFields(s: Sentinel, i: Instance): [string, string | number][] {
  const now = Date.now();
  const l = i.link;
  const f: [string, string | number][] = [
    ['name', i.name], ['ip', i.ip], ['port', i.port], ['runid', i.runid ?? ''], ['flags', flagsOf(i)],
    ['link-pending-commands', l.cc?.pending ?? 0], ['link-refcount', 1],
  ];
  if (i.kind === 'master' && (i as Master).failoverInProgress) f.push(['failover-state', (i as Master).failoverState]);
  f.push(['last-ping-sent', l.actPingTime ? now - l.actPingTime : 0], ['last-ok-ping-reply', now - l.lastAvailTime], ['last-ping-reply', now - l.lastPongTime]);
  if (i.sdown) f.push(['s-down-time', now - i.sDownSince]);
  if (i.kind === 'master' && (i as Master).odown) f.push(['o-down-time', now - (i as Master).oDownSince]);
  f.push(['down-after-milliseconds', i.downAfter]);
  if (i.kind !== 'sentinel') {
    f.push(['info-refresh', i.infoRefresh ? now - i.infoRefresh : 0], ['role-reported', i.roleReported], ['role-reported-time', now - i.roleReportedTime]);
  }
  if (i.kind === 'master') {
    const m = i as Master;
    f.push(['config-epoch', m.configEpoch], ['num-slaves', m.replicas.size], ['num-other-sentinels', m.sentinels.size], ['quorum', m.quorum],
      ['failover-timeout', m.failoverTimeout], ['parallel-syncs', m.parallelSyncs]);
    if (m.notificationScript) f.push(['notification-script', m.notificationScript]);
    if (m.clientReconfigScript) f.push(['client-reconfig-script', m.clientReconfigScript]);
  }
  if (i.kind === 'slave') {
    f.push(['master-link-down-time', i.masterLinkDownTime], ['master-link-status', i.slaveMasterLinkStatus], ['master-host', i.slaveMasterHost ?? '?'],
      ['master-port', i.slaveMasterPort], ['slave-priority', i.slavePriority], ['slave-repl-offset', i.slaveReplOffset], ['replica-announced', i.replicaAnnounced ? 1 : 0]);
  }
  if (i.kind === 'sentinel') {
    f.push(['last-hello-message', now - i.lastHelloTime], ['voted-leader', i.leader ?? '?'], ['voted-leader-epoch', i.leaderEpoch]);
  }
  void s;
  return f;
}

function replyInstance(reply: ReplyWriter, s: Sentinel, i: Instance): void {
  const f = instanceFields(s, i);
  reply.map(f.length);
  for (const [k, v] of f) {
    reply.bulk(k);
    reply.bulk(String(v));
  }
}

function replyInstances(reply: ReplyWriter, s: Sentinel, list: Instance[]): void {
  reply.array(list.length);
  for (const i of list) replyInstance(reply, s, i);
}

const masters: Handler = ({ srv, reply }) => {
  const s = sentinelOf(srv);
  replyInstances(reply, s, [...s.masters.values()]);
};

const master: Handler = (ctx) => {
  const m = masterArg(ctx);
  if (m) replyInstance(ctx.reply, sentinelOf(ctx.srv), m);
};

const replicas: Handler = (ctx) => {
  const m = masterArg(ctx);
  if (m) replyInstances(ctx.reply, sentinelOf(ctx.srv), [...m.replicas.values()]);
};

const sentinels: Handler = (ctx) => {
  const m = masterArg(ctx);
  if (m) replyInstances(ctx.reply, sentinelOf(ctx.srv), [...m.sentinels.values()]);
};

const getMasterAddr: Handler = ({ srv, reply, argv }) => {
  const s = sentinelOf(srv);
  const m = s.masters.get(argv[2].toString());
  if (!m) return reply.nullArray();
  const a = s.currentAddr(m);
  reply.array(2);
  reply.bulk(a.ip);
  reply.bulk(String(a.port));
};

const failover: Handler = (ctx) => {
  const m = masterArg(ctx);
  if (!m) return;
  const s = sentinelOf(ctx.srv);
  if (m.failoverInProgress) return ctx.reply.error('INPROG Failover already in progress');
  if (!s.failover.selectReplica(m)) return ctx.reply.error('NOGOODSLAVE No suitable replica to promote');
  ctx.srv.log.warning(`Executing user requested FAILOVER of '${m.name}'`);
  s.failover.start(m);
  m.forceFailover = true;
  ctx.reply.ok();
};

const reset: Handler = ({ srv, reply, argv }) => {
  const s = sentinelOf(srv);
  let n = 0;
  for (const m of s.masters.values()) {
    if (!globMatch(argv[2], Buffer.from(m.name))) continue;
    s.resetMaster(m, false);
    s.event('warning', '+reset-master', m);
    n++;
  }
  if (n) s.flushConfig();
  reply.int(n);
};

/** Redis's sentinelIsQuorumReachable. */
export function ckquorum(m: Master): { ok: boolean; text: string } {
  const voters = m.sentinels.size + 1;
  let usable = 1;
  for (const si of m.sentinels.values()) if (!si.sdown && si.link.cc?.connected) usable++;
  if (usable < m.quorum) return { ok: false, text: `NOQUORUM ${usable} usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master` };
  if (usable < Math.floor(voters / 2) + 1) return { ok: false, text: `NOQUORUM ${usable} usable Sentinels. Not enough available Sentinels to reach the majority and authorize a failover` };
  return { ok: true, text: `OK ${usable} usable Sentinels. Quorum and failover authorization can be reached` };
}

const ckquorumCmd: Handler = (ctx) => {
  const m = masterArg(ctx);
  if (!m) return;
  const r = ckquorum(m);
  if (r.ok) ctx.reply.simple(r.text);
  else ctx.reply.error(r.text);
};

const flushconfig: Handler = ({ srv, reply }) => {
  sentinelOf(srv).flushConfig();
  reply.ok();
};

const monitor: Handler = ({ srv, reply, argv }) => {
  const s = sentinelOf(srv);
  const name = argv[2].toString();
  const ip = argv[3].toString();
  const port = int(argv[4]);
  const quorum = int(argv[5]);
  if (port === null) return reply.error('ERR Invalid port');
  if (quorum === null) return reply.error('ERR Invalid quorum');
  if (quorum <= 0) return reply.error('ERR Quorum must be 1 or greater.');
  if (port <= 0 || port > 65535) return reply.error('ERR Invalid port number');
  if (!isValidAddr(ip, s.g.resolveHostnames)) return reply.error('ERR Invalid IP address or hostname specified');
  if (s.masters.has(name)) return reply.error('ERR Duplicate master name.');
  const m = createMaster(name, ip, port, quorum);
  s.addMaster(m);
  s.flushConfig();
  s.event('warning', '+monitor', m, `quorum ${quorum}`);
  reply.ok();
};

const remove: Handler = (ctx) => {
  const m = masterArg(ctx);
  if (!m) return;
  const s = sentinelOf(ctx.srv);
  s.event('warning', '-monitor', m);
  s.removeMaster(m.name);
  s.flushConfig();
  ctx.reply.ok();
};

const SCRIPT_DENIED = 'ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration';

const set: Handler = (ctx) => {
  const m = masterArg(ctx);
  if (!m) return;
  const s = sentinelOf(ctx.srv);
  const { argv, reply } = ctx;
  const changes: string[] = [];
  let j = 3;
  for (; j < argv.length; j++) {
    const opt = argv[j].toString().toLowerCase();
    const left = argv.length - j - 1;
    const val = argv[j + 1]?.toString() ?? '';
    const bad = () => reply.error(`ERR Invalid argument '${val}' for SENTINEL SET '${opt}'`);
    const n = int(Buffer.from(val));
    if (opt === 'down-after-milliseconds' && left > 0) {
      if (n === null || n <= 0) return bad();
      m.downAfter = n;
      for (const i of [...m.replicas.values(), ...m.sentinels.values()]) i.downAfter = n;
    } else if (opt === 'failover-timeout' && left > 0) {
      if (n === null || n <= 0) return bad();
      m.failoverTimeout = n;
    } else if (opt === 'parallel-syncs' && left > 0) {
      if (n === null || n <= 0) return bad();
      m.parallelSyncs = n;
    } else if ((opt === 'notification-script' || opt === 'client-reconfig-script') && left > 0) {
      if (s.g.denyScriptsReconfig) return reply.error(SCRIPT_DENIED);
      if (opt === 'notification-script') m.notificationScript = val || null;
      else m.clientReconfigScript = val || null;
    } else if (opt === 'auth-pass' && left > 0) {
      m.authPass = val || null;
    } else if (opt === 'auth-user' && left > 0) {
      m.authUser = val || null;
    } else if (opt === 'quorum' && left > 0) {
      if (n === null || n <= 0) return bad();
      m.quorum = n;
    } else if (opt === 'rename-command' && left > 1) {
      const to = argv[j + 2].toString();
      if (val === '' || to === '') return reply.error(`ERR Invalid argument '${val}' for SENTINEL SET '${opt}'`);
      m.renamedCommands.set(val.toLowerCase(), to);
      changes.push(`${opt} ${val} ${to}`);
      j += 2;
      continue;
    } else if (opt === 'master-reboot-down-after-period' && left > 0) {
      if (n === null || n < 0) return bad();
      m.rebootDownAfter = n;
    } else {
      return reply.error(`ERR Unknown option or number of arguments for SENTINEL SET '${opt}'`);
    }
    changes.push(`${opt} ${opt.endsWith('pass') ? '******' : val}`);
    j++;
  }
  for (const c of changes) s.event('warning', '+set', m, c);
  if (changes.length) s.flushConfig();
  reply.ok();
};

const isMasterDown: Handler = ({ srv, reply, argv }) => {
  const s = sentinelOf(srv);
  const port = int(argv[3]);
  const epoch = int(argv[4]);
  if (port === null || epoch === null) return reply.error(NOT_INT);
  const ip = argv[2].toString();
  const runid = argv[5].toString();
  const m = [...s.masters.values()].find((x) => x.ip === ip && x.port === port);
  const down = m?.sdown ? 1 : 0;
  let leader: string | null = null;
  let leaderEpoch = 0;
  if (m && runid !== '*') {
    const v = s.failover.voteLeader(m, epoch, runid);
    leader = v.leader;
    leaderEpoch = v.epoch;
  }
  reply.array(3);
  reply.int(down);
  reply.bulk(leader ?? '*');
  reply.int(leaderEpoch);
};

const infoCache: Handler = ({ srv, reply, argv }) => {
  const s = sentinelOf(srv);
  const names = argv.slice(2).map(String);
  const list = [...s.masters.values()].filter((m) => names.includes(m.name));
  const now = Date.now();
  reply.array(list.length * 2);
  for (const m of list) {
    reply.bulk(m.name);
    const all: Instance[] = [m, ...m.replicas.values()];
    reply.array(all.length);
    for (const i of all) {
      reply.array(2);
      reply.int(i.infoRefresh ? now - i.infoRefresh : 0);
      reply.bulk(i.info === '' ? null : i.info);
    }
  }
};

const simulateFailure: Handler = ({ srv, reply, argv }) => {
  const s = sentinelOf(srv);
  s.simulateFailure = { crashAfterElection: false, crashAfterPromotion: false };
  for (const a of argv.slice(2)) {
    const v = a.toString().toLowerCase();
    if (v === 'crash-after-election') {
      s.simulateFailure.crashAfterElection = true;
      srv.log.warning('Failure simulation: this Sentinel will crash after being successfully elected as failover leader');
    } else if (v === 'crash-after-promotion') {
      s.simulateFailure.crashAfterPromotion = true;
      srv.log.warning('Failure simulation: this Sentinel will crash after promoting the selected replica to master');
    } else if (v === 'help') {
      reply.array(2);
      reply.bulk('crash-after-election');
      reply.bulk('crash-after-promotion');
      return;
    } else {
      return reply.error('ERR Unknown failure simulation specified');
    }
  }
  reply.ok();
};

const GLOBALS = ['resolve-hostnames', 'announce-hostnames', 'announce-ip', 'announce-port', 'sentinel-user', 'sentinel-pass'] as const;

const configGet: Handler = ({ srv, reply, argv }) => {
  const s = sentinelOf(srv);
  const g = s.g;
  const values: Record<(typeof GLOBALS)[number], string> = {
    'resolve-hostnames': g.resolveHostnames ? 'yes' : 'no',
    'announce-hostnames': g.announceHostnames ? 'yes' : 'no',
    'announce-ip': g.announceIp,
    'announce-port': String(g.announcePort),
    'sentinel-user': g.sentinelUser ?? '',
    'sentinel-pass': g.sentinelPass ?? '',
  };
  const hits = GLOBALS.filter((n) => globMatch(argv[3], Buffer.from(n)));
  reply.map(hits.length);
  for (const n of hits) {
    reply.bulk(n);
    reply.bulk(values[n]);
  }
};

const configSet: Handler = ({ srv, reply, argv }) => {
  const s = sentinelOf(srv);
  const g = s.g;
  if (argv.length !== 5) return reply.error('ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.');
  const name = argv[3].toString().toLowerCase();
  const val = argv[4].toString();
  const yn = val.toLowerCase() === 'yes' ? true : val.toLowerCase() === 'no' ? false : null;
  const invalid = () => reply.error(`ERR Invalid value '${val}' to SENTINEL CONFIG SET '${name}'`);
  if (name === 'resolve-hostnames') {
    if (yn === null) return invalid();
    g.resolveHostnames = yn;
  } else if (name === 'announce-hostnames') {
    if (yn === null) return invalid();
    g.announceHostnames = yn;
  } else if (name === 'announce-ip') {
    g.announceIp = val;
  } else if (name === 'announce-port') {
    const n = int(argv[4]);
    if (n === null || n < 0 || n > 65535) return invalid();
    g.announcePort = n;
  } else if (name === 'sentinel-user') {
    g.sentinelUser = val === '' ? null : val;
  } else if (name === 'sentinel-pass') {
    g.sentinelPass = val === '' ? null : val;
  } else {
    return reply.error(`ERR Invalid argument '${name}' to SENTINEL CONFIG SET`);
  }
  s.flushConfig();
  reply.ok();
};

const debug: Handler = ({ srv, reply, argv }) => {
  const s = sentinelOf(srv);
  if (argv.length === 2) {
    const entries = Object.entries(s.timing);
    reply.map(entries.length);
    for (const [k, v] of entries) {
      reply.bulk(k.toUpperCase());
      reply.bulk(String(v));
    }
    return;
  }
  if ((argv.length - 2) % 2 !== 0) return reply.error('ERR wrong number of arguments for \'sentinel|debug\' command');
  const next: Partial<Timing> = {};
  for (let j = 2; j < argv.length; j += 2) {
    const k = argv[j].toString().toLowerCase() as keyof Timing;
    const n = int(argv[j + 1]);
    if (!(k in s.timing)) return reply.error(`ERR Unknown option or number of arguments for SENTINEL DEBUG '${argv[j].toString('latin1')}'`);
    if (n === null || n <= 0) return reply.error(`ERR Invalid argument '${argv[j + 1].toString('latin1')}' for SENTINEL DEBUG '${argv[j].toString('latin1')}'`);
    next[k] = n;
  }
  Object.assign(s.timing, next);
  reply.ok();
};

const help: Handler = ({ reply }) => {
  const lines = sentinelHelp();
  reply.array(lines.length);
  for (const l of lines) reply.simple(l);
};

/** PUBLISH on a Sentinel takes hello messages only (other Sentinels may send them directly). */
const publish: Handler = ({ srv, reply, argv }) => {
  if (argv[1].toString() !== HELLO_CHANNEL) return reply.error('ERR Only HELLO messages are accepted by Sentinel instances.');
  sentinelOf(srv).processHello(argv[2].toString());
  reply.int(1);
};

const role: Handler = ({ srv, reply }) => {
  const s = sentinelOf(srv);
  reply.array(2);
  reply.bulk('sentinel');
  reply.bulkArray([...s.masters.keys()]);
};

const info: Handler = ({ srv, reply, argv }) => {
  reply.verbatim(srv.info.render(argv.slice(1).map((a) => a.toString())));
};

export const sentinelCommands: CommandDef[] = [
  { name: 'sentinel|masters', handler: masters },
  { name: 'sentinel|master', handler: master },
  { name: 'sentinel|replicas', handler: replicas },
  { name: 'sentinel|slaves', handler: replicas },
  { name: 'sentinel|sentinels', handler: sentinels },
  { name: 'sentinel|get-master-addr-by-name', handler: getMasterAddr },
  { name: 'sentinel|failover', handler: failover },
  { name: 'sentinel|reset', handler: reset },
  { name: 'sentinel|ckquorum', handler: ckquorumCmd },
  { name: 'sentinel|flushconfig', handler: flushconfig },
  { name: 'sentinel|monitor', handler: monitor },
  { name: 'sentinel|remove', handler: remove },
  { name: 'sentinel|set', handler: set },
  { name: 'sentinel|is-master-down-by-addr', handler: isMasterDown },
  { name: 'sentinel|info-cache', handler: infoCache },
  { name: 'sentinel|myid', handler: ({ srv, reply }) => reply.bulk(sentinelOf(srv).myid) },
  { name: 'sentinel|config', handler: (ctx) => (ctx.argv[2].toString().toLowerCase() === 'get' && ctx.argv.length === 4 ? configGet(ctx) : ctx.argv[2].toString().toLowerCase() === 'set' ? configSet(ctx) : ctx.reply.error('ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.')) },
  { name: 'sentinel|simulate-failure', handler: simulateFailure },
  { name: 'sentinel|debug', handler: debug },
  { name: 'sentinel|pending-scripts', handler: ({ reply }) => reply.array(0) },
  { name: 'sentinel|help', handler: help },
  { name: 'publish', handler: publish },
  { name: 'role', handler: role },
  { name: 'info', handler: info },
];
