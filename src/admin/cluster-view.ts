// A typed model of a cluster: CLUSTER NODES parsed, loaded from every reachable node, so checks can
// compare what each node believes (redis-cli shows open slots only in a node's own "myself" line).
import { UserError } from '../lib/errors.js';
import { Pool, info, type Conn } from './client.js';
import { countRanges, mergeRanges } from './slots.js';
import type { Range } from './slots.js';

export interface NodeEntry {
  id: string;
  /** host:port clients use (empty host when the node does not know its own address yet). */
  addr: string;
  host: string;
  port: number;
  busPort: number;
  flags: string[];
  master: boolean;
  /** The master id for replicas. */
  masterId?: string;
  pingSent: number;
  pongRecv: number;
  configEpoch: number;
  linkState: string;
  slots: Range[];
  /** slot -> node id, only present in a node's own line. */
  migrating: Map<number, string>;
  importing: Map<number, string>;
}

export function parseClusterNodes(text: string): NodeEntry[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map(parseLine);
}

function parseLine(line: string): NodeEntry {
  const f = line.split(' ');
  const [id, address, flagText, master, ping, pong, epoch, link, ...slotParts] = f;
  if (!id || !address || !flagText || link === undefined) throw new Error(`unexpected CLUSTER NODES line: ${line}`);
  const m = /^(.*):(\d+)@(\d+)/.exec(address);
  const host = m?.[1] ?? '';
  const port = Number(m?.[2] ?? 0);
  const flags = flagText.split(',');
  const entry: NodeEntry = {
    id, host, port, busPort: Number(m?.[3] ?? port + 10000),
    addr: `${host}:${port}`,
    flags,
    master: flags.includes('master'),
    masterId: master && master !== '-' ? master : undefined,
    pingSent: Number(ping), pongRecv: Number(pong), configEpoch: Number(epoch), linkState: link,
    slots: [], migrating: new Map(), importing: new Map(),
  };
  for (const p of slotParts) {
    const open = /^\[(\d+)-([<>])-([0-9a-f]+)\]$/.exec(p);
    if (open) (open[2] === '>' ? entry.migrating : entry.importing).set(Number(open[1]), open[3]!);
    else {
      const [a, b] = p.split('-').map(Number);
      entry.slots.push([a!, b ?? a!]);
    }
  }
  entry.slots = mergeRanges(entry.slots);
  return entry;
}

export function isFailed(n: NodeEntry): boolean {
  return n.flags.some((f) => f === 'fail' || f === 'fail?' || f === 'noaddr' || f === 'handshake');
}

export interface NodeView {
  /** The node's own line (myself), with open slots. */
  self: NodeEntry;
  /** Everything the node knows, itself included. */
  table: NodeEntry[];
  raw: string;
  conn: Conn;
}

export interface ClusterView {
  /** Reachable nodes, keyed by id, each with its own view of the cluster. */
  nodes: Map<string, NodeView>;
  /** Nodes some reachable node knows but that did not answer: id -> entry, error. */
  unreachable: Map<string, { entry: NodeEntry; error: string }>;
  pool: Pool;
}

/** fillAddress: a node does not know its own IP before it is met; use the one we dialled. */
export async function loadNodeView(conn: Conn, fillAddress = true): Promise<NodeView> {
  const raw = String(await conn.call('CLUSTER', 'NODES'));
  const table = parseClusterNodes(raw);
  const self = table.find((n) => n.flags.includes('myself'));
  if (!self) throw new UserError(`${conn.addr}: CLUSTER NODES has no myself line`);
  if (!self.host && fillAddress) { self.host = conn.hp.host; self.addr = `${conn.hp.host}:${self.port || conn.hp.port}`; }
  return { self, table, raw, conn };
}

/** Fails with a one-line error unless the node runs with cluster-enabled yes. */
export async function assertClusterNode(conn: Conn): Promise<void> {
  const i = await info(conn, 'cluster');
  if (i.cluster_enabled !== '1') throw new UserError(`${conn.addr} is not a cluster node (cluster-enabled is no)`);
}

/** Loads the cluster reachable from one node: every node's own table, and who did not answer. */
export async function loadCluster(seed: string, pool: Pool): Promise<ClusterView> {
  const first = await pool.get(seed);
  await assertClusterNode(first);
  const seedView = await loadNodeView(first);
  const nodes = new Map<string, NodeView>([[seedView.self.id, seedView]]);
  const unreachable = new Map<string, { entry: NodeEntry; error: string }>();
  await Promise.all(seedView.table.filter((n) => !n.flags.includes('myself')).map(async (entry) => {
    if (entry.flags.includes('noaddr') || entry.flags.includes('handshake') || !entry.port) {
      unreachable.set(entry.id, { entry, error: `${entry.id} has no address` });
      return;
    }
    try {
      const v = await loadNodeView(await pool.get(entry.addr));
      nodes.set(v.self.id, v);
    } catch (err) {
      unreachable.set(entry.id, { entry, error: (err as Error).message });
    }
  }));
  return { nodes, unreachable, pool };
}

export function masters(view: ClusterView): NodeView[] {
  return sortedViews(view).filter((v) => v.self.master);
}

export function sortedViews(view: ClusterView): NodeView[] {
  return [...view.nodes.values()].sort((a, b) => a.self.addr.localeCompare(b.self.addr, 'en', { numeric: true }));
}

/** Finds a node by id or unique id prefix (as redis-cli accepts), with a clear error otherwise. */
export function findNode(view: ClusterView, id: string): NodeEntry {
  const all = new Map<string, NodeEntry>();
  for (const v of view.nodes.values()) for (const e of v.table) if (!all.has(e.id)) all.set(e.id, e);
  for (const v of view.nodes.values()) all.set(v.self.id, v.self);
  const hits = [...all.values()].filter((e) => e.id === id || (id.length >= 4 && e.id.startsWith(id)));
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) throw new UserError(`node id '${id}' is ambiguous: ${hits.map((h) => h.id).join(', ')}`);
  throw new UserError(`no node with id '${id}' in the cluster`);
}

/** Master ids whose slot count is known, with slot counts from their own view. */
export function slotCount(v: NodeView): number {
  return countRanges(v.self.slots);
}

/**
 * redis-cli's configuration signature: per node, the sorted "id:slots" of every node that owns slots
 * in its table. All nodes agree when their signatures are identical.
 */
export function configSignature(table: NodeEntry[]): string {
  return table
    .filter((n) => n.slots.length > 0)
    .map((n) => `${n.id}:${n.slots.map(([a, b]) => `${a}-${b}`).join(',')}`)
    .sort()
    .join('|');
}
