// Runs a list of slot moves (reshard, rebalance, journal replay) with a few slots in flight, a
// journal entry per finished slot, progress, and a final wait until every node agrees.
import { UserError } from '../lib/errors.js';
import { agreementProblems, waitUntil } from './agreement.js';
import { loadNodeView, masters, type ClusterView } from './cluster-view.js';
import type { Journal, Move } from './journal.js';
import { moveFreshBatch, moveSlot, type MoveEnds, type MoveOpts } from './migrate.js';
import { connect, type Conn } from './client.js';

export interface Progress {
  slotsDone: number;
  slotsTotal: number;
  keysMoved: number;
}

export interface RunOpts extends Omit<MoveOpts, 'onKeys' | 'cold' | 'fresh'> {
  /** Batches moved at once (their round trips overlap; MIGRATE itself is serial on each source). */
  parallel?: number;
  /** Slots per batch for fresh moves (default FRESH_BATCH). */
  batch?: number;
  /** Checked between slots: stop cleanly, leaving the rest in the journal (first Ctrl-C). */
  shouldStop?: () => boolean;
  onProgress?: (p: Progress) => void;
}

/**
 * Slots per fresh batch. A node lists its open slots in nodes.conf (~50 bytes each): with the default
 * 4 batches in flight, 16 slots each keep a small cluster's file within one 4 KB page, which the
 * engine rewrites in place; past a page it writes a temp file and renames it, which blocked a reshard's
 * source for milliseconds per save on ext4.
 */
const FRESH_BATCH = 16;

export function endsFor(view: ClusterView, move: Move): MoveEnds {
  const get = (id: string, role: string) => {
    const v = view.nodes.get(id);
    if (!v) {
      const u = view.unreachable.get(id);
      throw new UserError(u ? `${role} ${u.entry.addr} (${id}) is unreachable: ${u.error}` : `no node with id '${id}' in the cluster`);
    }
    return { entry: v.self, conn: v.conn };
  };
  const source = get(move.from, 'source');
  const target = get(move.to, 'target');
  const others = masters(view).filter((v) => v.self.id !== move.from && v.self.id !== move.to).map((v) => v.conn);
  return { source, target, others };
}

/** Executes the moves; returns the number of keys moved. Stops at the first error (journal kept). */
/** Consecutive moves between the same two masters, at most size slots each. */
function batches(moves: Move[], size: number): Move[][] {
  const out: Move[][] = [];
  for (const m of moves) {
    const last = out[out.length - 1];
    if (last && last.length < size && last[0]!.from === m.from && last[0]!.to === m.to) last.push(m);
    else out.push([m]);
  }
  return out;
}

/**
 * Executes the moves; returns the number of keys moved. Stops at the first error (journal kept).
 * fresh: the moves were just planned from a view with no open slot, so slots are moved in batches
 * without probing their state; otherwise (journal replay) each slot is probed and finished alone.
 */
export async function runMoves(view: ClusterView, moves: Move[], journal: Journal | undefined, opts: RunOpts = {}, fresh = false): Promise<number> {
  const progress: Progress = { slotsDone: 0, slotsTotal: moves.length, keysMoved: 0 };
  opts.onProgress?.({ ...progress });
  const queue = batches(moves, fresh ? opts.batch ?? FRESH_BATCH : 1);
  let next = 0;
  let failure: unknown;
  const done = (slots: number[]) => { journal?.markDone(...slots); progress.slotsDone += slots.length; opts.onProgress?.({ ...progress }); };
  const parallel = Math.max(1, opts.parallel ?? 4);
  const worker = async () => {
    // Each worker talks to a source over its own connection: a MIGRATE holds its connection until the
    // target answered, so on one shared socket every worker's MIGRATEs queued behind each other's.
    // (redis-server runs MIGRATE synchronously anyway; the engine serves the workers' MIGRATEs at once.)
    const own = new Map<string, Promise<Conn>>();
    const sourceConn = (addr: string): Promise<Conn> => {
      let c = own.get(addr);
      if (!c) own.set(addr, (c = connect(addr, { password: opts.password, user: opts.user })));
      return c;
    };
    try {
      while (failure === undefined && next < queue.length && !opts.shouldStop?.()) {
        const batch = queue[next++]!;
        let inBatch = 0;
        const onKeys = (n: number) => { progress.keysMoved += n - inBatch; inBatch = n; opts.onProgress?.({ ...progress }); };
        try {
          const ends = endsFor(view, batch[0]!);
          if (fresh) {
            if (parallel > 1) ends.source = { ...ends.source, conn: await sourceConn(ends.source.entry.addr) };
            await moveFreshBatch(batch.map((m) => m.slot), ends, { ...opts, onKeys }, done);
          } else { await moveSlot(batch[0]!.slot, ends, { ...opts, onKeys }); done([batch[0]!.slot]); }
        } catch (err) {
          failure ??= err;
          return;
        }
      }
    } finally {
      for (const c of own.values()) c.then((x) => x.close(), () => undefined);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  if (failure !== undefined) throw failure;
  if (progress.slotsDone === moves.length) journal?.finish();
  return progress.keysMoved;
}

/** Waits (bounded) until every reachable node has the same slot configuration. */
export async function waitAgreement(view: ClusterView, timeoutMs = 15_000): Promise<void> {
  const conns = [...view.nodes.values()].map((v) => v.conn);
  await waitUntil(timeoutMs, async () => agreementProblems(await Promise.all(conns.map((c) => loadNodeView(c)))),
    async (p) => new UserError(`nodes still disagree after ${timeoutMs} ms: ${p.join('; ')}`), 50);
}
