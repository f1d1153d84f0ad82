// The key -> slot index of a DenseIndex: open addressing with linear probing over one Int32Array of
// [slot + 1, hash] pairs (0 = empty), hashing the bytes of the argument Buffer itself. A Map<string,
// number> needed a latin1 string made and hashed per lookup, then V8's chained buckets: at 100k
// members that was 10-15% of HSET/SADD/ZADD -P 16 profiles; here a lookup of an existing member
// allocates nothing and touches one pair and, beside it by position, the key's string to confirm.
// Deletes shift the run back (no tombstones). The hash is seeded with a per-process random basis, so colliding inputs cannot be
// prepared offline (Redis seeds siphash for the same reason).

import { placePair, rehashPairs, removePair, sameRange } from './pair-index.js';

let SEED = newSeed();

function newSeed(): number {
  return (Math.random() * 0x7fffffff) | 0;
}

/**
 * Draws this process's basis again: the module's first draw is the start-up snapshot builder's, which
 * every node started from the blob would share. Only before any table in use exists (runProcess, at the
 * start): a table keeps the hashes it placed its keys by.
 */
export function reseedMemberTables(): void {
  SEED = newSeed();
}

/** The basis in use (tests: a process start draws its own). */
export function memberTableSeed(): number {
  return SEED;
}

// MurmurHash3's 32-bit mixing, four bytes per step: byte-at-a-time FNV-1a was 15% of a ZADD
// rescore at 100k members (a 20-byte member is 20 dependent multiplies; here 5 words).
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixWord(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = Math.imul((k << 15) | (k >>> 17), C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, k: number, n: number): number {
  if (k !== 0) h ^= Math.imul(((k = Math.imul(k, C1)) << 15) | (k >>> 17), C2);
  h ^= n;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The hash of the key bytes b[start, end) (the table index is its low bits). */
export function hashRange(b: Buffer, start: number, end: number): number {
  let h = SEED;
  let i = start;
  for (; i + 4 <= end; i += 4) h = mixWord(h, b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
  let k = 0;
  for (let sh = 0; i < end; i++, sh += 8) k |= b[i] << sh;
  return finish(h, k, end - start);
}

/** hashRange of the bytes a latin1 string stands for. */
export function hashStr(s: string): number {
  const n = s.length;
  let h = SEED;
  let i = 0;
  for (; i + 4 <= n; i += 4) h = mixWord(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24));
  let k = 0;
  for (let sh = 0; i < n; i++, sh += 8) k |= s.charCodeAt(i) << sh;
  return finish(h, k, n);
}

export { sameRange } from './pair-index.js';

const MIN_CAP = 8;
/** touch()'s scratch: each key's home position (a read's pipeline holds at most 256 keys). */
const homes = new Int32Array(256);

export class MemberTable {
  /** Pairs [slot + 1, hash] at 2 * position; capacity a power of two, at most 3/4 full (as keyspace.ts). */
  private t!: Int32Array;
  /**
   * The key string at each position ('' where empty). A lookup reads it by position, so its load and
   * the pair's are independent: through names[slot] it had to wait for the pair's miss first, and the
   * string's own after that (three cache misses in a row at 100k members, a third of SADD -P 16).
   */
  private k!: string[];
  private mask = 0;
  private count = 0;
  /** The hash find() computed last: an insert right after a miss reuses it instead of hashing again. */
  lastHash = 0;
  /** findRange's early read of the value (see there); not meaningful otherwise. */
  lastVal: unknown = undefined;

  /** names: the DenseIndex's slot -> key string array (slot order, rebuilt from); indexed now. */
  constructor(private readonly names: string[]) {
    this.rebuild(MIN_CAP);
  }

  /** The slot of key b, or -1. */
  find(b: Buffer): number {
    return this.findRange(b, 0, b.length);
  }

  /**
   * The slot of the key whose bytes are b[start, end) (an argument inside a read buffer), or -1.
   * vals: the caller's slot -> value array, when it reads the value next (HSET's old value): its
   * element is loaded here, before the key's string is compared, so that cache miss overlaps the
   * string's instead of following it (kept in lastVal so the load stays).
   */
  findRange(b: Buffer, start: number, end: number, vals: readonly unknown[] | null = null): number {
    const h = hashRange(b, start, end);
    this.lastHash = h;
    const t = this.t;
    const k = this.k;
    const mask = this.mask;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const e = t[2 * p];
      const s = k[p];
      if (e === 0) return -1;
      if (t[2 * p + 1] !== h) continue;
      if (vals !== null) this.lastVal = vals[e - 1];
      if (sameRange(s, b, start, end)) return e - 1;
    }
  }

  /**
   * Loads what lookups of the keys at ranges[2i, 2i + 1) of b, from <= i < to, will read: each home
   * position's pair, the key string beside it (its characters too) and its value's element (vals, when
   * the caller reads values). In phases over all the keys, so their cache misses overlap (a loop that
   * probed each key in turn stalled on each). Returns a sum of what it read (the loads' sink).
   */
  touch(b: Buffer, ranges: Int32Array, from: number, to: number, vals: readonly unknown[] | null): number {
    const n = Math.min(to - from, homes.length);
    const mask = this.mask;
    for (let i = 0; i < n; i++) homes[i] = hashRange(b, ranges[2 * (from + i)], ranges[2 * (from + i) + 1]) & mask;
    const t = this.t;
    const k = this.k;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const p = homes[i];
      const e = t[2 * p];
      sum += k[p].length;
      if (vals !== null && e !== 0) sum += vals[e - 1] === undefined ? 0 : 1;
    }
    return sum;
  }

  /** The slot of the key given as its latin1 string, or -1. */
  findStr(s: string): number {
    const p = this.posOf(s, hashStr(s));
    return p < 0 ? -1 : this.t[2 * p] - 1;
  }

  /** The table position holding key s (hash h), or -1. */
  private posOf(s: string, h: number): number {
    const t = this.t;
    const k = this.k;
    const mask = this.mask;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      if (t[2 * p] === 0) return -1;
      if (t[2 * p + 1] === h && k[p] === s) return p;
    }
  }

  /** Records a key known to be absent, at a slot (h: its hash, when the caller has it). */
  add(s: string, slot: number, h = hashStr(s)): void {
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.resize((this.mask + 1) * 2);
    place(this.t, this.k, this.mask, h, slot + 1, s);
    this.count++;
  }

  /** Forgets key s (present). Later entries of its run shift back so every probe still finds them. */
  remove(s: string): void {
    const p = this.posOf(s, hashStr(s));
    if (p >= 0) this.removeAt(p);
  }

  /** Forgets the key at slot (names[slot] is still that key): one hash and a probe by slot number. */
  removeSlot(slot: number): void {
    this.removeAt(this.posOfSlot(hashStr(this.names[slot]), slot));
  }

  /** The table position holding slot (whose key hashes to h). */
  private posOfSlot(h: number, slot: number): number {
    const t = this.t;
    const mask = this.mask;
    let p = h & mask;
    while (t[2 * p] !== slot + 1) p = (p + 1) & mask;
    return p;
  }

  private removeAt(p: number): void {
    removePair(this.t, this.mask, p, this.k, '');
    this.count--;
  }

  /** The key at slot `from` now lives at slot `to` (names[to] is already that key). */
  moved(from: number, to: number): void {
    this.t[2 * this.posOfSlot(hashStr(this.names[to]), from)] = to + 1;
  }

  /** Re-reads every slot from names (after slots shifted: ordered inserts and deletes). */
  reindex(): void {
    this.rebuild(this.mask + 1);
  }

  /**
   * A table of cap positions holding the same entries, each moved with the hash it holds: rehashing
   * every name from its string was 3% of a SADD -P 16 profile growing a set to 100k members.
   */
  private resize(cap: number): void {
    const oldKeys = this.k;
    this.k = emptyKeys(cap);
    this.t = rehashPairs(this.t, cap, oldKeys, this.k);
    this.mask = cap - 1;
  }

  private rebuild(cap: number): void {
    const names = this.names;
    while (names.length * 4 > cap * 3) cap *= 2;
    this.t = new Int32Array(cap * 2);
    this.k = emptyKeys(cap);
    this.mask = cap - 1;
    for (let i = 0; i < names.length; i++) place(this.t, this.k, this.mask, hashStr(names[i]), i + 1, names[i]);
    this.count = names.length;
  }
}

/** cap empty positions' keys: exactly cap elements (a push loop left up to half as much again of spare capacity). */
function emptyKeys(cap: number): string[] {
  return new Array<string>(cap).fill('');
}

/** Puts ref (key s, hash h) at the first empty position from its home. */
function place(t: Int32Array, k: string[], mask: number, h: number, ref: number, s: string): void {
  k[placePair(t, mask, h, ref)] = s;
}
