// A keyed collection kept in a dense array plus a key -> slot index, shared by hashes and sets:
// O(1) lookup, O(1) random pick (HRANDFIELD, SPOP, SRANDMEMBER) and a stateless scan cursor.
// While `ordered` (small listpack/intset encodings) deletes keep insertion order like a listpack;
// afterwards a delete moves the last slot into the hole, and scans walk slots from the top down, so
// every element present for a whole scan is returned even while others are added or removed.
// Keys are held only as latin1 strings (the index's own key), never as the argument Buffers they came
// in: a stored Buffer view kept its object and Node's 8 KB pool slab alive per member, which made
// HSET/SADD of new members pay for it in GC (and cost ~100 bytes more per member).
// The index is a MemberTable (store/member-table.ts), looked up with the argument's bytes, made only
// once the collection holds more than SMALL keys: up to there a scan of names costs no more than hashing
// the argument, and most containers stay that small (a set or hash per user or session), where the
// table's Int32Array (a typed array, its buffer, an off-heap store: ~260 bytes for 64 of payload) was
// a third of each one's memory. Up to SMALL keys an insert also copies names and vals into arrays of
// exactly their length (concat): a push onto a short array reserves 16 more slots (~130 bytes each).
// A set's index holds keys only (no values array: one fewer array per set, and per insert while small).
import { keyBuf, keyStr } from './types.js';
import { MemberTable, sameRange } from './member-table.js';

/** Up to this many keys there is no index table; it is made on the insert past it. */
export const SMALL = 8;
/** An unordered collection that shrinks to this many keys drops its table (half of SMALL, so a size
 * going up and down across SMALL does not build and drop it on every step). */
const DROP_AT = SMALL / 2;

/** The values of a keys-only index: always empty, never written. */
const NO_VALS: never[] = [];

/** a (n + 1 entries, x appended last) with x moved to slot and the entries from slot shifted up one. */
function shiftedIn<T>(a: T[], n: number, slot: number, x: T): T[] {
  for (let i = n; i > slot; i--) a[i] = a[i - 1];
  a[slot] = x;
  return a;
}

export class DenseIndex<V> {
  private ns: string[] = [];
  /** Values by slot; null for a keys-only index (every value undefined). */
  private vs: V[] | null;
  private index: MemberTable | null = null;
  /**
   * ordered: start in the listpack/intset mode (sorted sets never use it: their order is the tree's).
   * keysOnly: no values are kept (sets): get() answers undefined for every key.
   */
  constructor(
    public ordered = true,
    keysOnly = false,
  ) {
    this.vs = keysOnly ? null : [];
  }

  /**
   * Keys as latin1 strings (a 1:1 image of their bytes: reply them with bulkLatin1, or keyAt()). The
   * inserts into a small collection replace this array (and vals): read it after an insert.
   */
  get names(): string[] {
    return this.ns;
  }

  /** Values by slot (empty for a keys-only index). */
  get vals(): V[] {
    return this.vs ?? NO_VALS;
  }

  /** Whether lookups go through an index table (tests: the switch at SMALL). */
  get indexed(): boolean {
    return this.index !== null;
  }

  /** The slot of the key b[start, end), or -1; withVal: the caller reads its value next. */
  private findRange(b: Buffer, start: number, end: number, withVal = false): number {
    if (this.index !== null) return this.index.findRange(b, start, end, withVal ? this.vs : null);
    const ns = this.ns;
    for (let i = 0; i < ns.length; i++) if (sameRange(ns[i], b, start, end)) return i;
    return -1;
  }

  private findStr(s: string): number {
    return this.index === null ? this.ns.indexOf(s) : this.index.findStr(s);
  }

  /** The hash the last lookup through the table computed (undefined when there was no table). */
  private hashOfLast(): number | undefined {
    return this.index === null ? undefined : this.index.lastHash;
  }

  get size(): number {
    return this.ns.length;
  }

  /** MemberTable.touch of these keys (nothing while unindexed). */
  touch(b: Buffer, ranges: Int32Array, from: number, to: number): number {
    return this.index === null ? 0 : this.index.touch(b, ranges, from, to, this.vs);
  }

  /** The key in a slot as a fresh Buffer. */
  keyAt(slot: number): Buffer {
    return keyBuf(this.ns[slot]);
  }

  /** Every key as a Buffer, in slot order. */
  keyBuffers(): Buffer[] {
    return this.ns.map(keyBuf);
  }

  slotOf(k: Buffer): number {
    return this.findRange(k, 0, k.length);
  }

  /** slotOf() of the key whose bytes are b[start, end). */
  slotOfRange(b: Buffer, start: number, end: number): number {
    return this.findRange(b, start, end);
  }

  has(k: Buffer): boolean {
    return this.findRange(k, 0, k.length) >= 0;
  }

  get(k: Buffer): V | undefined {
    const i = this.findRange(k, 0, k.length, true);
    return i < 0 || this.vs === null ? undefined : this.vs[i];
  }

  /** Inserts or updates; true when the key is new. */
  set(k: Buffer, v: V): boolean {
    return this.setRange(k, 0, k.length, v);
  }

  /** set() of the key whose bytes are b[start, end): its string is made only when it is new. */
  setRange(b: Buffer, start: number, end: number, v: V): boolean {
    const i = this.findRange(b, start, end);
    if (i >= 0) {
      if (this.vs !== null) this.vs[i] = v;
      return false;
    }
    this.append(b.latin1Slice(start, end), v, this.hashOfLast());
    return true;
  }

  /** Inserts the key whose bytes are b[start, end) with value v unless present; true when it was new.
   * A present key's value is not written (a set's hit touches no vals line). */
  addRange(b: Buffer, start: number, end: number, v: V): boolean {
    if (this.findRange(b, start, end) >= 0) return false;
    this.append(b.latin1Slice(start, end), v, this.hashOfLast());
    return true;
  }

  /** Appends key k, which the last slotOf/has/get call just reported absent (its hash is reused);
   * returns the new slot. */
  addMissing(k: Buffer, v: V): number {
    return this.addMissingRange(k, 0, k.length, v);
  }

  /** addMissing() of the key whose bytes are b[start, end). */
  addMissingRange(b: Buffer, start: number, end: number, v: V): number {
    const slot = this.ns.length;
    this.append(b.latin1Slice(start, end), v, this.hashOfLast());
    return slot;
  }

  /** set() for a key already given as its latin1 string. */
  setStr(s: string, v: V): boolean {
    const i = this.findStr(s);
    if (i >= 0) {
      if (this.vs !== null) this.vs[i] = v;
      return false;
    }
    this.append(s, v);
    return true;
  }

  /** Inserts or updates in one lookup; the previous value, undefined when the key is new (HSET). */
  swap(k: Buffer, v: V): V | undefined {
    return this.swapRange(k, 0, k.length, v);
  }

  /** swap() of the key whose bytes are b[start, end). */
  swapRange(b: Buffer, start: number, end: number, v: V): V | undefined {
    const i = this.findRange(b, start, end, true);
    if (i < 0) return void this.append(b.latin1Slice(start, end), v, this.hashOfLast());
    const vs = this.vs;
    if (vs === null) return undefined;
    const old = vs[i];
    vs[i] = v;
    return old;
  }

  /** Appends key s (absent); h: its hash when the lookup that missed went through the table. */
  private append(s: string, v: V, h?: number): void {
    if (this.index !== null) {
      // Indexed before the push: a growing table re-reads names and must not see s twice.
      this.index.add(s, this.ns.length, h);
      this.ns.push(s);
      this.vs?.push(v);
      return;
    }
    if (this.ns.length < SMALL) {
      // Exact-length copies (concat of one element: V is never an array), at most SMALL slots each.
      this.ns = this.ns.concat(s);
      if (this.vs !== null) this.vs = this.vs.concat(v);
      return;
    }
    this.ns.push(s);
    this.vs?.push(v);
    this.index = new MemberTable(this.ns);
  }

  /** Inserts at a slot, shifting later ones (only used by ordered encodings: intset order). */
  insertAt(slot: number, k: string, v: V): void {
    const n = this.ns.length;
    if (n < SMALL) {
      // As append: exact-length copies, then the tail shifted up one.
      this.ns = shiftedIn(this.ns.concat(k), n, slot, k);
      if (this.vs !== null) this.vs = shiftedIn(this.vs.concat(v), n, slot, v);
      return;
    }
    this.ns.splice(slot, 0, k);
    this.vs?.splice(slot, 0, v);
    if (this.index !== null) this.index.reindex();
    else if (this.ns.length > SMALL) this.index = new MemberTable(this.ns);
  }

  delete(k: Buffer): boolean {
    return this.deleteStr(keyStr(k));
  }

  /** delete() for a key given as its latin1 string. */
  deleteStr(s: string): boolean {
    const i = this.findStr(s);
    if (i < 0) return false;
    this.deleteAt(i);
    return true;
  }

  /** Removes the key in a slot (SPOP, ZPOPMIN and ZREM have it from their own lookup). */
  deleteAt(i: number): void {
    if (this.ordered) {
      this.ns.splice(i, 1);
      this.vs?.splice(i, 1);
      if (this.index === null) return;
      // Every shift re-reads the whole table anyway: back to scanning as soon as it is small again.
      if (this.ns.length <= SMALL) this.index = null;
      else this.index.reindex();
      return;
    }
    const index = this.index;
    // Unindexed while names[i] is still its key (the table finds the entry by its slot).
    if (index !== null) index.removeSlot(i);
    const last = this.ns.length - 1;
    const vs = this.vs;
    if (i !== last) {
      this.ns[i] = this.ns[last];
      if (vs !== null) vs[i] = vs[last];
      if (index !== null) index.moved(last, i);
    }
    this.ns.pop();
    vs?.pop();
    if (index !== null && last <= DROP_AT) this.index = null;
  }

  randomSlot(): number {
    return Math.floor(Math.random() * this.ns.length);
  }

  /**
   * One SCAN step: cursor 0 starts at the top slot, a cursor c > 0 resumes at slot c - 1.
   * Visits about `count` slots; returns the next cursor (0 when done) and the visited slots.
   */
  scan(cursor: number, count: number): { next: number; slots: number[] } {
    let i = cursor === 0 ? this.ns.length - 1 : Math.min(cursor - 1, this.ns.length - 1);
    const slots: number[] = [];
    while (i >= 0 && slots.length < count) slots.push(i--);
    return { next: i < 0 ? 0 : i + 1, slots };
  }
}

