// `kvctl status`: state.json (pids, restarts, supervisor) joined with a live look at each node (role,
// replication offset, link, cluster slots, what a sentinel monitors).
import path from 'node:path';
import { connect, parseInfo, type Conn } from '../admin/client.js';
import { authFailure, isAuthFailure, type NodeAuth } from '../lib/auth.js';
import { UserError } from '../lib/errors.js';
import { sentinelMaster } from './ready.js';
import { isAlive } from './supervisor/proc.js';
import { readPlan, readState, topologyNames, type NodeState, type PlannedNode } from './supervisor/state.js';

export interface NodeReport {
  name: string;
  /** Live role (master / replica / sentinel), the planned one when the node does not answer. */
  role: string;
  address: string;
  pid?: number;
  state: NodeState | 'dead';
  uptimeS?: number;
  restarts: number;
  /** master_repl_offset (masters) or slave_repl_offset (replicas). */
  offset?: number;
  /** Replicas: master host:port and link status. */
  master?: string;
  link?: string;
  /** Cluster masters: slot ranges. */
  slots?: string;
  /** Sentinels: what they watch. */
  monitors?: string;
  reason?: string;
  /** What the supervisor last did with the node and why (a restart, a wait for failover, a stop). */
  note?: string;
  /** Set when a restart lost data (a master without persistence that came back empty). */
  dataLost?: string;
  /** Paused by kvctl pause: when it resumes (ISO time). */
  pausedUntil?: string;
}

export interface TopologyReport {
  name: string;
  kind: string;
  engine: string;
  stateDir: string;
  supervisor: { pid?: number; state: 'running' | 'stopped' | 'dead' };
  nodes: NodeReport[];
}

async function live(n: PlannedNode, auth: NodeAuth, masterName: string | undefined, kind: string): Promise<Partial<NodeReport>> {
  let c: Conn | undefined;
  try {
    c = await connect(`${n.host}:${n.port}`, { ...(n.role === 'sentinel' ? {} : auth), connectTimeoutMs: 500, commandTimeoutMs: 1000 });
    if (n.role === 'sentinel') {
      const m = await sentinelMaster(c, masterName ?? 'mymaster');
      return { role: 'sentinel', monitors: `${m.name} ${m.ip}:${m.port}, ${m['num-slaves']} replicas, ${Number(m['num-other-sentinels']) + 1} sentinels, quorum ${m.quorum}` };
    }
    const i = parseInfo(String(await c.call('INFO', 'replication')));
    const out: Partial<NodeReport> = { role: i.role === 'slave' ? 'replica' : i.role };
    if (i.role === 'slave') {
      out.offset = Number(i.slave_repl_offset);
      out.master = `${i.master_host}:${i.master_port}`;
      out.link = i.master_link_status;
    } else {
      out.offset = Number(i.master_repl_offset);
    }
    if (kind === 'cluster') {
      const me = String(await c.call('CLUSTER', 'NODES')).split('\n').find((l) => l.includes('myself'));
      const slots = me?.split(' ').slice(8).filter((s) => /^\d/.test(s)) ?? [];
      if (slots.length) out.slots = slots.join(',');
    }
    return out;
  } catch (err) {
    // Wrong credentials are the caller's mistake, not the node's state: one clear error, exit 1.
    if (n.role !== 'sentinel' && isAuthFailure(err)) throw authFailure(`${n.host}:${n.port}`, auth, err);
    return { reason: (err as Error).message };
  } finally {
    c?.close();
  }
}

/** auth: how to log in to the data nodes (default: the plan's credentials). */
export async function statusOf(stateDir: string, auth?: NodeAuth): Promise<TopologyReport> {
  const plan = readPlan(stateDir);
  if (!plan) throw new UserError(`${stateDir} holds no kvctl topology (no plan.json)`);
  const state = readState(stateDir);
  const sup = state?.supervisor;
  const supAlive = !!sup && isAlive(sup.pid, sup.startTime);
  const nodes = await Promise.all(plan.nodes.map(async (n): Promise<NodeReport> => {
    const st = state?.nodes[n.name];
    const alive = isAlive(st?.pid, st?.startTime);
    let nodeState: NodeReport['state'] = st?.state ?? 'stopped';
    if (!alive && (nodeState === 'running' || nodeState === 'starting' || nodeState === 'stopping')) nodeState = supAlive ? 'restarting' : 'dead';
    if (alive && nodeState === 'stopped') nodeState = 'running';
    if (!alive && !supAlive && (nodeState === 'waiting' || nodeState === 'restarting')) nodeState = 'dead';
    const base: NodeReport = {
      name: n.name,
      role: n.role === 'sentinel' ? 'sentinel' : (st?.role ?? n.role),
      address: `${n.host}:${n.port}`,
      pid: alive ? st?.pid : undefined,
      state: nodeState,
      uptimeS: alive && st?.startedAt ? Math.round((Date.now() - st.startedAt) / 1000) : undefined,
      restarts: st?.restarts ?? 0,
      reason: st?.state === 'failed' ? st.reason : undefined,
      note: st?.note,
      dataLost: st?.dataLost,
      pausedUntil: st?.state === 'paused' && st.pausedUntil ? new Date(st.pausedUntil).toISOString() : undefined,
    };
    if (!alive || nodeState === 'paused') return base;
    const l = await live(n, auth ?? { user: plan.user, password: plan.password }, plan.masterName, plan.kind);
    return { ...base, ...l, reason: base.reason ?? l.reason };
  }));
  return {
    name: plan.name,
    kind: plan.kind,
    engine: plan.engine,
    stateDir,
    supervisor: { pid: supAlive ? sup?.pid : undefined, state: supAlive ? 'running' : sup?.status === 'stopped' ? 'stopped' : 'dead' },
    nodes,
  };
}

export async function status(home: string, name?: string, auth?: NodeAuth): Promise<TopologyReport[]> {
  const names = topologyNames(home, name);
  return Promise.all(names.map((n) => statusOf(path.join(home, n), auth)));
}
