// Sorted-set values: a counted B+tree (store/zset-btree.ts) for order and rank plus a member -> score
// index for O(1) score lookups: a DenseIndex (store/dense.ts), looked up by the argument's bytes
// without making a string; its names are the strings the tree holds (one copy of the bytes), and
// scores sit beside them in a plain array of doubles. Reports listpack until it outgrows
// zset-max-listpack-entries / -value, then skiplist.
import type { RedisObject } from './types.js';
import { keyBuf } from './types.js';
import { ZTree, type Leaf, type ZNode } from './zset-btree.js';
import { DenseIndex } from './dense.js';
import { LIMITS } from './limits.js';

export class ZSetValue implements RedisObject {
  readonly type = 'zset' as const;
  readonly tree = new ZTree();
  /** Member (latin1 string) -> score. Deletes move the last slot into the hole (the order is the tree's). */
  readonly dict = new DenseIndex<number>(false);
  private small = true;
  private bytes = 0;

  static from(pairs: [Buffer, number][]): ZSetValue {
    const z = new ZSetValue();
    for (const [m, s] of pairs) z.set(m, s);
    return z;
  }

  get size(): number {
    return this.dict.size;
  }

  encoding(): string {
    return this.small ? 'listpack' : 'skiplist';
  }

  /** SORT's conversion: Redis 7.0 turns a listpack zset into a skiplist for good before sorting it. */
  toSkiplist(): void {
    this.small = false;
  }

  memoryUsage(): number {
    return 96 + this.bytes + this.dict.size * (this.small ? 12 : 120);
  }

  clone(): ZSetValue {
    const z = new ZSetValue();
    this.tree.walk(0, this.size, false, (m, s) => {
      z.dict.setStr(m, s);
      z.tree.insert(s, m);
    });
    z.bytes = this.bytes;
    z.small = this.small;
    return z;
  }

  *entries(): Iterable<[Buffer, number]> {
    for (let l: Leaf | null = this.tree.head; l; l = l.next) {
      for (let i = 0; i < l.n; i++) yield [keyBuf(l.members[i]), l.scores[i]];
    }
  }

  score(m: Buffer): number | undefined {
    return this.dict.get(m);
  }

  /** Adds or rescores a member; true when it is new. */
  set(m: Buffer, score: number): boolean {
    const slot = this.dict.slotOf(m);
    if (slot >= 0) {
      this.rescore(slot, score);
      return false;
    }
    this.insertMissing(m, score);
    return true;
  }

  /** The member's slot in the index, or -1: ZADD reads scoreAt() and calls rescore() or
   * insertMissing() on one lookup. */
  find(m: Buffer): number {
    return this.dict.slotOf(m);
  }

  scoreAt(slot: number): number {
    return this.dict.vals[slot];
  }

  /** Gives the member at slot a new score. */
  rescore(slot: number, score: number): void {
    const cur = this.dict.vals[slot];
    if (cur === score) return;
    const k = this.dict.names[slot];
    this.tree.delete(cur, k);
    this.tree.insert(score, k);
    this.dict.vals[slot] = score;
  }

  /** Adds member m, which find() just reported absent. */
  insertMissing(m: Buffer, score: number): void {
    // The slot first: the first insert replaces the names array itself (dense.ts).
    const slot = this.dict.addMissing(m, score);
    const k = this.dict.names[slot];
    this.tree.insert(score, k);
    this.bytes += k.length;
    if (this.small && (k.length > LIMITS.zsetMaxValue || this.dict.size > LIMITS.zsetMaxEntries)) this.small = false;
  }

  delete(m: Buffer): boolean {
    const slot = this.dict.slotOf(m);
    if (slot < 0) return false;
    this.deleteAt(slot);
    return true;
  }

  private deleteAt(slot: number): void {
    const k = this.dict.names[slot];
    this.tree.delete(this.dict.vals[slot], k);
    this.dict.deleteAt(slot);
    this.bytes -= k.length;
  }

  /** Removes the lowest (highest when max) entry and returns it, its member as the stored latin1
   * string (ZPOPMIN/ZPOPMAX of one: no member Buffer made and hashed again to delete it). */
  popEnd(max: boolean): { m: string; score: number } | null {
    const e = this.tree.popEnd(max);
    if (e === null) return null;
    this.dict.deleteStr(e.m);
    this.bytes -= e.m.length;
    return e;
  }

  /** 0-based rank from the lowest score, or -1. */
  rank(m: Buffer): number {
    const slot = this.dict.slotOf(m);
    return slot < 0 ? -1 : this.tree.rank(this.dict.vals[slot], this.dict.names[slot]);
  }

  /** Element at a 0-based rank. */
  at(rank: number): ZNode | null {
    let out: ZNode | null = null;
    this.tree.walk(rank, 1, false, (m, score) => void (out = { member: keyBuf(m), score }));
    return out;
  }

  /**
   * Up to count elements from a 0-based rank, ascending (descending when rev), stopping at the
   * first element that fails `keep`.
   */
  slice(rank: number, count: number, rev = false, keep?: (score: number, m: string) => boolean): ZNode[] {
    const out: ZNode[] = [];
    this.tree.walk(rank, count, rev, (m, score) => {
      if (keep && !keep(score, m)) return false;
      out.push({ member: keyBuf(m), score });
    });
    return out;
  }
}
