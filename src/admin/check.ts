// `cluster check`: the checks redis-cli runs (agreement, open slots, coverage, optionally multiple
// owners), returned as data so the CLI can print a table or JSON and exit 1 on any problem.
import { Pool, type AuthOpts } from './client.js';
import { agreementProblems } from './agreement.js';
import { loadCluster, masters, type ClusterView } from './cluster-view.js';
import { SLOTS, toRanges, countRanges, formatRanges, type Range } from './slots.js';

export interface OpenSlot {
  slot: number;
  node: string;
  state: 'migrating' | 'importing';
  /** The node id on the other side of the move. */
  peer: string;
}

export interface CheckReport {
  ok: boolean;
  seed: string;
  nodes: number;
  masters: number;
  problems: string[];
  openSlots: OpenSlot[];
  uncovered: Range[];
  coveredSlots: number;
  multipleOwners: { slot: number; nodes: string[] }[];
  unreachable: string[];
}

export interface CheckOpts extends AuthOpts {
  /** Also look for slots with keys on more than one master (one COUNTKEYSINSLOT per slot and master). */
  searchMultipleOwners?: boolean;
}

export function openSlots(view: ClusterView): OpenSlot[] {
  const out: OpenSlot[] = [];
  for (const v of view.nodes.values()) {
    for (const [slot, peer] of v.self.migrating) out.push({ slot, node: v.self.addr, state: 'migrating', peer });
    for (const [slot, peer] of v.self.importing) out.push({ slot, node: v.self.addr, state: 'importing', peer });
  }
  return out.sort((a, b) => a.slot - b.slot || a.node.localeCompare(b.node));
}

/** Slot -> owner ids: reachable masters by their own word, unreachable ones as their peers see them. */
export function slotOwners(view: ClusterView): Map<number, string[]> {
  const owners = new Map<number, string[]>();
  const add = (slot: number, id: string) => owners.set(slot, [...(owners.get(slot) ?? []), id]);
  for (const v of masters(view)) for (const [a, b] of v.self.slots) for (let s = a; s <= b; s++) add(s, v.self.id);
  for (const { entry } of view.unreachable.values()) {
    if (entry.master) for (const [a, b] of entry.slots) for (let s = a; s <= b; s++) add(s, entry.id);
  }
  return owners;
}

export function uncoveredSlots(view: ClusterView): Range[] {
  const owners = slotOwners(view);
  const missing: number[] = [];
  for (let s = 0; s < SLOTS; s++) if (!owners.has(s)) missing.push(s);
  return toRanges(missing);
}

/** Slots holding keys on a master that does not own them, or claimed by more than one master. */
async function multipleOwners(view: ClusterView): Promise<{ slot: number; nodes: string[] }[]> {
  const withKeys = new Map<number, Set<string>>();
  for (const [slot, ids] of slotOwners(view)) if (ids.length > 1) withKeys.set(slot, new Set(ids));
  await Promise.all(masters(view).map(async (v) => {
    const counts = await Promise.all(Array.from({ length: SLOTS }, (_, s) => v.conn.call('CLUSTER', 'COUNTKEYSINSLOT', s)));
    counts.forEach((c, slot) => {
      if (Number(c) > 0) withKeys.set(slot, (withKeys.get(slot) ?? new Set()).add(v.self.id));
    });
  }));
  return [...withKeys].filter(([, ids]) => ids.size > 1).map(([slot, ids]) => ({ slot, nodes: [...ids] }));
}

export function analyse(view: ClusterView, seed: string): CheckReport {
  const views = [...view.nodes.values()];
  const problems: string[] = [];
  const unreachable = [...view.unreachable.values()].map(({ entry, error }) => `${entry.addr} (${entry.id}): ${error}`);
  problems.push(...unreachable.map((u) => `unreachable node ${u}`));
  problems.push(...agreementProblems(views).map((p) => `configuration: ${p}`));
  const open = openSlots(view);
  const byNode = new Map<string, OpenSlot[]>();
  for (const o of open) byNode.set(`${o.node} ${o.state}`, [...(byNode.get(`${o.node} ${o.state}`) ?? []), o]);
  for (const [k, list] of byNode) {
    const [node, state] = k.split(' ');
    problems.push(`open slot: ${node} has slots in ${state} state ${formatRanges(toRanges(list.map((o) => o.slot)))}`);
  }
  const uncovered = uncoveredSlots(view);
  if (uncovered.length) problems.push(`not all ${SLOTS} slots are covered: missing ${formatRanges(uncovered)}`);
  return {
    ok: problems.length === 0,
    seed,
    nodes: view.nodes.size + view.unreachable.size,
    masters: masters(view).length,
    problems,
    openSlots: open,
    uncovered,
    coveredSlots: SLOTS - countRanges(uncovered),
    multipleOwners: [],
    unreachable,
  };
}

export async function checkCluster(addr: string, opts: CheckOpts = {}): Promise<CheckReport> {
  const pool = new Pool({ password: opts.password, user: opts.user });
  try {
    const view = await loadCluster(addr, pool);
    const report = analyse(view, addr);
    if (opts.searchMultipleOwners) {
      report.multipleOwners = await multipleOwners(view);
      for (const m of report.multipleOwners) report.problems.push(`slot ${m.slot} has keys or claims on ${m.nodes.length} masters: ${m.nodes.join(', ')}`);
      report.ok = report.problems.length === 0;
    }
    return report;
  } finally {
    pool.closeAll();
  }
}
