// `cluster reshard`: finish anything left open first, then move N slots to one master, taking from
// each source in proportion to what it holds (redis-cli's table), journalled and resumable.
import { UserError } from '../lib/errors.js';
import { Pool } from './client.js';
import { findNode, loadCluster, masters, type ClusterView } from './cluster-view.js';
import { recover, type FixOpts, type FixResult } from './fix.js';
import { Journal, type Move } from './journal.js';
import { runMoves } from './moves.js';
import { openSlots } from './check.js';
import { countRanges, fromRanges } from './slots.js';

export interface ReshardOpts extends FixOpts {
  /** Source master ids, or 'all' (every master with slots but the target). */
  from: string[] | 'all';
  to: string;
  slots: number;
  /** Plan only. */
  dryRun?: boolean;
}

export interface ReshardResult {
  recovered: FixResult;
  moves: Move[];
  keysMoved: number;
  /** False when stopped early (the journal keeps the rest). */
  complete: boolean;
  journal?: string;
}

/** Slots to take from each source, largest first: the first gets the rounding up (as redis-cli). */
export function planReshard(view: ClusterView, from: string[] | 'all', to: string, count: number): Move[] {
  const target = findNode(view, to);
  if (!target.master) throw new UserError(`target ${target.addr} is a replica; give a master id`, 2);
  const sources = (from === 'all'
    ? masters(view).filter((v) => v.self.id !== target.id && v.self.slots.length).map((v) => v.self)
    : from.map((id) => findNode(view, id)));
  for (const s of sources) {
    if (s.id === target.id) throw new UserError(`${s.addr} is both a source and the target`, 2);
    if (!s.master) throw new UserError(`source ${s.addr} is a replica`, 2);
    if (!view.nodes.has(s.id)) throw new UserError(`source ${s.addr} is unreachable`);
  }
  if (!view.nodes.has(target.id)) throw new UserError(`target ${target.addr} is unreachable`);
  const total = sources.reduce((n, s) => n + countRanges(s.slots), 0);
  if (count < 1) throw new UserError('--slots must be at least 1', 2);
  if (count > total) throw new UserError(`the sources hold ${total} slots; cannot move ${count}`, 2);
  const ordered = [...sources].sort((a, b) => countRanges(b.slots) - countRanges(a.slots) || a.addr.localeCompare(b.addr));
  const moves: Move[] = [];
  ordered.forEach((s, i) => {
    const share = (count * countRanges(s.slots)) / total;
    const n = Math.min(i === 0 ? Math.ceil(share) : Math.floor(share), count - moves.length);
    for (const slot of fromRanges(s.slots).slice(0, n)) moves.push({ slot, from: s.id, to: target.id });
  });
  return moves;
}

export async function reshard(seed: string, opts: ReshardOpts): Promise<ReshardResult> {
  const pool = new Pool({ password: opts.password, user: opts.user });
  try {
    const recovered = opts.dryRun
      ? { journalsFinished: 0, slotsResumed: 0, openSlotsFixed: [], uncoveredFixed: [], keysMoved: 0 }
      : await recover(seed, pool, opts, false);
    const view = await loadCluster(seed, pool);
    const moves = planReshard(view, opts.from, opts.to, opts.slots);
    if (opts.dryRun) return { recovered, moves, keysMoved: 0, complete: false };
    const journal = Journal.create('reshard', seed, moves);
    const keysMoved = await runMoves(view, moves, journal, opts, openSlots(view).length === 0);
    const complete = journal.remaining().length === 0;
    return { recovered, moves, keysMoved, complete, journal: complete ? undefined : journal.file };
  } finally {
    pool.closeAll();
  }
}
