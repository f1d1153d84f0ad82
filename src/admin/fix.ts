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

/** redis-cli's open-slot repair, one slot at a time. */
async function fixOpenSlot(view: ClusterView, slot: number, opts: FixOpts, moveOpts: MoveOpts): Promise<number> {
  const all = masters(view);
  let owners = all.filter((v) => owns(v, slot));
  const migrating = all.filter((v) => v.self.migrating.has(slot));
  const importing = all.filter((v) => v.self.importing.has(slot));
  const say = (m: string) => opts.onMessage?.(`slot ${slot}: ${m}`);
  let moved = 0;
  // Masters holding keys of the slot without owning or importing it are treated as importing.
  for (const v of all) {
    if (!owners.includes(v) && !importing.includes(v) && !migrating.includes(v) && (await keysIn(v, slot)) > 0) importing.push(v);
  }
  if (owners.length === 0) {
    const owner = await mostKeys(migrating.length ? migrating : importing.length ? importing : all, slot);
    say(`no owner: giving it to ${owner.self.addr}`);
    await owner.conn.call('CLUSTER', 'SETSLOT', slot, 'STABLE');
    await owner.conn.call('CLUSTER', 'ADDSLOTS', slot);
    await owner.conn.call('CLUSTER', 'BUMPEPOCH');
    owners = [owner];
    for (const list of [migrating, importing]) if (list.includes(owner)) list.splice(list.indexOf(owner), 1);
  } else if (owners.length > 1) {
    const owner = await mostKeys(owners, slot);
    say(`owned by ${owners.length} masters: keeping ${owner.self.addr}, moving the others' keys to it`);
    for (const v of owners.filter((o) => o !== owner)) {
      await v.conn.call('CLUSTER', 'DELSLOTS', slot);
      if (!importing.includes(v)) importing.push(v);
    }
    await owner.conn.call('CLUSTER', 'BUMPEPOCH');
    owners = [owner];
  }
  const owner = owners[0]!;
  const ends = (from: NodeView, to: NodeView) => endsFor(view, { slot, from: from.self.id, to: to.self.id });
  const stable = (v: NodeView) => v.conn.call('CLUSTER', 'SETSLOT', slot, 'STABLE');

  if (migrating.length === 1 && importing.length === 1) {
    // Case 1: a move was interrupted; finish it.
    say(`finishing the move from ${migrating[0]!.self.addr} to ${importing[0]!.self.addr}`);
    moved += await moveSlot(slot, ends(migrating[0]!, importing[0]!), moveOpts);
  } else if (migrating.length === 0 && importing.length > 0) {
    // Case 2: nodes opened the slot for import (or got stray keys): send their keys to the owner.
    for (const v of importing.filter((x) => x !== owner)) {
      say(`moving keys from ${v.self.addr} back to the owner ${owner.self.addr}`);
      moved += await migrateKeys(slot, ends(v, owner), moveOpts);
      await stable(v);
    }
    if (importing.includes(owner)) await stable(owner);
  } else if (migrating.length === 1 && importing.length > 1) {
    // Case 3: several importers; finish towards the one the migrating node names, close the rest.
    const src = migrating[0]!;
    const dst = importing.find((v) => v.self.id === src.self.migrating.get(slot));
    for (const v of importing.filter((x) => x !== dst)) {
      if ((await keysIn(v, slot)) > 0) moved += await migrateKeys(slot, ends(v, src), moveOpts);
      await stable(v);
    }
    if (dst) { say(`finishing the move to ${dst.self.addr}`); moved += await moveSlot(slot, ends(src, dst), moveOpts); }
    else { say('no importer matches the migrating node: closing the slot'); await stable(src); }
  } else if (migrating.length === 1 && importing.length === 0) {
    // Case 4: migrating with nobody importing: close it if the node owns it or has no keys there.
    const src = migrating[0]!;
    if (src !== owner && (await keysIn(src, slot)) > 0) {
      throw new UserError(`slot ${slot}: ${src.self.addr} is migrating it with keys but owner ${owner.self.addr} is not importing; cannot fix safely`);
    }
    say(`closing the slot on ${src.self.addr}`);
    await stable(src);
  } else if (migrating.length > 0 || importing.length > 0) {
    throw new UserError(`slot ${slot} cannot be fixed automatically: migrating on ${migrating.map((v) => v.self.addr).join(', ') || 'none'}, ` +
      `importing on ${importing.map((v) => v.self.addr).join(', ') || 'none'}, owner ${owner.self.addr}`);
  }
  return moved;
}

/** Gives every uncovered slot to the master holding its keys, or to the master with fewest slots. */
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
    assign.set(owner, [...(assign.get(owner) ?? []), slot]);
    for (const v of holders.filter((h) => h !== owner)) {
      opts.onMessage?.(`slot ${slot}: moving keys from ${v.self.addr} to ${owner.self.addr}`);
      result.keysMoved += await migrateKeys(slot, endsFor(view, { slot, from: v.self.id, to: owner.self.id }), moveOpts);
    }
  }
  for (const [v, list] of assign) {
    for (const [a, b] of toRanges(list)) await addRange(v.conn, a, b);
    result.uncoveredFixed.push(...list);
  }
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
