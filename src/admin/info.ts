// `cluster info` and `cluster nodes`: read-only summaries for the views and for --json.
import { Pool, type AuthOpts } from './client.js';
import { loadCluster, loadNodeView, masters, assertClusterNode, type NodeEntry } from './cluster-view.js';
import { countRanges, formatRanges } from './slots.js';

export interface MasterInfo {
  addr: string;
  id: string;
  keys: number;
  slots: number;
  replicas: number;
}

export interface ClusterInfo {
  masters: MasterInfo[];
  keys: number;
  slots: number;
  unreachable: string[];
}

export async function clusterInfo(addr: string, opts: AuthOpts = {}): Promise<ClusterInfo> {
  const pool = new Pool(opts);
  try {
    const view = await loadCluster(addr, pool);
    const all = [...view.nodes.values()].flatMap((v) => v.table);
    const list = await Promise.all(masters(view).map(async (v) => ({
      addr: v.self.addr,
      id: v.self.id,
      keys: Number(await v.conn.call('DBSIZE')),
      slots: countRanges(v.self.slots),
      replicas: new Set(all.filter((e) => e.masterId === v.self.id).map((e) => e.id)).size,
    })));
    return {
      masters: list,
      keys: list.reduce((n, m) => n + m.keys, 0),
      slots: list.reduce((n, m) => n + m.slots, 0),
      unreachable: [...view.unreachable.values()].map((u) => u.entry.addr),
    };
  } finally {
    pool.closeAll();
  }
}

/** One row of the `cluster nodes` table (JSON-friendly). */
export interface NodeRow {
  id: string;
  addr: string;
  busPort: number;
  role: 'master' | 'replica';
  masterId: string | null;
  flags: string[];
  slots: string;
  slotCount: number;
  linkState: string;
  configEpoch: number;
  open: string[];
}

export function toRow(e: NodeEntry): NodeRow {
  return {
    id: e.id,
    addr: e.addr,
    busPort: e.busPort,
    role: e.master ? 'master' : 'replica',
    masterId: e.masterId ?? null,
    flags: e.flags,
    slots: formatRanges(e.slots),
    slotCount: countRanges(e.slots),
    linkState: e.linkState,
    configEpoch: e.configEpoch,
    open: [
      ...[...e.migrating].map(([s, id]) => `[${s}->-${id}]`),
      ...[...e.importing].map(([s, id]) => `[${s}-<-${id}]`),
    ],
  };
}

/** The seed's CLUSTER NODES, raw and parsed. */
export async function clusterNodes(addr: string, opts: AuthOpts = {}): Promise<{ raw: string; rows: NodeRow[] }> {
  const pool = new Pool(opts);
  try {
    const conn = await pool.get(addr);
    await assertClusterNode(conn);
    const v = await loadNodeView(conn);
    return { raw: v.raw, rows: v.table.map(toRow) };
  } finally {
    pool.closeAll();
  }
}
