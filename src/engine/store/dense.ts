// A keyed collection kept in a dense array plus a key -> slot index, shared by hashes and sets:
// O(1) lookup, O(1) random pick (HRANDFIELD, SPOP, SRANDMEMBER) and a stateless scan cursor.
// While `ordered` (small listpack/intset encodings) deletes keep insertion order like a listpack;
// afterwards a delete moves the last slot into the hole, and scans walk slots from the top down, so
// every element present for a whole scan is returned even while others are added or removed.
import { keyStr } from './types.js';

export class DenseIndex<V> {
  readonly keys: Buffer[] = [];
  readonly vals: V[] = [];
  private readonly index = new Map<string, number>();
  ordered = true;

  get size(): number {
    return this.keys.length;
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
    const s = keyStr(k);
    const i = this.index.get(s);
    if (i !== undefined) {
      this.vals[i] = v;
      return false;
    }
    this.append(s, k, v);
    return true;
  }

  /** Inserts or updates in one lookup; the previous value, undefined when the key is new (HSET). */
  swap(k: Buffer, v: V): V | undefined {
    const s = keyStr(k);
    const i = this.index.get(s);
    if (i === undefined) return void this.append(s, k, v);
    const old = this.vals[i];
    this.vals[i] = v;
    return old;
  }

  private append(s: string, k: Buffer, v: V): void {
    this.index.set(s, this.keys.length);
    this.keys.push(k);
    this.vals.push(v);
  }

  /** Inserts at a slot, shifting later ones (only used by ordered encodings: intset order). */
  insertAt(slot: number, k: Buffer, v: V): void {
    this.keys.splice(slot, 0, k);
    this.vals.splice(slot, 0, v);
    this.reindexFrom(slot);
  }

  delete(k: Buffer): boolean {
    const s = keyStr(k);
    const i = this.index.get(s);
    if (i === undefined) return false;
    this.index.delete(s);
    if (this.ordered) {
      this.keys.splice(i, 1);
      this.vals.splice(i, 1);
      this.reindexFrom(i);
      return true;
    }
    const last = this.keys.length - 1;
    if (i !== last) {
      this.keys[i] = this.keys[last];
      this.vals[i] = this.vals[last];
      this.index.set(keyStr(this.keys[i]), i);
    }
    this.keys.pop();
    this.vals.pop();
    return true;
  }

  private reindexFrom(slot: number): void {
    for (let j = slot; j < this.keys.length; j++) this.index.set(keyStr(this.keys[j]), j);
  }

  randomSlot(): number {
    return Math.floor(Math.random() * this.keys.length);
  }

  /**
   * One SCAN step: cursor 0 starts at the top slot, a cursor c > 0 resumes at slot c - 1.
   * Visits about `count` slots; returns the next cursor (0 when done) and the visited slots.
   */
  scan(cursor: number, count: number): { next: number; slots: number[] } {
    let i = cursor === 0 ? this.keys.length - 1 : Math.min(cursor - 1, this.keys.length - 1);
    const slots: number[] = [];
    while (i >= 0 && slots.length < count) slots.push(i--);
    return { next: i < 0 ? 0 : i + 1, slots };
  }
}
