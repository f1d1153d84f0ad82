// Moving one slot safely, in redis-cli's order: IMPORTING on the target first (so a client redirected
// by ASK finds it ready), then MIGRATING on the source, keys in MIGRATE ... KEYS batches, then
// SETSLOT NODE on the target, the source, and every other master. Every step is idempotent, so the
// same call also finishes a move that was interrupted at any point.
import { UserError } from '../lib/errors.js';
import type { Conn } from './client.js';
import { parseClusterNodes, type NodeEntry } from './cluster-view.js';

export interface MoveEnds {
  source: { entry: NodeEntry; conn: Conn };
  target: { entry: NodeEntry; conn: Conn };
  /** Every other reachable master, told the new owner last (errors there are ignored). */
  others: Conn[];
}

export interface MoveOpts {
  /** Keys per GETKEYSINSLOT/MIGRATE batch (redis-cli's --cluster-pipeline, default 10). */
  pipeline?: number;
  /** Overwrite keys that already exist on the target (BUSYKEY). */
  replace?: boolean;
  migrateTimeoutMs?: number;
  password?: string;
  user?: string;
  /** Aborting stops between two batches and leaves the slot open, as a crash would. */
  signal?: AbortSignal;
  onKeys?: (moved: number) => void;
  /** "cold": move keys only, leave slot states alone (fix's case of stray keys on a non-owner). */
  cold?: boolean;
  /** The slot is known to be closed (a fresh plan): open it without probing its state first. */
  fresh?: boolean;
}

export class InterruptedError extends UserError {
  constructor(what: string) {
    super(`interrupted while ${what}; run 'kvctl cluster reshard' or 'kvctl cluster fix' to finish it`);
  }
}

function ownsSlot(entry: NodeEntry, slot: number): boolean {
  return entry.slots.some(([a, b]) => slot >= a && slot <= b);
}

async function ownSelf(conn: Conn): Promise<NodeEntry> {
  const lines = String(await conn.call('CLUSTER', 'NODES')).split('\n');
  return parseClusterNodes(lines.filter((l) => l.includes('myself')).join('\n'))[0]!;
}

/** CLUSTER GETKEYSINSLOT, sent now: queued behind what this tick already sent on the connection. */
function keysInSlot(conn: Conn, slot: number, count: number): Promise<Buffer[]> {
  return conn.sendBuffers('CLUSTER', 'GETKEYSINSLOT', slot, count) as Promise<Buffer[]>;
}

/** A reply nobody will wait for any more (the move already failed): no unhandled rejection. */
const drop = (p: Promise<unknown>): void => { p.catch(() => undefined); };

/**
 * Moves every key of a slot from source to target in batches; returns the number moved. `first` is a
 * GETKEYSINSLOT the caller already sent (pipelined behind SETSLOT MIGRATING). Each MIGRATE leaves
 * with the next GETKEYSINSLOT in the same write: a node runs a connection's commands in order and
 * MIGRATE only replies once the keys are gone, so the listing shows what is left.
 */
export async function migrateKeys(slot: number, ends: Pick<MoveEnds, 'source' | 'target'>, opts: MoveOpts, first?: Promise<Buffer[]>): Promise<number> {
  const { source, target } = ends;
  const batch = opts.pipeline ?? 10;
  const auth = opts.password ? (opts.user ? ['AUTH2', opts.user, opts.password] : ['AUTH', opts.password]) : [];
  let moved = 0;
  let listing = first ?? keysInSlot(source.conn, slot, batch);
  for (;;) {
    if (opts.signal?.aborted) {
      drop(listing);
      throw new InterruptedError(`moving slot ${slot} from ${source.entry.addr} to ${target.entry.addr}`);
    }
    const keys = await listing;
    if (keys.length === 0) return moved;
    const migrating = source.conn.send('MIGRATE', target.entry.host, target.entry.port, '', 0,
      opts.migrateTimeoutMs ?? 60_000, ...(opts.replace ? ['REPLACE'] : []), ...auth, 'KEYS', ...keys);
    listing = keysInSlot(source.conn, slot, batch);
    try {
      await migrating;
    } catch (err) {
      drop(listing);
      const msg = (err as Error).message;
      if (/BUSYKEY/.test(msg)) {
        throw new UserError(`slot ${slot}: a key already exists on ${target.entry.addr} (BUSYKEY); ` +
          'nothing was overwritten: compare the copies, then rerun with --replace to keep the source\'s');
      }
      throw new UserError(`slot ${slot}: MIGRATE from ${source.entry.addr} to ${target.entry.addr} failed: ${msg}`);
    }
    moved += keys.length;
    opts.onKeys?.(moved);
  }
}

/** Moves (or finishes moving) a slot; returns the number of keys moved. */
export async function moveSlot(slot: number, ends: MoveEnds, opts: MoveOpts = {}): Promise<number> {
  const { source, target } = ends;
  if (opts.cold) return migrateKeys(slot, ends, opts);
  if (opts.fresh) {
    // Planned from a view just loaded with no open slots: skip the state probes (2 round trips).
    await target.conn.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.entry.id);
    await source.conn.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.entry.id);
    const moved = await migrateKeys(slot, ends, opts);
    await handOver(slot, ends, true);
    return moved;
  }
  const targetSelf = await ownSelf(target.conn);
  // Already handed over on the target: only the source and the others still need to hear about it.
  if (!ownsSlot(targetSelf, slot)) {
    if (targetSelf.importing.get(slot) !== source.entry.id) {
      await target.conn.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.entry.id);
    }
    const sourceSelf = await ownSelf(source.conn);
    if (!ownsSlot(sourceSelf, slot)) {
      throw new UserError(`slot ${slot} is not owned by ${source.entry.addr} any more; run 'kvctl cluster fix'`);
    }
    if (sourceSelf.migrating.get(slot) !== target.entry.id) {
      await source.conn.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.entry.id);
    }
  }
  const moved = await migrateKeys(slot, ends, opts);
  await handOver(slot, ends, !ownsSlot(targetSelf, slot));
  return moved;
}

/** SETSLOT NODE: target first (it must own the slot before the source lets go), then the rest. */
async function handOver(slot: number, { source, target, others }: MoveEnds, onTarget: boolean): Promise<void> {
  if (onTarget) await target.conn.call('CLUSTER', 'SETSLOT', slot, 'NODE', target.entry.id);
  await source.conn.call('CLUSTER', 'SETSLOT', slot, 'NODE', target.entry.id);
  await Promise.all(others.map((c) => c.call('CLUSTER', 'SETSLOT', slot, 'NODE', target.entry.id).catch(() => undefined)));
}

/**
 * Moves a batch of closed slots between the same two masters phase by phase, in five round trips
 * for slots of up to `pipeline` keys: all IMPORTING on the target; all MIGRATING on the source, each
 * with the slot's first GETKEYSINSLOT behind it; the MIGRATEs (each with the next listing); all
 * SETSLOT NODE on the target; then on the source and every other master at once (the target owns
 * the slots by then, so whoever hears first redirects to it). Per slot the order is moveSlot's;
 * batching saves round trips and lets Redis write nodes.conf once per pipeline instead of once per
 * SETSLOT. onDone fires once the batch is fully handed over.
 */
export async function moveFreshBatch(slots: number[], ends: MoveEnds, opts: MoveOpts, onDone: (slots: number[]) => void): Promise<number> {
  const { source, target, others } = ends;
  const setslot = (conn: Conn, slot: number, ...rest: string[]) => conn.call('CLUSTER', 'SETSLOT', slot, ...rest);
  await Promise.all(slots.map((s) => setslot(target.conn, s, 'IMPORTING', source.entry.id)));
  const opened = slots.map((s) => ({ slot: s, migrating: setslot(source.conn, s, 'MIGRATING', target.entry.id), first: keysInSlot(source.conn, s, opts.pipeline ?? 10) }));
  try {
    await Promise.all(opened.map((o) => o.migrating));
  } catch (err) {
    for (const o of opened) drop(o.first);
    throw err;
  }
  let total = 0;
  const counts = await Promise.all(opened.map(({ slot, first }) => {
    let seen = 0;
    return migrateKeys(slot, ends, { ...opts, onKeys: (n) => { total += n - seen; seen = n; opts.onKeys?.(total); } }, first);
  }));
  await Promise.all(slots.map((s) => setslot(target.conn, s, 'NODE', target.entry.id)));
  const told = (conn: Conn) => Promise.all(slots.map((s) => setslot(conn, s, 'NODE', target.entry.id)));
  await Promise.all([told(source.conn), ...others.map((c) => told(c).catch(() => undefined))]);
  onDone(slots);
  return counts.reduce((a, b) => a + b, 0);
}
