// SCAN cursors. Each cursor id names a live iterator over the db's keys: keyspace.ts's iterators, as
// Map's, survive inserts, deletes, growth and the squeezing out of holes, so a key present for the
// whole scan is returned exactly once (Redis's guarantee, without its duplicates). An unknown cursor
// restarts the scan from the beginning.
// Keys inserted during the scan come after every original key, so a scan ends once it has visited
// as many entries as the db held when it started: endless inserts cannot keep it alive forever.
import type { Db } from './db.js';

/** Entries a live cursor may still visit. */
const budgets = new WeakMap<Iterator<string>, number>();

/** Live cursors per db are capped; the oldest is dropped (its client then restarts). */
const MAX_CURSORS = 4096;
let nextCursor = 1;

export interface ScanStep {
  keys: string[];
  /** 0 when the scan is complete. */
  cursor: number;
}

/**
 * Advances the scan named by `cursor` over about `count` keys, returning those `accept` passes.
 * The iterator yields every key; `accept` filters MATCH/TYPE and skips expired keys.
 */
export function scanStep(db: Db, cursor: number, count: number, accept: (key: string) => boolean): ScanStep {
  let it = cursor === 0 ? undefined : db.scanCursors.get(cursor);
  if (it) db.scanCursors.delete(cursor);
  else it = db.data.keys();
  let budget = budgets.get(it) ?? db.data.size;
  const keys: string[] = [];
  for (let visited = 0; visited < count; visited++) {
    const n = budget > 0 ? it.next() : { done: true as const, value: undefined };
    if (n.done) return { keys, cursor: 0 };
    budget--;
    if (accept(n.value)) keys.push(n.value);
  }
  if (budget <= 0) return { keys, cursor: 0 };
  budgets.set(it, budget);
  const id = nextCursor++;
  if (nextCursor > 0x7fffffff) nextCursor = 1;
  if (db.scanCursors.size >= MAX_CURSORS) {
    const oldest = db.scanCursors.keys().next();
    if (!oldest.done) db.scanCursors.delete(oldest.value);
  }
  db.scanCursors.set(id, it);
  return { keys, cursor: id };
}
