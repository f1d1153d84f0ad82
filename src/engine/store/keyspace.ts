// A db's key -> value table, with the surface of the Map it replaces (get/set/has/delete/clear, size,
// live iterators) plus reserve(n), which a Map cannot do: an RDB's RESIZEDB sizes the table once
// instead of rehashing it at every doubling during the load.
//
// Layout (bench/keyspace-table.ts measured it against Map and a slots-only table): an index of
// [entry + 1, hash] Int32 pairs (open addressing, linear probing, at most 3/4 full, backward-shift
// deletes as member-table.ts) over a dense array of [key, value] pairs in insertion order, as V8's
// OrderedHashMap keeps them. Appending keeps the writes of young strings into the old array next to
// each other, which the scavenger's remembered set walks far faster than slots scattered over it.
//
// Iterators behave as Map iterators (SCAN cursors, eviction sampling and the snapshot copier keep them
// across commands): a delete leaves a hole (skipped), an insert is appended (seen by live iterators),
// and when holes are squeezed out the old layout records where they were, so an iterator made before
// moves to the same next entry; clear() sends iterators to the start of the emptied table.
import { hashRange, hashStr } from './member-table.js';
import { placePair, rehashPairs, removePair, sameRange } from './pair-index.js';
import type { RedisObject, StoredValue } from './types.js';

/** One layout of the entries array; replaced by a new one when holes are squeezed out or all cleared. */
export interface Layout {
  next: Layout | null;
  /** Ascending positions of the holes removed on the way to `next`; null: cleared (restart at 0). */
  holes: Int32Array | null;
}

const MIN_CAP = 8;
/** What prefetch() asks of a value: hashes and sets touch their fields and members (RedisObject). */
type MemberToucher = Pick<RedisObject, 'touchMembers'>;
/** prefetch() touches fields and members up to this long: hashing a long one twice costs more than its misses. */
const MAX_TOUCHED = 128;
/** Holes are squeezed out once they outnumber live entries (and are more than a few). */
const MIN_HOLES = 16;

/** addNew()'s scratch, shared by all tables (it runs to completion): each key's hash. */
let batchHashes = new Int32Array(64);
/** addNew()'s home-position loads end here, so the compiler keeps them. */
export let batchSink = 0;

/** How many of the ascending positions in holes are below pos. */
function holesBelow(holes: Int32Array, pos: number): number {
  let lo = 0;
  let hi = holes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (holes[mid] < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Keyspace<V = StoredValue> {
  private index: Int32Array = new Int32Array(MIN_CAP * 2);
  private mask = MIN_CAP - 1;
  /**
   * [key, value] at 2 * entry; a deleted entry's key is undefined until holes are squeezed out.
   * Always a holey array (new Array(n), even n = 0): reserve() makes one, and one elements kind for
   * every table keeps the lookups monomorphic.
   */
  private pairs: (string | V | undefined)[] = new Array<string | V | undefined>(0);
  /** Entries in the array, live and holes. */
  private used = 0;
  private liveCount = 0;
  private layout: Layout = { next: null, holes: null };
  /** The last key hashed and its hash: GET/SET paths look the same key up more than once. */
  private lastKey: string | null = null;
  private lastHash = 0;
  /** lastKey's entry once a lookup found it, else -1: INCR's write after its read finds it again
   * without a second probe and key comparison. Reset by every delete (entries go, or move when a
   * delete squeezes holes out) and clear. */
  private lastEntry = -1;
  /** prefetch()'s scratch: the entry at each key's home position. */
  private prefetchRefs = new Int32Array(32);
  /** prefetch()'s scratch: the values whose fields or members it touches, and those (start, end). */
  private prefetchOwners: (MemberToucher | null)[] = new Array<MemberToucher | null>(256).fill(null);
  private prefetchRanges = new Int32Array(512);
  /** prefetch()'s result, unused (the loads' sink). */
  prefetched = 0;

  get size(): number {
    return this.liveCount;
  }

  get(key: string): V | undefined {
    const e = this.entryOf(key, this.hash(key));
    return e < 0 ? undefined : (this.pairs[2 * e + 1] as V);
  }

  has(key: string): boolean {
    return this.entryOf(key, this.hash(key)) >= 0;
  }

  set(key: string, value: V): this {
    const h = this.hash(key);
    const e = this.entryOf(key, h);
    if (e >= 0) this.pairs[2 * e + 1] = value;
    else {
      this.append(key, value, h);
      this.lastEntry = this.used - 1;
    }
    return this;
  }

  /**
   * The key spelled by b[start, end) (an argument inside a read buffer): the stored string when the
   * key is present, else a new one. Either way it becomes the last key hashed, and a present key's
   * entry is remembered, so the get/set of it that follows neither hashes nor probes again; a key
   * that is present costs no new string (a C++ call per key, and young garbage).
   */
  keyFor(b: Buffer, start: number, end: number): string {
    const h = hashRange(b, start, end);
    const t = this.index;
    const mask = this.mask;
    let e = -1;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const x = t[2 * p];
      if (x === 0) break;
      if (t[2 * p + 1] === h && sameRange(this.pairs[2 * (x - 1)] as string, b, start, end)) {
        e = x - 1;
        break;
      }
    }
    const key = e < 0 ? b.latin1Slice(start, end) : (this.pairs[2 * e] as string);
    this.lastKey = key;
    this.lastHash = h;
    this.lastEntry = e;
    return key;
  }

  delete(key: string): boolean {
    const h = this.hash(key);
    const p = this.posOf(key, h);
    if (p < 0) return false;
    const e = this.index[2 * p] - 1;
    this.lastEntry = -1;
    removePair(this.index, this.mask, p);
    this.removed(e, key);
    this.pairs[2 * e] = undefined;
    this.pairs[2 * e + 1] = undefined;
    this.liveCount--;
    const holes = this.used - this.liveCount;
    if (holes > MIN_HOLES && holes > this.liveCount) this.squeeze();
    // Gives memory back as a Map does once it is mostly empty (each halving leaves it under 1/4 full).
    let cap = this.mask + 1;
    while (cap > MIN_CAP && this.liveCount * 8 < cap) cap /= 2;
    if (cap < this.mask + 1) this.rehash(cap);
    return true;
  }

  clear(): void {
    this.index = new Int32Array(MIN_CAP * 2);
    this.mask = MIN_CAP - 1;
    this.pairs = new Array<string | V | undefined>(0);
    this.used = 0;
    this.liveCount = 0;
    this.lastEntry = -1;
    this.moveOn(null);
  }

  /**
   * A uniformly random key, or undefined when there is none (RANDOMKEY): a random position of the
   * entries array until it is not a hole. Holes never outnumber live entries by more than MIN_HOLES
   * (delete squeezes them out), so that takes two draws on average, and one once squeezed.
   */
  randomKey(): string | undefined {
    if (this.liveCount === 0) return undefined;
    for (;;) {
      const k = this.pairs[2 * Math.floor(Math.random() * this.used)];
      if (k !== undefined) return k as string;
    }
  }

  /**
   * Touches the memory a lookup of each key will read (its index position, its entry, the stored key
   * and value), for the keys at ranges[2i, 2i + 1) of b, i < n: the keys of a read's pipelined
   * commands (protocol/key-scan.ts). A lookup in a large table misses the cache three times in a row
   * (index, entry, key string), ~0.2 us each on a VM; done here for all the keys first, the misses of
   * different keys overlap instead of following one another, and the commands then find them cached.
   */
  prefetch(b: Buffer, ranges: Int32Array, n: number, seconds: Int32Array | null = null): void {
    const t = this.index;
    const mask = this.mask;
    const refs = this.prefetchRefs.length >= n ? this.prefetchRefs : (this.prefetchRefs = new Int32Array(n));
    for (let i = 0; i < n; i++) {
      const h = hashRange(b, ranges[2 * i], ranges[2 * i + 1]);
      // The first position of the run holding this hash (nearly always the key's): the index line is
      // read anyway, and a key displaced from its home would otherwise miss on its entry.
      let p = h & mask;
      while (t[2 * p] !== 0 && t[2 * p + 1] !== h) p = (p + 1) & mask;
      refs[i] = t[2 * p];
    }
    const pairs = this.pairs;
    const owners = this.prefetchOwners;
    const members = this.prefetchRanges;
    let m = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = refs[i];
      if (x === 0) continue;
      const k = pairs[2 * (x - 1)];
      const v = pairs[2 * x - 1];
      if (typeof k === 'string') sum += k.length;
      if (typeof v === 'string') sum += v.length;
      else if (seconds !== null && seconds[2 * i] >= 0 && seconds[2 * i + 1] - seconds[2 * i] <= MAX_TOUCHED && typeof v === 'object' && v !== null && m < owners.length) {
        // Any object value (an aggregate, a raw string's Buffer): those without touchMembers are skipped below.
        owners[m] = v as MemberToucher;
        members[2 * m] = seconds[2 * i];
        members[2 * m + 1] = seconds[2 * i + 1];
        m++;
      }
    }
    // The fields and members of hashes and sets (HSET, SADD, HGET ... in a pipeline): their index
    // lines, a run of commands on the same value at once (touchMembers overlaps their misses).
    for (let j = 0; j < m; ) {
      const v = owners[j] as MemberToucher;
      let to = j + 1;
      while (to < m && owners[to] === v) to++;
      if (v.touchMembers !== undefined) sum += v.touchMembers(b, members, j, to);
      for (; j < to; j++) owners[j] = null;
    }
    // Kept, so the compiler cannot drop the loads.
    this.prefetched = sum;
  }

  /** Makes room for n keys in all, so that inserting up to n grows nothing (RDB's RESIZEDB hint). */
  reserve(n: number): void {
    let cap = this.mask + 1;
    while (cap * 3 < n * 4) cap *= 2;
    if (cap > this.mask + 1) this.rehash(cap);
    // The entries array too: grown to 2n elements one append at a time it is regrown ~30 times, each
    // a new old-space array filled, copied and page-faulted in. Preallocated, it is written by index
    // (the positions past `used` are holes, which liveFrom and randomKey never look at).
    if (2 * n > this.pairs.length) {
      const pairs = new Array<string | V | undefined>(2 * n);
      for (let i = 0; i < 2 * this.used; i++) pairs[i] = this.pairs[i];
      this.pairs = pairs;
    }
  }

  /**
   * Adds keys[i] -> values[i] for i < n, none of which may be present: the index of the first key
   * that is (it and the ones after it are not added), or -1 once all are. For a bulk load: the home
   * positions of all n keys are read first, so their cache misses (a 1M-key index is 16 MB) overlap
   * instead of coming one per insert.
   */
  addNew(keys: readonly string[], values: readonly V[], n: number): number {
    const hs = batchHashes.length >= n ? batchHashes : (batchHashes = new Int32Array(n));
    const t = this.index;
    const mask = this.mask;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const h = hashStr(keys[i]);
      hs[i] = h;
      sum += t[2 * (h & mask)];
    }
    batchSink = sum;
    this.lastKey = null;
    this.lastEntry = -1;
    for (let i = 0; i < n; i++) {
      if (this.posOf(keys[i], hs[i]) >= 0) return i;
      this.append(keys[i], values[i], hs[i]);
    }
    return -1;
  }

  keys(): KeyspaceIterator<string, V> {
    return new KeyspaceIterator(this, this.layout, (ks, e) => ks.keyAt(e));
  }

  values(): KeyspaceIterator<V, V> {
    return new KeyspaceIterator(this, this.layout, (ks, e) => ks.valueAt(e));
  }

  entries(): KeyspaceIterator<[string, V], V> {
    return new KeyspaceIterator(this, this.layout, (ks, e) => [ks.keyAt(e), ks.valueAt(e)]);
  }

  [Symbol.iterator](): KeyspaceIterator<[string, V], V> {
    return this.entries();
  }

  /** For KeyspaceIterator: the first live entry at or after position pos of the current layout, or -1. */
  liveFrom(pos: number): number {
    const pairs = this.pairs;
    for (; pos < this.used; pos++) if (pairs[2 * pos] !== undefined) return pos;
    return -1;
  }

  /** For KeyspaceIterator. */
  keyAt(e: number): string {
    return this.pairs[2 * e] as string;
  }

  /** For KeyspaceIterator. */
  valueAt(e: number): V {
    return this.pairs[2 * e + 1] as V;
  }

  private hash(key: string): number {
    if (key === this.lastKey) return this.lastHash;
    this.lastKey = key;
    this.lastEntry = -1;
    return (this.lastHash = hashStr(key));
  }

  /** key's entry or -1; key must be the one hash() saw last (the callers hash it first). */
  private entryOf(key: string, h: number): number {
    if (this.lastEntry >= 0) return this.lastEntry;
    const p = this.posOf(key, h);
    return p < 0 ? -1 : (this.lastEntry = this.index[2 * p] - 1);
  }

  /** The index position holding key (hash h), or -1. */
  private posOf(key: string, h: number): number {
    const t = this.index;
    const mask = this.mask;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const x = t[2 * p];
      if (x === 0) return -1;
      if (t[2 * p + 1] === h && this.pairs[2 * (x - 1)] === key) return p;
    }
  }

  private append(key: string, value: V, h: number): void {
    if ((this.liveCount + 1) * 4 > (this.mask + 1) * 3) this.rehash((this.mask + 1) * 2);
    const e = this.used++;
    this.pairs[2 * e] = key;
    this.pairs[2 * e + 1] = value;
    placePair(this.index, this.mask, h, e + 1);
    this.liveCount++;
    this.added(e, key);
  }

  // What a subclass keeping its own index by entry (cluster/slot-index.ts) is told; nothing here.
  /** key was appended as entry e. */
  protected added(_e: number, _key: string): void {}
  /** Entry e (key) is being deleted; it is still in place. */
  protected removed(_e: number, _key: string): void {}
  /** Holes were squeezed out: entry i is now entry to[i] (-1: i was a hole); pairs already moved. */
  protected renumbered(_to: Int32Array): void {}

  private rehash(cap: number): void {
    this.index = rehashPairs(this.index, cap);
    this.mask = cap - 1;
  }

  /** Moves the live entries down over the holes (in place, order kept) and renumbers the index. */
  private squeeze(): void {
    const pairs = this.pairs;
    const holes = new Int32Array(this.used - this.liveCount);
    const to = new Int32Array(this.used);
    let n = 0;
    let j = 0;
    for (let i = 0; i < this.used; i++) {
      if (pairs[2 * i] === undefined) {
        holes[n++] = i;
        to[i] = -1;
        continue;
      }
      to[i] = j;
      pairs[2 * j] = pairs[2 * i];
      pairs[2 * j + 1] = pairs[2 * i + 1];
      j++;
    }
    pairs.length = 2 * j;
    this.used = j;
    const t = this.index;
    for (let q = 0; q < t.length; q += 2) if (t[q] !== 0) t[q] = to[t[q] - 1] + 1;
    this.renumbered(to);
    this.moveOn(holes);
  }

  private moveOn(holes: Int32Array | null): void {
    const next: Layout = { next: null, holes: null };
    this.layout.holes = holes;
    this.layout.next = next;
    this.layout = next;
  }
}

/** A live iterator over a Keyspace, as a Map's: it sees entries added after it and skips deleted ones. */
export class KeyspaceIterator<T, V> implements IterableIterator<T> {
  private pos = 0;
  private done = false;

  constructor(
    private readonly ks: Keyspace<V>,
    private layout: Layout,
    private readonly pick: (ks: Keyspace<V>, e: number) => T,
  ) {}

  next(): IteratorResult<T, undefined> {
    if (this.done) return { done: true, value: undefined };
    let layout = this.layout;
    let pos = this.pos;
    while (layout.next !== null) {
      pos = layout.holes === null ? 0 : pos - holesBelow(layout.holes, pos);
      layout = layout.next;
    }
    this.layout = layout;
    const ks = this.ks;
    const e = ks.liveFrom(pos);
    if (e < 0) {
      // Finished for good, as a Map iterator: later inserts do not revive it.
      this.done = true;
      this.pos = pos;
      return { done: true, value: undefined };
    }
    this.pos = e + 1;
    return { done: false, value: this.pick(ks, e) };
  }

  [Symbol.iterator](): this {
    return this;
  }
}
