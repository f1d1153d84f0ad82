// `cluster create`: validate the nodes, plan placement, then ADDSLOTSRANGE, SET-CONFIG-EPOCH, a MEET
// star, REPLICATE as soon as each replica knows its master, then MEETs from each replica to every node
// (no waiting for gossip to spread its new role), and poll (20 ms, not redis-cli's 1 s) until every
// node agrees and every replica's link is up.
import { UserError } from '../lib/errors.js';
import { formatHostPort, parseHostPort } from '../lib/hostport.js';
import { Pool, info, type AuthOpts, type Conn } from './client.js';
import { assertClusterNode, loadNodeView, type NodeView } from './cluster-view.js';
import { agreementProblems, busPortProblems, waitUntil, type Expected } from './agreement.js';
import { masterCount, planPlacement, type Plan } from './placement.js';
import { formatRanges, type Range } from './slots.js';

export interface CreateOpts extends AuthOpts {
  nodes: string[];
  replicas: number;
  allowSmall?: boolean;
  /** Overall wait for agreement and replica links (default 30 s). */
  timeoutMs?: number;
  /** host -> zone, for zone-aware replica placement. */
  zones?: Record<string, string>;
  onProgress?: (msg: string) => void;
  /** Also wait for cluster_state:ok on every node (default true). */
  waitForStateOk?: boolean;
}

export interface CreatedNode {
  addr: string;
  id: string;
}

export interface CreatedMaster extends CreatedNode {
  slots: Range;
  /** "0-5460" */
  slotsText: string;
  replicas: CreatedNode[];
}

export interface CreatePlan {
  masters: CreatedMaster[];
  score: number;
  zoneScore: number;
  optimal: boolean;
}

export interface CreateResult extends CreatePlan {
  /** Milliseconds from the first command until every node agreed, every replica linked, and every
   * node reported cluster_state ok (0 when not waited for). */
  agreedMs: number;
  linkedMs: number;
  readyMs: number;
}

interface Prepared {
  plan: CreatePlan;
  conns: Map<string, Conn>;
  pool: Pool;
}

/** A pipelined reply awaited later: its rejection is handled there, never reported as unhandled. */
const later = <T>(p: Promise<T>): Promise<T> => (p.catch(() => undefined), p);

/** One-line reason a node cannot join a new cluster, or '' when it can. */
export async function nodeProblem(conn: Conn): Promise<string> {
  // One round trip: the three commands are pipelined on the connection; a node without cluster
  // support fails CLUSTER INFO too, but INFO cluster's answer says why first.
  const keyspaceReply = later(info(conn, 'keyspace'));
  const clusterReply = later(conn.call('CLUSTER', 'INFO'));
  await assertClusterNode(conn);
  const keyspace = await keyspaceReply;
  const clusterInfo = String(await clusterReply);
  const known = Number(/cluster_known_nodes:(\d+)/.exec(clusterInfo)?.[1] ?? 1);
  const assigned = Number(/cluster_slots_assigned:(\d+)/.exec(clusterInfo)?.[1] ?? 0);
  if (Object.keys(keyspace).some((k) => /^db\d+$/.test(k))) {
    return `${conn.addr} is not empty (${Object.entries(keyspace).map(([k, v]) => `${k}: ${v.split(',')[0]}`).join(', ')}); flush it first`;
  }
  if (known > 1 || assigned > 0) {
    return `${conn.addr} is already part of a cluster (knows ${known} nodes, ${assigned} slots assigned); run CLUSTER RESET on it first`;
  }
  return '';
}

/** Connects to and validates every node, and computes the plan; nothing is changed yet. */
export async function prepareCreate(opts: CreateOpts): Promise<Prepared> {
  const addrs = opts.nodes.map((a) => formatHostPort(parseHostPort(a)));
  const dup = addrs.find((a, i) => addrs.indexOf(a) !== i);
  if (dup) throw new UserError(`${dup} is listed twice`, 2);
  if (!Number.isInteger(opts.replicas) || opts.replicas < 0) throw new UserError('--replicas must be a whole number >= 0', 2);
  const M = masterCount(addrs.length, opts.replicas);
  const minMasters = opts.allowSmall ? 1 : 3;
  if (M < minMasters) {
    throw new UserError(`${addrs.length} nodes with ${opts.replicas} replicas each give ${M} masters; ` +
      `at least ${minMasters} ${opts.allowSmall ? 'is' : 'are'} needed${opts.allowSmall ? '' : ' (use --allow-small for 1 or 2)'}`, 2);
  }
  const pool = new Pool({ password: opts.password, user: opts.user });
  const conns = new Map<string, Conn>();
  const ids = new Map<string, string>();
  const problems = await Promise.all(addrs.map(async (a) => {
    try {
      const c = await pool.get(a);
      conns.set(a, c);
      const myid = c.call('CLUSTER', 'MYID'); // pipelined with the checks
      myid.catch(() => undefined);
      const problem = await nodeProblem(c);
      if (!problem) ids.set(a, String(await myid));
      return problem;
    } catch (err) {
      return (err as Error).message;
    }
  }));
  const bad = problems.filter(Boolean);
  if (bad.length) { pool.closeAll(); throw new UserError(bad.join('; ')); }
  const placement: Plan = planPlacement(addrs.map((addr) => {
    const host = parseHostPort(addr).host;
    return { addr, host, zone: opts.zones?.[host] };
  }), opts.replicas);
  const plan: CreatePlan = {
    masters: placement.masters.map((m) => ({
      addr: m.addr, id: ids.get(m.addr)!, slots: m.slots, slotsText: formatRanges([m.slots]),
      replicas: m.replicas.map((r) => ({ addr: r, id: ids.get(r)! })),
    })),
    score: placement.score,
    zoneScore: placement.zoneScore,
    optimal: placement.optimal,
  };
  return { plan, conns, pool };
}

async function addSlots(conn: Conn, [a, b]: Range): Promise<void> {
  try {
    await conn.call('CLUSTER', 'ADDSLOTSRANGE', a, b);
  } catch (err) {
    // Redis < 7 has no ADDSLOTSRANGE.
    if (!/unknown subcommand|Unknown subcommand/i.test((err as Error).message)) throw err;
    await conn.call('CLUSTER', 'ADDSLOTS', ...Array.from({ length: b - a + 1 }, (_, i) => a + i));
  }
}

/**
 * A fresh node's slots (masters), its config epoch and its own view, pipelined on its connection: one
 * round trip per node instead of one per command and node. The epoch does not depend on the slots (a
 * node takes SET-CONFIG-EPOCH while it knows no other node), and no MEET is sent before every node is done.
 */
async function configureNode(conn: Conn, slots: Range | undefined, epoch: number): Promise<NodeView> {
  const added = slots ? later(addSlots(conn, slots)) : undefined;
  const epochSet = later(conn.call('CLUSTER', 'SET-CONFIG-EPOCH', epoch));
  const view = later(loadNodeView(conn));
  await added;
  await epochSet;
  return view;
}

/** Applies a prepared plan and waits until the cluster is fully formed. */
export async function applyCreate(prep: Prepared, opts: Pick<CreateOpts, 'timeoutMs' | 'onProgress' | 'waitForStateOk'> = {}): Promise<CreateResult> {
  const { plan, conns, pool } = prep;
  const say = opts.onProgress ?? (() => undefined);
  const started = Date.now();
  const deadline = started + (opts.timeoutMs ?? 30_000);
  const all = plan.masters.flatMap((m) => [m, ...m.replicas]);
  const conn = (a: string) => conns.get(a)!;
  try {
    say('Performing hash slots allocation (ADDSLOTSRANGE) and assigning a different config epoch to each node');
    const slotsOf = new Map(plan.masters.map((m) => [m.addr, m.slots]));
    const selfViews = await Promise.all(all.map((n, i) => configureNode(conn(n.addr), slotsOf.get(n.addr), i + 1)));
    say('Sending CLUSTER MEET messages to join the cluster');
    const bus = new Map(selfViews.map((v) => [v.self.id, v.self.busPort]));
    const meet = (from: CreatedNode, to: CreatedNode) => {
      const hp = parseHostPort(to.addr);
      const cport = bus.get(to.id)!;
      return conn(from.addr).call('CLUSTER', 'MEET', hp.host, hp.port, ...(cport !== hp.port + 10000 ? [cport] : []));
    };
    // A node learns its own IP from the first MEET it receives; a MEET it sends before that carries no
    // IP and the receiver uses the socket's source address, which is wrong on multi-homed hosts (and on
    // 127.0.0.x test hosts). So first a star from node 0 (plus one MEET back to node 0)...
    const [first, ...rest] = all as [CreatedNode, ...CreatedNode[]];
    await Promise.all([...rest.map((n) => meet(first, n)), ...(rest[0] ? [meet(rest[0], first)] : [])]);
    await waitUntil(Math.max(0, deadline - Date.now()), async () => {
      const views = await Promise.all(all.map((n) => loadNodeView(conn(n.addr), false)));
      return views.filter((v) => !v.self.host).map((v) => `${v.conn.addr} has not learned its own address`);
    }, async (p) => new UserError(`nodes did not receive CLUSTER MEET: ${p.join('; ')}`));
    const left = () => Math.max(0, deadline - Date.now());
    const failWith = (what: string) => async (problems: string[]) => {
      const views = await Promise.all(all.map((n) => loadNodeView(conn(n.addr)).catch(() => undefined)));
      const entries = views.filter((v): v is NodeView => !!v).map((v) => v.self);
      const bus = await busPortProblems(entries);
      return new UserError(`${what} after ${opts.timeoutMs ?? 30_000} ms: ${[...bus, ...problems].join('; ')}`);
    };
    say('Configuring replicas (CLUSTER REPLICATE)');
    await Promise.all(plan.masters.flatMap((m) => m.replicas.map(async (r) => {
      if (m.id !== first.id) await meet(r, m);
      await waitUntil(left(), async () => {
        const v = await loadNodeView(conn(r.addr));
        const e = v.table.find((x) => x.id === m.id);
        return e && !e.flags.includes('handshake') && e.master ? [] : [`${r.addr} does not know its master ${m.addr} yet`];
      }, failWith('replicas could not be configured'));
      await conn(r.addr).call('CLUSTER', 'REPLICATE', m.id);
      // ...then the replica meets every other node directly, at once: a MEET makes the receiver read
      // the sender's current role now instead of at the next ping, which on a quiet cluster can be
      // node-timeout/2 away. Masters need no second round: their slots were assigned before the
      // first MEET, so every header they ever sent carried them.
      await Promise.all(all.filter((o) => o !== r).map((o) => meet(r, o)));
    })));
    const expected: Expected = {
      nodes: new Map(all.map((n) => [n.id, n.addr])),
      replicaOf: new Map(plan.masters.flatMap((m) => m.replicas.map((r) => [r.id, m.id] as const))),
    };
    say('Waiting for the cluster to join');
    // One polling loop for three milestones, each timed when first reached: configuration agreed,
    // replicas linked, cluster_state ok. (A master started less than 2 s ago keeps reporting fail:
    // Redis delays its first "ok" after startup, so readyMs is often bounded by node start time.)
    let agreedMs = 0;
    let linkedMs = 0;
    let readyMs = 0;
    const replicaAddrs = [...expected.replicaOf.keys()].map((id) => expected.nodes.get(id)!);
    // The three checks of a round go out together (one round trip of latency, not three in a row).
    const agreement = async (): Promise<string[]> => {
      if (agreedMs) return [];
      const views = await Promise.all(all.map((n) => loadNodeView(conn(n.addr))));
      const problems = agreementProblems(views, expected);
      if (!problems.length) agreedMs = Date.now() - started;
      return problems;
    };
    const links = async (): Promise<string[]> => {
      if (linkedMs) return [];
      const st = await Promise.all(replicaAddrs.map(async (a) => [a, (await info(conn(a), 'replication')).master_link_status] as const));
      const down = st.filter(([, s]) => s !== 'up').map(([a, s]) => `${a} replication link is ${s ?? 'not configured'}`);
      if (!down.length) linkedMs = Date.now() - started;
      return down;
    };
    const stateOk = async (): Promise<string[]> => {
      if (readyMs || opts.waitForStateOk === false) return [];
      const states = await Promise.all(all.map(async (n) => [n.addr, String(await conn(n.addr).call('CLUSTER', 'INFO'))] as const));
      const failing = states.filter(([, ci]) => !ci.includes('cluster_state:ok')).map(([a]) => `${a} reports cluster_state fail`);
      if (!failing.length) readyMs = Date.now() - started;
      return failing;
    };
    await waitUntil(left(), async () => (await Promise.all([agreement(), links(), stateOk()])).flat(), failWith('the cluster did not form'));
    say(`All 16384 slots covered; every node agrees (after ${agreedMs} ms; replicas linked after ${linkedMs} ms, cluster_state ok after ${readyMs} ms)`);
    return { ...plan, agreedMs, linkedMs, readyMs };
  } finally {
    pool.closeAll();
  }
}

/** The library entry point used by `kvctl up cluster`: validate, plan, apply, wait. */
export async function createCluster(opts: CreateOpts): Promise<CreateResult> {
  const prep = await prepareCreate(opts);
  return applyCreate(prep, opts);
}
