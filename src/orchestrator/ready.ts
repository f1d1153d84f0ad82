// "Truly ready": every node answers PING, replicas are linked and caught up, sentinels see each other and
// the replicas, a cluster is ok everywhere. Each check returns what is still pending, naming the node.
import { authFailure, isAuthFailure, type NodeAuth } from '../lib/auth.js';
import { RespPool, infoOf as info, type Caller } from './resp.js';
import type { NodeSpec, Topology } from './topology/types.js';

/** SENTINEL MASTER name as a field map. */
export async function sentinelMaster(c: Caller, name: string): Promise<Record<string, string>> {
  const flat = (await c.call('SENTINEL', 'MASTER', name)) as string[];
  const m: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) m[flat[i]] = flat[i + 1];
  return m;
}

export const addr = (n: Pick<NodeSpec, 'host' | 'port'>): string => `${n.host}:${n.port}`;

export class Probe {
  private readonly data: RespPool;
  private readonly sentinels = new RespPool({ connectTimeoutMs: 1000, commandTimeoutMs: 2000 });
  /** auth: the data nodes' log-in (default: the default user with auth.requirepass). */
  constructor(readonly topo: Topology, readonly auth: NodeAuth = { password: topo.auth.requirepass }) {
    this.data = new RespPool({ ...auth, connectTimeoutMs: 1000, commandTimeoutMs: 2000 });
  }

  async conn(n: NodeSpec): Promise<Caller> {
    return (n.role === 'sentinel' ? this.sentinels : this.data).get(n.host, n.port);
  }

  /** Runs fn on the node; a failure drops its cached connection (the node may have restarted). */
  async on<T>(n: NodeSpec, fn: (c: Caller) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.conn(n));
    } catch (err) {
      (n.role === 'sentinel' ? this.sentinels : this.data).drop(n.host, n.port);
      throw err;
    }
  }

  close(): void {
    this.data.closeAll();
    this.sentinels.closeAll();
  }

  /** Nodes that do not answer PING yet. */
  async notAnswering(nodes: NodeSpec[]): Promise<string[]> {
    const res = await Promise.all(nodes.map(async (n) => {
      try {
        await this.on(n, (c) => c.call('PING'));
        return '';
      } catch (err) {
        const msg = (err as Error).message;
        if (n.role !== 'sentinel' && isAuthFailure(err)) throw authFailure(addr(n), this.auth, err);
        if (/ECONNREFUSED/.test(msg)) return `${n.name} (${addr(n)}) is not listening yet`;
        if (/(^|: )LOADING\b/.test(msg)) return `${n.name} (${addr(n)}) is loading its dataset`;
        return `${n.name} (${addr(n)}) does not answer PING: ${msg}`;
      }
    }));
    return res.filter(Boolean);
  }

  async pending(): Promise<string[]> {
    const t = this.topo;
    const down = await this.notAnswering(t.nodes);
    if (down.length) return down;
    try {
      if (t.kind === 'cluster') return await this.clusterPending();
      const problems = await this.replicationPending();
      if (problems.length || t.kind !== 'sentinel') return problems;
      return await this.sentinelPending();
    } catch (err) {
      return [(err as Error).message];
    }
  }

  private async replicationPending(): Promise<string[]> {
    const t = this.topo;
    const problems: string[] = [];
    const data = t.nodes.filter((n) => n.role !== 'sentinel');
    const infos = new Map<string, Record<string, string>>();
    // Upstreams first, so a replica's offset is compared with an offset its master had already reached.
    for (const n of data.filter((d) => !d.replicaof)) infos.set(n.name, await this.on(n, (c) => info(c, 'replication')));
    for (const n of data.filter((d) => d.replicaof)) infos.set(n.name, await this.on(n, (c) => info(c, 'replication')));
    for (const n of data) {
      const i = infos.get(n.name)!;
      const replicas = data.filter((d) => d.replicaof === n.name).length;
      const online = Object.keys(i).filter((k) => /^slave\d+$/.test(k) && /state=online/.test(i[k])).length;
      if (online < replicas) problems.push(`${n.name} has ${online} of ${replicas} replicas online`);
      if (!n.replicaof) continue;
      const up = infos.get(n.replicaof)!;
      if (i.master_link_status !== 'up') problems.push(`${n.name}: master_link_status:${i.master_link_status ?? '?'} (replica of ${n.replicaof})`);
      else if (i.master_sync_in_progress === '1') problems.push(`${n.name}: initial sync from ${n.replicaof} in progress`);
      else if (Number(i.slave_repl_offset ?? -1) < Number(up.master_repl_offset ?? 0)) {
        problems.push(`${n.name}: replication offset ${i.slave_repl_offset} behind ${n.replicaof}'s ${up.master_repl_offset}`);
      }
    }
    return problems;
  }

  private async sentinelPending(): Promise<string[]> {
    const t = this.topo;
    const sentinels = t.nodes.filter((n) => n.role === 'sentinel');
    const master = t.nodes.find((n) => n.role === 'master')!;
    const replicas = t.nodes.filter((n) => n.replicaof === master.name).length;
    const name = t.sentinel!.masterName;
    const problems: string[] = [];
    for (const s of sentinels) {
      const m = await this.on(s, (c) => sentinelMaster(c, name));
      const others = Number(m['num-other-sentinels'] ?? 0);
      const slaves = Number(m['num-slaves'] ?? 0);
      if (others < sentinels.length - 1) problems.push(`${s.name} sees ${others} of ${sentinels.length - 1} other sentinels`);
      if (slaves < replicas) problems.push(`${s.name} sees ${slaves} of ${replicas} replicas of ${name}`);
      if (/_down/.test(m.flags ?? '')) problems.push(`${s.name} flags ${name} as ${m.flags}`);
    }
    return problems;
  }

  private async clusterPending(): Promise<string[]> {
    const t = this.topo;
    const data = t.nodes.filter((n) => n.role !== 'sentinel');
    // Every node at once (one round trip of latency, not 2 per node); problems stay in node order.
    const perNode = await Promise.all(data.map(async (n) => {
      const problems: string[] = [];
      // Both asked at once on the node's connection (pipelined).
      const [ciReply, r] = await Promise.all([this.on(n, (c) => c.call('CLUSTER', 'INFO')), this.on(n, (c) => info(c, 'replication'))]);
      const ci = String(ciReply);
      const state = /cluster_state:(\w+)/.exec(ci)?.[1];
      const known = Number(/cluster_known_nodes:(\d+)/.exec(ci)?.[1] ?? 0);
      if (state !== 'ok') problems.push(`${n.name}: cluster_state:${state ?? '?'}`);
      else if (known < data.length) problems.push(`${n.name} knows ${known} of ${data.length} nodes`);
      if (r.role === 'slave' && r.master_link_status !== 'up') problems.push(`${n.name}: master_link_status:${r.master_link_status}`);
      return problems;
    }));
    return perNode.flat();
  }

  /** What CLUSTER INFO says about membership: 'fresh' (never joined), 'joined' (all know each other) or 'mixed'. */
  async clusterMembership(): Promise<'fresh' | 'joined' | 'mixed'> {
    const data = this.topo.nodes.filter((n) => n.role !== 'sentinel');
    const known = await Promise.all(data.map(async (n) => Number(/cluster_known_nodes:(\d+)/.exec(String(await this.on(n, (c) => c.call('CLUSTER', 'INFO'))))?.[1] ?? 1)));
    if (known.every((k) => k === 1)) return 'fresh';
    if (known.every((k) => k === data.length)) return 'joined';
    return 'mixed';
  }
}
