// `cluster fix` and the recovery step shared with reshard/rebalance: replay unfinished journals,
// close open slots with redis-cli's four cases, and give uncovered slots an owner. Keys are only ever
// moved with MIGRATE (never deleted), and nothing runs while a master is unreachable unless asked.
import { UserError } from '../lib/errors.js';
import { Pool, type AuthOpts, type Conn } from './client.js';
import { loadCluster, masters, type ClusterView, type NodeView } from './cluster-view.js';
import { openSlots, uncoveredSlots } from './check.js';
import { Journal } from './journal.js';
import { migrateKeys, moveSlot, type MoveOpts } from './migrate.js';
import { endsFor, runMoves, waitAgreement, type RunOpts } from './moves.js';
import { fromRanges, toRanges, formatRanges } from './slots.js';

export interface FixOpts extends AuthOpts, RunOpts {
  /** Go ahead even though some master does not answer (its slots may look uncovered). */
  withUnreachableMasters?: boolean;
  onMessage?: (msg: string) => void;
}

export interface FixResult {
  journalsFinished: number;
  slotsResumed: number;
  openSlotsFixed: number[];
  uncoveredFixed: number[];
  keysMoved: number;
}

const owns = (v: NodeView, slot: number) => v.self.slots.some(([a, b]) => slot >= a && slot <= b);

async function keysIn(v: NodeView, slot: number): Promise<number> {
  return Number(await v.conn.call('CLUSTER', 'COUNTKEYSINSLOT', slot));
}

/** The master with the most keys in the slot (first by address on ties). */
async function mostKeys(list: NodeView[], slot: number): Promise<NodeView> {
  const counts = await Promise.all(list.map((v) => keysIn(v, slot)));
  let best = 0;
  counts.forEach((c, i) => { if (c > counts[best]!) best = i; });
  return list[best]!;
}

/** Finishes the moves of every journal that belongs to this cluster. */
async function resumeJournals(view: ClusterView, opts: FixOpts, result: FixResult): Promise<void> {
  const ids = new Set([...view.nodes.keys(), ...view.unreachable.keys()]);
  for (const j of Journal.pending()) {
    const mine = j.data.moves.some((m) => ids.has(m.from) || ids.has(m.to));
    if (!mine) continue;
    const todo = j.remaining().filter((m) => {
      const target = view.nodes.get(m.to);
      const done = target && owns(target, m.slot) && ![...view.nodes.values()].some((v) => v.self.migrating.has(m.slot) || v.self.importing.has(m.slot));
      if (done) j.markDone(m.slot);
      return !done;
    });
    opts.onMessage?.(`finishing an interrupted ${j.data.kind} from ${j.data.createdAt}: ${todo.length} slot(s) left (${j.file})`);
    result.keysMoved += await runMoves(view, todo, j, opts);
    result.slotsResumed += todo.length;
    result.journalsFinished++;
  }
}

/**
 * Sends every key of the slot on v, a master that does not own it, to `to`, which does. MIGRATE only
 * runs on a node where the slot is bound and open, so v is told the owner and set IMPORTING from it
 * first (redis-cli does the same for keys on a non-owner), and closed once empty.
 */
async function drain(view: ClusterView, slot: number, v: NodeView, to: NodeView, moveOpts: MoveOpts): Promise<number> {
  await v.conn.call('CLUSTER', 'SETSLOT', slot, 'NODE', to.self.id);
  await v.conn.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', to.self.id);
  const moved = await migrateKeys(slot, endsFor(view, { slot, from: v.self.id, to: to.self.id }), moveOpts);
  await v.conn.call('CLUSTER', 'SETSLOT', slot, 'STABLE');
  return moved;
}

/**
 * redis-cli's open-slot repair, one slot at a time. First one owner: the single master claiming the
 * slot, else the one with most keys (ties: migrating, then importing nodes first). Every other master
 * that claims it, migrates it or holds keys of it is then treated as importing, which leaves the
 * cases: 1 the owner migrating and one importer (finish the move), 2 importers only (their keys go to
 * the owner), 3 the owner migrating and several importers (finish towards the one it names, empty
 * and close the others), 4 the owner migrating alone (close it).
 */
async function fixOpenSlot(view: ClusterView, slot: number, opts: FixOpts, moveOpts: MoveOpts): Promise<number> {
  const all = masters(view);
  const owners = all.filter((v) => owns(v, slot));
  const migrating = all.filter((v) => v.self.migrating.has(slot));
  const importing = all.filter((v) => v.self.importing.has(slot));
  const say = (m: string) => opts.onMessage?.(`slot ${slot}: ${m}`);
  const stable = (v: NodeView) => v.conn.call('CLUSTER', 'SETSLOT', slot, 'STABLE');
  const isOpen = (v: NodeView) => migrating.includes(v) || importing.includes(v);
  let owner: NodeView;
  if (owners.length === 1) owner = owners[0]!;
  else if (owners.length === 0) {
    owner = await mostKeys([...migrating, ...importing, ...all.filter((v) => !isOpen(v))], slot);
    say(`no owner: giving it to ${owner.self.addr}`);
    await stable(owner);
    await owner.conn.call('CLUSTER', 'ADDSLOTS', slot);
    await owner.conn.call('CLUSTER', 'BUMPEPOCH');
  } else {
    owner = await mostKeys(owners, slot);
    say(`owned by ${owners.length} masters: keeping ${owner.self.addr}, moving the others' keys to it`);
    for (const v of owners.filter((o) => o !== owner)) {
      // Bound to the owner at once (as redis-cli): a move into an unbound slot gets CLUSTERDOWN.
      await v.conn.call('CLUSTER', 'DELSLOTS', slot);
      await v.conn.call('CLUSTER', 'SETSLOT', slot, 'NODE', owner.self.id);
    }
    await owner.conn.call('CLUSTER', 'BUMPEPOCH');
  }
  const src = owner.self.migrating.has(slot) && owners.includes(owner) ? owner : undefined;
  const others: NodeView[] = [];
  for (const v of all) {
    if (v === owner) continue;
    if (isOpen(v) || owners.includes(v) || (await keysIn(v, slot)) > 0) others.push(v);
  }
  const ends = (from: NodeView, to: NodeView) => endsFor(view, { slot, from: from.self.id, to: to.self.id });
  let moved = 0;

  if (src && others.length === 1) {
    say(`case 1: finishing the move from ${src.self.addr} to ${others[0]!.self.addr}`);
    moved += await moveSlot(slot, ends(src, others[0]!), moveOpts);
  } else if (!src) {
    say(`case 2: moving every key of the slot to its owner ${owner.self.addr}`);
    for (const v of others) moved += await drain(view, slot, v, owner, moveOpts);
    await Promise.all(all.filter((v) => v !== owner && !others.includes(v))
      .map((v) => v.conn.call('CLUSTER', 'SETSLOT', slot, 'NODE', owner.self.id).catch(() => undefined)));
  } else if (others.length > 1) {
    const dst = others.find((v) => v.self.id === src.self.migrating.get(slot));
    for (const v of others.filter((x) => x !== dst)) {
      if ((await keysIn(v, slot)) > 0) moved += await drain(view, slot, v, src, moveOpts);
      else await stable(v);
    }
    if (dst) {
      say(`case 3: finishing the move to ${dst.self.addr}, closing the other importers`);
      moved += await moveSlot(slot, ends(src, dst), moveOpts);
    } else {
      say(`case 3: no importer matches the migrating node: closing the slot on ${src.self.addr}`);
      await stable(src);
    }
  } else {
    say(`case 4: nobody imports it: closing the slot on ${src.self.addr}`);
    await stable(src);
  }
  return moved;
}

/**
 * Gives every uncovered slot to the master holding most of its keys, or to the master with fewest
 * slots. A slot with keys on several masters is assigned at once and the others' keys moved to it.
 */
async function fixCoverage(view: ClusterView, opts: FixOpts, moveOpts: MoveOpts, result: FixResult): Promise<void> {
  const slots = fromRanges(uncoveredSlots(view));
  if (!slots.length) return;
  opts.onMessage?.(`fixing ${slots.length} uncovered slot(s): ${formatRanges(toRanges(slots))}`);
  const all = masters(view);
  if (!all.length) throw new UserError('no reachable master to give uncovered slots to');
  const load = new Map(all.map((v) => [v, v.self.slots.reduce((n, [a, b]) => n + b - a + 1, 0)]));
  const assign = new Map<NodeView, number[]>();
  for (const slot of slots) {
    const counts = await Promise.all(all.map((v) => keysIn(v, slot)));
    const holders = all.filter((_, i) => counts[i]! > 0);
    let owner: NodeView;
    if (holders.length) owner = await mostKeys(holders, slot);
    else owner = [...load].sort((a, b) => a[1] - b[1])[0]![0];
    load.set(owner, load.get(owner)! + 1);
    if (holders.length > 1) {
      await owner.conn.call('CLUSTER', 'ADDSLOTS', slot);
      await owner.conn.call('CLUSTER', 'BUMPEPOCH');
      for (const v of holders.filter((h) => h !== owner)) {
        opts.onMessage?.(`slot ${slot}: moving keys from ${v.self.addr} to ${owner.self.addr}`);
        result.keysMoved += await drain(view, slot, v, owner, moveOpts);
      }
      result.uncoveredFixed.push(slot);
    } else assign.set(owner, [...(assign.get(owner) ?? []), slot]);
  }
  for (const [v, list] of assign) {
    for (const [a, b] of toRanges(list)) await addRange(v.conn, a, b);
    result.uncoveredFixed.push(...list);
  }
  result.uncoveredFixed.sort((a, b) => a - b);
}

async function addRange(conn: Conn, a: number, b: number): Promise<void> {
  await conn.call('CLUSTER', 'ADDSLOTSRANGE', a, b).catch(async (err: Error) => {
    if (!/unknown subcommand/i.test(err.message)) throw err;
    await conn.call('CLUSTER', 'ADDSLOTS', ...Array.from({ length: b - a + 1 }, (_, i) => a + i));
  });
}

function refuseUnreachableMasters(view: ClusterView, opts: FixOpts): void {
  const down = [...view.unreachable.values()].filter((u) => u.entry.master && u.entry.slots.length);
  if (down.length && !opts.withUnreachableMasters) {
    throw new UserError(`master(s) unreachable: ${down.map((u) => u.entry.addr).join(', ')}; ` +
      'fix would treat their slots as uncovered (pass --fix-with-unreachable-masters to go ahead)');
  }
}

/**
 * Brings the cluster back to a clean state: journals first (they know the intended direction),
 * then open slots, then (when coverage is set) uncovered slots. Loads a fresh view between steps.
 */
export async function recover(seed: string, pool: Pool, opts: FixOpts, coverage: boolean): Promise<FixResult> {
  const result: FixResult = { journalsFinished: 0, slotsResumed: 0, openSlotsFixed: [], uncoveredFixed: [], keysMoved: 0 };
  const moveOpts: MoveOpts = { ...opts, onKeys: undefined };
  let view = await loadCluster(seed, pool);
  refuseUnreachableMasters(view, opts);
  await resumeJournals(view, opts, result);
  view = await loadCluster(seed, pool);
  const open = [...new Set(openSlots(view).map((o) => o.slot))];
  for (const slot of open) {
    result.keysMoved += await fixOpenSlot(view, slot, opts, moveOpts);
    result.openSlotsFixed.push(slot);
    view = await loadCluster(seed, pool);
  }
  if (coverage) await fixCoverage(view, opts, moveOpts, result);
  if (result.slotsResumed || open.length || result.uncoveredFixed.length) await waitAgreement(await loadCluster(seed, pool));
  return result;
}

export async function fixCluster(seed: string, opts: FixOpts = {}): Promise<FixResult> {
  const pool = new Pool({ password: opts.password, user: opts.user });
  try {
    return await recover(seed, pool, opts, true);
  } finally {
    pool.closeAll();
  }
}
