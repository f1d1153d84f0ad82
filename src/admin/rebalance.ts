// `cluster rebalance`: slots in proportion to weights (default 1 each), moved from the most
// overloaded master to the most underloaded, as redis-cli plans it, through the journalled mover.
import { UserError } from '../lib/errors.js';
import { Pool } from './client.js';
import { findNode, loadCluster, masters } from './cluster-view.js';
import { recover, type FixOpts } from './fix.js';
import { Journal, type Move } from './journal.js';
import { runMoves } from './moves.js';
import { openSlots } from './check.js';
import { countRanges, fromRanges, SLOTS } from './slots.js';

export interface RebalanceOpts extends FixOpts {
  /** node id (or prefix) -> weight; 0 drains a master. */
  weights?: Record<string, number>;
  /** Include masters with no slots (new nodes). */
  useEmptyMasters?: boolean;
  /** Only rebalance when some master is off by more than this percentage (default 2). */
  threshold?: number;
  simulate?: boolean;
}

export interface BalanceRow {
  addr: string;
  id: string;
  weight: number;
  slots: number;
  expected: number;
}

export interface RebalanceResult {
  needed: boolean;
  table: BalanceRow[];
  moves: Move[];
  keysMoved: number;
}

export function planRebalance(rows: (BalanceRow & { slotList: number[] })[], threshold: number): { needed: boolean; moves: Move[] } {
  const needed = rows.some((r) => (r.expected === 0 ? r.slots > 0 : (Math.abs(r.slots - r.expected) / r.expected) * 100 > threshold));
  if (!needed) return { needed, moves: [] };
  const bal = rows.map((r) => ({ r, balance: r.slots - r.expected, left: [...r.slotList] }));
  // Flooring leaves a few slots unassigned; make receivers take them so the balances sum to 0.
  let total = bal.reduce((n, b) => n + b.balance, 0);
  while (total > 0) {
    for (const b of bal) if (b.balance <= 0 && total > 0) { b.balance--; total--; }
  }
  bal.sort((a, b) => a.balance - b.balance || a.r.addr.localeCompare(b.r.addr));
  const moves: Move[] = [];
  let dst = 0;
  let src = bal.length - 1;
  while (dst < src) {
    const d = bal[dst]!;
    const s = bal[src]!;
    const n = Math.min(-d.balance, s.balance);
    for (const slot of s.left.splice(0, Math.max(0, n))) moves.push({ slot, from: s.r.id, to: d.r.id });
    d.balance += Math.max(0, n);
    s.balance -= Math.max(0, n);
    if (d.balance >= 0) dst++;
    if (s.balance <= 0) src--;
  }
  return { needed, moves };
}

export async function rebalance(seed: string, opts: RebalanceOpts = {}): Promise<RebalanceResult> {
  const pool = new Pool({ password: opts.password, user: opts.user });
  try {
    if (!opts.simulate) await recover(seed, pool, opts, false);
    const view = await loadCluster(seed, pool);
    const weights = new Map<string, number>();
    for (const [id, w] of Object.entries(opts.weights ?? {})) {
      if (!(w >= 0)) throw new UserError(`weight for ${id} must be a number >= 0`, 2);
      weights.set(findNode(view, id).id, w);
    }
    if (view.unreachable.size) throw new UserError(`unreachable node(s): ${[...view.unreachable.values()].map((u) => u.entry.addr).join(', ')}`);
    const list = masters(view).filter((v) => opts.useEmptyMasters || v.self.slots.length > 0);
    const totalWeight = list.reduce((n, v) => n + (weights.get(v.self.id) ?? 1), 0);
    if (totalWeight === 0) throw new UserError('all weights are 0', 2);
    const rows = list.map((v) => {
      const weight = weights.get(v.self.id) ?? 1;
      return {
        addr: v.self.addr, id: v.self.id, weight, slots: countRanges(v.self.slots),
        expected: Math.floor((SLOTS * weight) / totalWeight), slotList: fromRanges(v.self.slots),
      };
    });
    const { needed, moves } = planRebalance(rows, opts.threshold ?? 2);
    const table = rows.map(({ slotList: _s, ...r }) => r);
    if (!needed || opts.simulate || moves.length === 0) return { needed, table, moves, keysMoved: 0 };
    const journal = Journal.create('rebalance', seed, moves);
    const keysMoved = await runMoves(view, moves, journal, opts, openSlots(view).length === 0);
    if (journal.remaining().length) throw new UserError(`stopped early; ${journal.file} records the rest: run 'kvctl cluster fix' to finish`);
    return { needed, table, moves, keysMoved };
  } finally {
    pool.closeAll();
  }
}
