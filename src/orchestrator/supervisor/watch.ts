// The supervisor's live view of the data nodes: every POLL_MS it asks each running node for its role,
// the master it follows, its replicas, keys and (cluster) id and slots, and records them in state.json.
// Decisions after a crash read this view: it is the node's role when it died, not the planned one.
import { RespPool, parseInfo, type RespConn } from '../resp.js';
import type { NodeStatus, Plan, PlannedNode, State } from './state.js';

export const POLL_MS = 500;

export interface LiveRole {
  role: 'master' | 'replica';
  /** Replicas: host:port of the master and whether the link is up. */
  masterAddr?: string;
  linkUp?: boolean;
  /** master_repl_offset (masters) or slave_repl_offset (replicas). */
  offset: number;
  replicas: number;
}

export function parseRole(infoText: string): LiveRole {
  const i = parseInfo(infoText);
  if (i.role === 'slave') {
    return {
      role: 'replica',
      masterAddr: `${i.master_host}:${i.master_port}`,
      linkUp: i.master_link_status === 'up',
      offset: Number(i.slave_repl_offset ?? i.master_repl_offset ?? 0),
      replicas: Number(i.connected_slaves ?? 0),
    };
  }
  return { role: 'master', offset: Number(i.master_repl_offset ?? 0), replicas: Number(i.connected_slaves ?? 0) };
}

/** Sum of keys= over the db lines of INFO keyspace. */
export function keyCount(keyspaceText: string): number {
  let n = 0;
  for (const m of keyspaceText.matchAll(/^db\d+:keys=(\d+)/gm)) n += Number(m[1]);
  return n;
}

/** The `myself` line of CLUSTER NODES: id and slot ranges (migrating/importing markers left out). */
export function myselfOf(nodesText: string): { id: string; slots: string } | undefined {
  const line = nodesText.split('\n').find((l) => l.split(' ')[2]?.split(',').includes('myself'));
  if (!line) return undefined;
  const f = line.trim().split(' ');
  return { id: f[0], slots: f.slice(8).filter((s) => /^\d/.test(s)).join(',') };
}

export class RoleWatch {
  readonly pool: RespPool;
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly plan: Plan,
    private readonly state: State,
    private readonly onChange: () => void,
  ) {
    this.pool = new RespPool({ user: plan.user, password: plan.password, connectTimeoutMs: 500, commandTimeoutMs: 1000 });
  }

  /** The planned node listening on host:port, else undefined. */
  nodeAt(address: string): PlannedNode | undefined {
    return this.plan.nodes.find((n) => `${n.host}:${n.port}` === address || (n.host === '127.0.0.1' && `localhost:${n.port}` === address));
  }

  start(): void {
    this.timer = setInterval(() => void this.pollAll(), POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.pool.closeAll();
  }

  /** A fresh look at one node (undefined when it does not answer). */
  async look(n: PlannedNode): Promise<LiveRole | undefined> {
    try {
      const c = await this.pool.get(n.host, n.port);
      return parseRole(String(await c.call('INFO', 'replication')));
    } catch {
      this.pool.drop(n.host, n.port);
      return undefined;
    }
  }

  /** Sends one command to a data node; throws with the node's address on failure. */
  async call(n: PlannedNode, ...args: Array<string | number>): Promise<unknown> {
    let c: RespConn | undefined;
    try {
      c = await this.pool.get(n.host, n.port);
      return await c.call(...args);
    } catch (e) {
      this.pool.drop(n.host, n.port);
      throw e;
    }
  }

  private async pollAll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const data = this.plan.nodes.filter((n) => n.role !== 'sentinel' && this.state.nodes[n.name].state === 'running');
      const changed = await Promise.all(data.map((n) => this.pollOne(n, this.state.nodes[n.name])));
      if (changed.some(Boolean)) this.onChange();
    } finally {
      this.busy = false;
    }
  }

  /** Updates st from the node; true when something a reader of state.json cares about changed. */
  private async pollOne(n: PlannedNode, st: NodeStatus): Promise<boolean> {
    let info: string, keyspace: string, persistence: string, nodes: string | undefined;
    try {
      const c = await this.pool.get(n.host, n.port);
      [info, keyspace, persistence, nodes] = await Promise.all([
        c.call('INFO', 'replication').then(String),
        c.call('INFO', 'keyspace').then(String),
        c.call('INFO', 'persistence').then(String),
        this.plan.kind === 'cluster' ? c.call('CLUSTER', 'NODES').then(String) : Promise.resolve(undefined),
      ]);
    } catch {
      this.pool.drop(n.host, n.port);
      return false;
    }
    if (st.state !== 'running') return false; // died or paused while we asked
    // INFO answers while the dataset loads (redis-server and the engine): its keyspace is partial then,
    // which must not read as keys lost by the restart. Look again once it has loaded.
    if (/^loading:1\r?$/m.test(persistence)) return false;
    const r = parseRole(info);
    // The key count is in it so readers of state.json see what a restart would compare against.
    const before = JSON.stringify([st.role, st.master, st.replicas, st.keys, st.nodeId, st.slots, st.dataLost]);
    st.role = r.role;
    st.master = r.masterAddr ? (this.nodeAt(r.masterAddr)?.name ?? r.masterAddr) : undefined;
    st.replicas = r.replicas;
    st.keys = keyCount(keyspace);
    if (nodes) {
      const me = myselfOf(nodes);
      st.nodeId = me?.id;
      st.slots = me?.slots || undefined;
    }
    if (st.keysBeforeRestart !== undefined) {
      // The first look after a restart that could lose data: say what it lost, if anything.
      if (r.role === 'master' && st.keys < st.keysBeforeRestart) {
        st.dataLost = `restarted at ${new Date(st.startedAt ?? Date.now()).toISOString()} holding ${st.keys} of the ${st.keysBeforeRestart} keys it had before it died`;
      }
      st.keysBeforeRestart = undefined;
    }
    return JSON.stringify([st.role, st.master, st.replicas, st.keys, st.nodeId, st.slots, st.dataLost]) !== before;
  }
}
