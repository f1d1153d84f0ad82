// add-node / del-node / call / set-timeout: membership changes and fan-out commands.
import { UserError } from '../lib/errors.js';
import { formatHostPort, parseHostPort } from '../lib/hostport.js';
import { Pool, type AuthOpts } from './client.js';
import { agreementProblems, waitUntil } from './agreement.js';
import { findNode, loadCluster, loadNodeView, masters, sortedViews, type ClusterView, type NodeView } from './cluster-view.js';
import { nodeProblem } from './create.js';

export interface AddNodeOpts extends AuthOpts {
  replica?: boolean;
  masterId?: string;
  timeoutMs?: number;
}

/** Replica count per master id, as the cluster sees it. */
function replicaCounts(view: ClusterView): Map<string, number> {
  const counts = new Map(masters(view).map((v) => [v.self.id, 0]));
  for (const v of view.nodes.values()) if (v.self.masterId) counts.set(v.self.masterId, (counts.get(v.self.masterId) ?? 0) + 1);
  return counts;
}

function leastReplicated(view: ClusterView, except?: string): NodeView {
  const counts = replicaCounts(view);
  const list = masters(view).filter((v) => v.self.id !== except && v.self.slots.length > 0);
  if (!list.length) throw new UserError('no other master with slots to attach replicas to');
  return list.sort((a, b) => counts.get(a.self.id)! - counts.get(b.self.id)! || a.self.addr.localeCompare(b.self.addr))[0]!;
}

export async function addNode(newAddr: string, existing: string, opts: AddNodeOpts = {}) {
  const pool = new Pool(opts);
  try {
    const view = await loadCluster(existing, pool);
    const conn = await pool.get(newAddr);
    const problem = await nodeProblem(conn);
    if (problem) throw new UserError(problem);
    const master = opts.replica || opts.masterId ? (opts.masterId ? findNode(view, opts.masterId) : leastReplicated(view).self) : undefined;
    if (master && !master.master) throw new UserError(`${master.addr} is a replica; --master-id must name a master`, 2);
    const id = String(await conn.call('CLUSTER', 'MYID'));
    const hp = parseHostPort(newAddr);
    // The cluster meets the new node (not the reverse), so it learns its own address from the MEET.
    await [...view.nodes.values()][0]!.conn.call('CLUSTER', 'MEET', hp.host, hp.port);
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    const everyone = [...view.nodes.values()].map((v) => v.conn).concat(conn);
    const expected = { nodes: new Map([...[...view.nodes.values()].map((v) => [v.self.id, v.self.addr] as const), [id, formatHostPort(hp)] as const]), replicaOf: new Map<string, string>() };
    const agree = async () => agreementProblems(await Promise.all(everyone.map((c) => loadNodeView(c))), expected);
    const fail = async (p: string[]) => new UserError(`${newAddr} did not join within ${opts.timeoutMs ?? 30_000} ms: ${p.join('; ')}`);
    await waitUntil(Math.max(0, deadline - Date.now()), agree, fail);
    if (master) {
      await conn.call('CLUSTER', 'REPLICATE', master.id);
      expected.replicaOf.set(id, master.id);
      // A direct MEET makes every node read the new role now rather than at its next ping.
      await Promise.all([...view.nodes.values()].map((v) => conn.call('CLUSTER', 'MEET', v.self.host, v.self.port)));
      await waitUntil(Math.max(0, deadline - Date.now()), agree, fail);
    }
    // Ready means usable: a master answers CLUSTERDOWN (e.g. to the RESTORE-ASKING of a rebalance)
    // until it knows every slot's owner and, on redis-server, for its first 2 s after start-up.
    const stateOk = async () => (String(await conn.call('CLUSTER', 'INFO')).includes('cluster_state:ok') ? [] : [`${newAddr} reports cluster_state fail`]);
    await waitUntil(Math.max(0, deadline - Date.now()), stateOk, fail);
    return { id, addr: formatHostPort(hp), role: master ? 'replica' : 'master', masterId: master?.id ?? null };
  } finally {
    pool.closeAll();
  }
}

export async function delNode(seed: string, id: string, opts: AuthOpts = {}) {
  const pool = new Pool(opts);
  try {
    const view = await loadCluster(seed, pool);
    const entry = findNode(view, id);
    const slots = entry.slots.reduce((n, [a, b]) => n + b - a + 1, 0);
    const own = view.nodes.get(entry.id);
    const ownSlots = own ? own.self.slots.reduce((n, [a, b]) => n + b - a + 1, 0) : slots;
    if (entry.master && ownSlots > 0) {
      throw new UserError(`${entry.addr} is a master with ${ownSlots} slots; move them away first (kvctl cluster reshard or rebalance --weight ${entry.id.slice(0, 8)}=0)`);
    }
    const others = sortedViews(view).filter((v) => v.self.id !== entry.id);
    // Replicas of the node being removed need a new master before they may forget it.
    const orphans = others.filter((v) => v.self.masterId === entry.id);
    for (const r of orphans) await r.conn.call('CLUSTER', 'REPLICATE', leastReplicated(view, entry.id).self.id);
    await Promise.all(others.map((v) => v.conn.call('CLUSTER', 'FORGET', entry.id).catch((err: Error) => {
      if (!/Unknown node/i.test(err.message)) throw err;
    })));
    if (own) await own.conn.call('CLUSTER', 'RESET', 'SOFT');
    return { id: entry.id, addr: entry.addr, reachable: !!own, forgottenOn: others.map((v) => v.self.addr), reassigned: orphans.map((v) => v.self.addr) };
  } finally {
    pool.closeAll();
  }
}

export interface CallResult {
  addr: string;
  id: string;
  role: 'master' | 'replica';
  reply?: unknown;
  error?: string;
}

export async function callAll(seed: string, args: string[], opts: AuthOpts & { onlyMasters?: boolean; onlyReplicas?: boolean } = {}): Promise<CallResult[]> {
  if (!args.length) throw new UserError('give the command to run', 2);
  const pool = new Pool(opts);
  try {
    const view = await loadCluster(seed, pool);
    const targets = sortedViews(view).filter((v) => (opts.onlyMasters ? v.self.master : opts.onlyReplicas ? !v.self.master : true));
    return await Promise.all(targets.map(async (v) => {
      const base = { addr: v.self.addr, id: v.self.id, role: v.self.master ? 'master' as const : 'replica' as const };
      try {
        return { ...base, reply: await v.conn.send(args[0]!, ...args.slice(1)) };
      } catch (err) {
        return { ...base, error: (err as Error).message };
      }
    }));
  } finally {
    pool.closeAll();
  }
}

export async function setNodeTimeout(seed: string, ms: number, opts: AuthOpts = {}): Promise<CallResult[]> {
  if (!Number.isInteger(ms) || ms < 100) throw new UserError('the timeout must be a whole number of milliseconds >= 100', 2);
  return callAll(seed, ['CONFIG', 'SET', 'cluster-node-timeout', String(ms)], opts);
}
