// What NODE means in `kvctl stop|start|kill|restart|pause|wait NODE`: a node name, TOPOLOGY/NODE, or
// `master` / `master:SLOT` (TOPOLOGY/ prefix allowed), meaning whichever node is master now: what the
// sentinels say in a Sentinel topology, the owner of SLOT in a cluster, the node answering ROLE master
// otherwise. Errors are one line naming what was asked and what exists.
import path from 'node:path';
import { authFailure, isAuthFailure, type NodeAuth } from '../lib/auth.js';
import { UserError } from '../lib/errors.js';
import { RespConn, parseInfo } from './resp.js';
import { isAlive } from './supervisor/proc.js';
import { listTopologies, readPlan, readState, type Plan, type PlannedNode } from './supervisor/state.js';

export interface ResolvedNode {
  topology: string;
  stateDir: string;
  plan: Plan;
  node: PlannedNode;
}

interface Loaded {
  name: string;
  stateDir: string;
  plan: Plan;
  running: boolean;
  /** How to log in to its data nodes: --user/-a, else the plan's credentials. */
  auth: NodeAuth;
}

function load(home: string, name: string, auth?: NodeAuth): Loaded {
  const stateDir = path.join(home, name);
  const plan = readPlan(stateDir)!;
  const sup = readState(stateDir)?.supervisor;
  return { name, stateDir, plan, running: !!sup && sup.status === 'running' && isAlive(sup.pid, sup.startTime), auth: auth ?? { user: plan.user, password: plan.password } };
}

async function ask(n: PlannedNode, auth: NodeAuth, ...args: Array<string | number>): Promise<unknown> {
  const c = await RespConn.connect(n.host, n.port, { ...(n.role === 'sentinel' ? {} : auth), connectTimeoutMs: 500, commandTimeoutMs: 1000 }).catch((e: unknown) => {
    throw n.role !== 'sentinel' && isAuthFailure(e) ? authFailure(`${n.host}:${n.port}`, auth, e) : e;
  });
  try {
    return await c.call(...args);
  } finally {
    c.close();
  }
}

/** A node that does not answer counts as no answer; a refused log-in stops the search with its error. */
function rethrowUserError(e: unknown): undefined {
  if (e instanceof UserError) throw e;
  return undefined;
}

const at = (plan: Plan, address: string): PlannedNode | undefined => plan.nodes.find((n) => `${n.host}:${n.port}` === address);

async function sentinelsMaster(t: Loaded): Promise<PlannedNode | undefined> {
  for (const s of t.plan.nodes.filter((n) => n.role === 'sentinel')) {
    const r = await ask(s, {}, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', t.plan.masterName ?? 'mymaster').catch(() => undefined);
    if (Array.isArray(r)) return at(t.plan, `${r[0]}:${r[1]}`);
  }
  return undefined;
}

async function slotOwner(t: Loaded, slot: number): Promise<PlannedNode> {
  for (const n of t.plan.nodes) {
    const text = await ask(n, t.auth, 'CLUSTER', 'NODES').catch(rethrowUserError);
    if (typeof text !== 'string') continue;
    for (const line of text.split('\n')) {
      const f = line.trim().split(' ');
      const flags = f[2]?.split(',') ?? [];
      if (!flags.includes('master') || flags.includes('fail')) continue;
      const owns = f.slice(8).some((r) => {
        if (!/^\d/.test(r)) return false;
        const [a, b] = r.split('-').map(Number);
        return slot >= a && slot <= (b ?? a);
      });
      const node = owns ? at(t.plan, f[1].split('@')[0]) : undefined;
      if (node) return node;
    }
    throw new UserError(`no master of ${t.name} serves slot ${slot} now (asked ${n.name})`);
  }
  throw new UserError(`no node of ${t.name} answers CLUSTER NODES`);
}

async function currentMaster(t: Loaded, slot: number | undefined): Promise<PlannedNode> {
  if (t.plan.kind === 'cluster') {
    if (slot === undefined) {
      const masters = t.plan.nodes.filter((n) => n.role === 'master').length;
      throw new UserError(`${t.name} is a cluster with ${masters} masters: say which with master:SLOT (e.g. ${t.name}/master:0, the master of slot 0)`, 2);
    }
    return slotOwner(t, slot);
  }
  if (slot !== undefined) throw new UserError(`master:SLOT is for cluster topologies; ${t.name} is ${t.plan.kind} (use master)`, 2);
  if (t.plan.kind === 'sentinel') {
    const m = await sentinelsMaster(t);
    if (m) return m;
  }
  const data = t.plan.nodes.filter((n) => n.role !== 'sentinel');
  const roles = await Promise.all(data.map(async (n) => parseInfo(String(await ask(n, t.auth, 'INFO', 'replication').catch(rethrowUserError) ?? '')).role));
  const masters = data.filter((_, i) => roles[i] === 'master');
  if (masters.length === 1) return masters[0];
  if (masters.length === 0) throw new UserError(`no node of ${t.name} answers as master now (${data.map((n, i) => `${n.name}: ${roles[i] === 'slave' ? 'replica' : 'down'}`).join(', ')})`);
  throw new UserError(`several nodes of ${t.name} answer as master now (${masters.map((n) => n.name).join(', ')}): name one`);
}

/** Resolves NODE under home; `master` forms are asked of the live nodes. */
export async function resolveNode(home: string, ref: string, auth?: NodeAuth): Promise<ResolvedNode> {
  const slash = ref.indexOf('/');
  const topoName = slash >= 0 ? ref.slice(0, slash) : undefined;
  const nodeName = slash >= 0 ? ref.slice(slash + 1) : ref;
  if (!nodeName || (topoName !== undefined && !topoName)) throw new UserError(`invalid node '${ref}' (a node name, TOPOLOGY/NODE, master or master:SLOT)`, 2);
  const known = listTopologies(home);
  if (topoName !== undefined && !known.includes(topoName)) {
    throw new UserError(`no topology '${topoName}' in ${home} (${known.length ? `known: ${known.join(', ')}` : 'none is there'})`);
  }
  const topologies = (topoName ? [topoName] : known).map((n) => load(home, n, auth));
  const m = /^master(?::(.*))?$/.exec(nodeName);
  if (m) {
    let slot: number | undefined;
    if (m[1] !== undefined) {
      slot = Number(m[1]);
      if (!/^\d+$/.test(m[1]) || slot > 16383) throw new UserError(`invalid slot in '${ref}': a number from 0 to 16383`, 2);
    }
    const candidates = topoName ? topologies : topologies.filter((t) => t.running);
    if (candidates.length === 0) throw new UserError(topoName ? `${topoName} is not running (kvctl up first)` : `no topology is running in ${home} (kvctl up first)`);
    if (candidates.length > 1) throw new UserError(`${candidates.length} topologies are running (${candidates.map((t) => t.name).join(', ')}): say which, e.g. ${candidates[0].name}/${nodeName}`, 2);
    const t = candidates[0];
    return { topology: t.name, stateDir: t.stateDir, plan: t.plan, node: await currentMaster(t, slot) };
  }
  const holders = topologies.filter((t) => t.plan.nodes.some((n) => n.name === nodeName));
  if (holders.length === 1) {
    const t = holders[0];
    return { topology: t.name, stateDir: t.stateDir, plan: t.plan, node: t.plan.nodes.find((n) => n.name === nodeName)! };
  }
  if (holders.length > 1) throw new UserError(`node '${nodeName}' is in ${holders.length} topologies (${holders.map((t) => t.name).join(', ')}): say which, e.g. ${holders[0].name}/${nodeName}`, 2);
  if (topoName) {
    const elsewhere = known.filter((n) => n !== topoName && load(home, n).plan.nodes.some((x) => x.name === nodeName));
    const its = topologies[0].plan.nodes.map((n) => n.name).join(', ');
    throw new UserError(`no node '${nodeName}' in topology ${topoName}${elsewhere.length ? ` (it is a node of ${elsewhere.join(', ')})` : ''}; its nodes: ${its}`);
  }
  if (known.length === 0) throw new UserError(`no node '${nodeName}': no topology in ${home} (kvctl up first)`);
  throw new UserError(`no node '${nodeName}' in any topology in ${home} (nodes: ${topologies.map((t) => `${t.name}: ${t.plan.nodes.map((n) => n.name).join(' ')}`).join('; ')})`);
}
