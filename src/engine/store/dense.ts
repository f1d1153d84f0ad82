// A keyed collection kept in a dense array plus a key -> slot index, shared by hashes and sets:
// O(1) lookup, O(1) random pick (HRANDFIELD, SPOP, SRANDMEMBER) and a stateless scan cursor.
// While `ordered` (small listpack/intset encodings) deletes keep insertion order like a listpack;
// afterwards a delete moves the last slot into the hole, and scans walk slots from the top down, so
// every element present for a whole scan is returned even while others are added or removed.
// Keys are held only as latin1 strings (the index's own key), never as the argument Buffers they came
// in: a stored Buffer view kept its object and Node's 8 KB pool slab alive per member, which made
// HSET/SADD of new members pay for it in GC (and cost ~100 bytes more per member).
import { keyBuf, keyStr } from './types.js';

export class DenseIndex<V> {
  /** Keys as latin1 strings (a 1:1 image of their bytes: reply them with bulkLatin1, or keyAt()). */
  readonly names: string[] = [];
  readonly vals: V[] = [];
  private readonly index = new Map<string, number>();
  ordered = true;

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
    return this.index.get(keyStr(k)) ?? -1;
  }

  has(k: Buffer): boolean {
    return this.index.has(keyStr(k));
  }

  get(k: Buffer): V | undefined {
    const i = this.index.get(keyStr(k));
    return i === undefined ? undefined : this.vals[i];
  }

  /** Inserts or updates; true when the key is new. */
  set(k: Buffer, v: V): boolean {
    return this.setStr(keyStr(k), v);
  }

  /** set() for a key already given as its latin1 string. */
  setStr(s: string, v: V): boolean {
    const i = this.index.get(s);
    if (i !== undefined) {
      this.vals[i] = v;
      return false;
    }
    this.append(s, v);
    return true;
  }

  /** Inserts or updates in one lookup; the previous value, undefined when the key is new (HSET). */
  swap(k: Buffer, v: V): V | undefined {
    const s = keyStr(k);
    const i = this.index.get(s);
    if (i === undefined) return void this.append(s, v);
    const old = this.vals[i];
    this.vals[i] = v;
    return old;
  }

  private append(s: string, v: V): void {
    this.index.set(s, this.names.length);
    this.names.push(s);
    this.vals.push(v);
  }

  /** Inserts at a slot, shifting later ones (only used by ordered encodings: intset order). */
  insertAt(slot: number, k: string, v: V): void {
    this.names.splice(slot, 0, k);
    this.vals.splice(slot, 0, v);
    this.reindexFrom(slot);
  }

  delete(k: Buffer): boolean {
    return this.deleteStr(keyStr(k));
  }

  /** delete() for a key given as its latin1 string. */
  deleteStr(s: string): boolean {
    const i = this.index.get(s);
    if (i === undefined) return false;
    this.index.delete(s);
    if (this.ordered) {
      this.names.splice(i, 1);
      this.vals.splice(i, 1);
      this.reindexFrom(i);
      return true;
    }
    const last = this.names.length - 1;
    if (i !== last) {
      this.names[i] = this.names[last];
      this.vals[i] = this.vals[last];
      this.index.set(this.names[i], i);
    }
    this.names.pop();
    this.vals.pop();
    return true;
  }

  private reindexFrom(slot: number): void {
    for (let j = slot; j < this.names.length; j++) this.index.set(this.names[j], j);
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
