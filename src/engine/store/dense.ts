// A keyed collection kept in a dense array plus a key -> slot index, shared by hashes and sets:
// O(1) lookup, O(1) random pick (HRANDFIELD, SPOP, SRANDMEMBER) and a stateless scan cursor.
// While `ordered` (small listpack/intset encodings) deletes keep insertion order like a listpack;
// afterwards a delete moves the last slot into the hole, and scans walk slots from the top down, so
// every element present for a whole scan is returned even while others are added or removed.
// Keys are held only as latin1 strings (the index's own key), never as the argument Buffers they came
// in: a stored Buffer view kept its object and Node's 8 KB pool slab alive per member, which made
// HSET/SADD of new members pay for it in GC (and cost ~100 bytes more per member).
// The index is a MemberTable (store/member-table.ts), looked up with the argument's bytes.
import { keyBuf, keyStr } from './types.js';
import { MemberTable } from './member-table.js';

export class DenseIndex<V> {
  /** Keys as latin1 strings (a 1:1 image of their bytes: reply them with bulkLatin1, or keyAt()). */
  readonly names: string[] = [];
  readonly vals: V[] = [];
  private readonly index = new MemberTable(this.names);

  /** ordered: start in the listpack/intset mode (sorted sets never use it: their order is the tree's). */
  constructor(public ordered = true) {}

  get size(): number {
    return this.names.length;
  }

  /** The key in a slot as a fresh Buffer. */
  keyAt(slot: number): Buffer {
    return keyBuf(this.names[slot]);
  }

  /** Every key as a Buffer, in slot order. */
  keyBuffers(): Buffer[] {
    return this.names.map(keyBuf);
  }

  slotOf(k: Buffer): number {
    return this.index.find(k);
  }

  has(k: Buffer): boolean {
    return this.index.find(k) >= 0;
  }

  get(k: Buffer): V | undefined {
    const i = this.index.find(k);
    return i < 0 ? undefined : this.vals[i];
  }

  /** Inserts or updates; true when the key is new. */
  set(k: Buffer, v: V): boolean {
    return this.setRange(k, 0, k.length, v);
  }

  /** set() of the key whose bytes are b[start, end): its string is made only when it is new. */
  setRange(b: Buffer, start: number, end: number, v: V): boolean {
    const i = this.index.findRange(b, start, end);
    if (i >= 0) {
      this.vals[i] = v;
      return false;
    }
    this.append(b.latin1Slice(start, end), v, this.index.lastHash);
    return true;
  }

  /** Appends key k, which the last slotOf/has/get call just reported absent (its hash is reused);
   * returns the new slot. */
  addMissing(k: Buffer, v: V): number {
    const slot = this.names.length;
    this.append(keyStr(k), v, this.index.lastHash);
    return slot;
  }

  /** set() for a key already given as its latin1 string. */
  setStr(s: string, v: V): boolean {
    const i = this.index.findStr(s);
    if (i >= 0) {
      this.vals[i] = v;
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
    const i = this.index.findRange(b, start, end);
    if (i < 0) return void this.append(b.latin1Slice(start, end), v, this.index.lastHash);
    const old = this.vals[i];
    this.vals[i] = v;
    return old;
  }

  private append(s: string, v: V, h?: number): void {
    // Indexed before the push: a growing table re-reads names and must not see s twice.
    this.index.add(s, this.names.length, h);
    this.names.push(s);
    this.vals.push(v);
  }

  /** Inserts at a slot, shifting later ones (only used by ordered encodings: intset order). */
  insertAt(slot: number, k: string, v: V): void {
    this.names.splice(slot, 0, k);
    this.vals.splice(slot, 0, v);
    this.index.reindex();
  }

  delete(k: Buffer): boolean {
    return this.deleteStr(keyStr(k));
  }

  /** delete() for a key given as its latin1 string. */
  deleteStr(s: string): boolean {
    const i = this.index.findStr(s);
    if (i < 0) return false;
    this.deleteAt(i);
    return true;
  }

  /** Removes the key in a slot (SPOP, ZPOPMIN and ZREM have it from their own lookup). */
  deleteAt(i: number): void {
    if (this.ordered) {
      this.names.splice(i, 1);
      this.vals.splice(i, 1);
      this.index.reindex();
      return;
    }
    // Unindexed while names[i] is still its key (the table finds the entry by its slot).
    this.index.removeSlot(i);
    const last = this.names.length - 1;
    if (i !== last) {
      this.names[i] = this.names[last];
      this.vals[i] = this.vals[last];
      this.index.moved(last, i);
    }
    this.names.pop();
    this.vals.pop();
  }

  randomSlot(): number {
    return Math.floor(Math.random() * this.names.length);
  }

  /**
   * One SCAN step: cursor 0 starts at the top slot, a cursor c > 0 resumes at slot c - 1.
   * Visits about `count` slots; returns the next cursor (0 when done) and the visited slots.
   */
  scan(cursor: number, count: number): { next: number; slots: number[] } {
    let i = cursor === 0 ? this.names.length - 1 : Math.min(cursor - 1, this.names.length - 1);
    const slots: number[] = [];
    while (i >= 0 && slots.length < count) slots.push(i--);
    return { next: i < 0 ? 0 : i + 1, slots };
  }
}
