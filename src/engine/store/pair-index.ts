// Open-addressing indexes kept as one Int32Array of [ref, hash] pairs (ref 0 = empty), linear
// probing over a power-of-two capacity: the placement, deletion and growth that member-table.ts
// (a dense value's member index, which also keeps each key's string by position) and keyspace.ts (a
// db's keys) share, and keyspace.ts's lookups of a key held as a string or as its bytes (a member
// table probes its own, beside its by-position strings). What a ref means stays with each of them.

/** Whether latin1 string s stands for the bytes b[start, end). */
export function sameRange(s: string, b: Buffer, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let i = start; i < end; i++) if (s.charCodeAt(i - start) !== b[i]) return false;
  return true;
}

/** The position whose ref names key (hash h), or -1: ref r's key is keys[stride * (r - 1)]. */
export function findPair(t: Int32Array, mask: number, h: number, keys: readonly unknown[], stride: number, key: string): number {
  for (let p = h & mask; ; p = (p + 1) & mask) {
    const r = t[2 * p];
    if (r === 0) return -1;
    if (t[2 * p + 1] === h && keys[stride * (r - 1)] === key) return p;
  }
}

/** findPair for a key given as its bytes b[start, end) (an argument inside a read buffer, hash h). */
export function findPairRange(t: Int32Array, mask: number, h: number, keys: readonly unknown[], stride: number, b: Buffer, start: number, end: number): number {
  for (let p = h & mask; ; p = (p + 1) & mask) {
    const r = t[2 * p];
    if (r === 0) return -1;
    if (t[2 * p + 1] === h && sameRange(keys[stride * (r - 1)] as string, b, start, end)) return p;
  }
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

/** A table of cap positions holding old's pairs, each moved with the hash it holds (none is hashed again). */
export function rehashPairs(old: Int32Array, cap: number): Int32Array {
  const t = new Int32Array(cap * 2);
  const mask = cap - 1;
  for (let q = 0; q < old.length; q += 2) if (old[q] !== 0) placePair(t, mask, old[q + 1], old[q]);
  return t;
}
