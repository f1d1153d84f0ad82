// Open-addressing indexes kept as one Int32Array of [ref, hash] pairs (ref 0 = empty), linear
// probing over a power-of-two capacity: the placement, deletion and growth that member-table.ts
// (a dense value's member index, which also keeps each key's string by position) and keyspace.ts (a
// db's keys) share. What a ref means, and so each lookup's probe, stays with each of them.

/** Whether latin1 string s stands for the bytes b[start, end). */
export function sameRange(s: string, b: Buffer, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let i = start; i < end; i++) if (s.charCodeAt(i - start) !== b[i]) return false;
  return true;
}

/** Puts ref with hash h at the first empty position from its home; returns that position. */
export function placePair(t: Int32Array, mask: number, h: number, ref: number): number {
  let p = h & mask;
  while (t[2 * p] !== 0) p = (p + 1) & mask;
  t[2 * p] = ref;
  t[2 * p + 1] = h;
  return p;
}

/**
 * Empties position p; later pairs of its run shift back so every probe still finds them (no
 * tombstones). keys: an array by position kept beside the pairs, moved with them (its emptied
 * position set to empty), or null.
 */
export function removePair<K>(t: Int32Array, mask: number, p: number, keys: K[] | null = null, empty?: K): void {
  let hole = p;
  for (let j = (p + 1) & mask; t[2 * j] !== 0; j = (j + 1) & mask) {
    const home = t[2 * j + 1] & mask;
    // The pair at j may move into the hole unless its home lies cyclically in (hole, j].
    const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
    if (stays) continue;
    t[2 * hole] = t[2 * j];
    t[2 * hole + 1] = t[2 * j + 1];
    if (keys !== null) keys[hole] = keys[j];
    hole = j;
  }
  t[2 * hole] = 0;
  t[2 * hole + 1] = 0;
  if (keys !== null) keys[hole] = empty as K;
}

/**
 * A table of cap positions holding old's pairs, each moved with the hash it holds (none is hashed
 * again). keys: an array by position kept beside the pairs: oldKeys' elements are moved with them
 * into keys (cap long, filled with the empty value).
 */
export function rehashPairs<K>(old: Int32Array, cap: number, oldKeys: readonly K[] | null = null, keys: K[] | null = null): Int32Array {
  const t = new Int32Array(cap * 2);
  const mask = cap - 1;
  for (let q = 0; q < old.length; q += 2) {
    if (old[q] === 0) continue;
    const p = placePair(t, mask, old[q + 1], old[q]);
    if (keys !== null) keys[p] = (oldKeys as readonly K[])[q >> 1];
  }
  return t;
}
