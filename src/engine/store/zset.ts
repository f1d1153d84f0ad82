// Sorted-set values: a counted B+tree (store/zset-btree.ts) for order and rank plus a member -> score
// map for O(1) score lookups; both hold the member as its latin1 string (one copy of the bytes).
// Reports listpack until it outgrows zset-max-listpack-entries / -value, then skiplist.
import type { RedisObject } from './types.js';
import { keyBuf, keyStr } from './types.js';
import { ZTree, type Leaf, type ZNode } from './zset-btree.js';
import { LIMITS } from './limits.js';

export class ZSetValue implements RedisObject {
  readonly type = 'zset' as const;
  readonly tree = new ZTree();
  /** Member (latin1 string) -> score. */
  readonly dict = new Map<string, number>();
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

  memoryUsage(): number {
    return 96 + this.bytes + this.dict.size * (this.small ? 12 : 120);
  }

  clone(): ZSetValue {
    const z = new ZSetValue();
    this.tree.walk(0, this.size, false, (m, s) => z.setStr(m, s));
    z.small = this.small;
    return z;
  }

  *entries(): Iterable<[Buffer, number]> {
    for (let l: Leaf | null = this.tree.head; l; l = l.next) {
      for (let i = 0; i < l.n; i++) yield [keyBuf(l.members[i]), l.scores[i]];
    }
  }

  score(m: Buffer): number | undefined {
    return this.dict.get(keyStr(m));
  }

  /** Adds or rescores a member; true when it is new. */
  set(m: Buffer, score: number): boolean {
    return this.setStr(keyStr(m), score);
  }

  /** The score of a member given as its latin1 string (keyStr), for callers that go on to put(). */
  scoreOf(k: string): number | undefined {
    return this.dict.get(k);
  }

  private setStr(k: string, score: number): boolean {
    return this.put(k, score, this.dict.get(k));
  }

  /** Sets member k's score, `cur` being its current one as scoreOf() just gave it (undefined:
   * absent): ZADD looks each member up once instead of twice. True when k is new. */
  put(k: string, score: number, cur: number | undefined): boolean {
    if (cur !== undefined) {
      if (cur !== score) {
        this.tree.delete(cur, k);
        this.tree.insert(score, k);
        this.dict.set(k, score);
      }
      return false;
    }
    this.dict.set(k, score);
    this.tree.insert(score, k);
    this.bytes += k.length;
    if (this.small && (k.length > LIMITS.zsetMaxValue || this.dict.size > LIMITS.zsetMaxEntries)) this.small = false;
    return true;
  }

  delete(m: Buffer): boolean {
    const k = keyStr(m);
    const s = this.dict.get(k);
    if (s === undefined) return false;
    this.tree.delete(s, k);
    this.dict.delete(k);
    this.bytes -= k.length;
    return true;
  }

  /** Removes the lowest (highest when max) entry and returns it, its member as the stored latin1
   * string (ZPOPMIN/ZPOPMAX of one: no member Buffer made and hashed again to delete it). */
  popEnd(max: boolean): { m: string; score: number } | null {
    let m: string | null = null;
    let score = 0;
    this.tree.walk(max ? this.size - 1 : 0, 1, max, (k, s) => {
      m = k;
      score = s;
    });
    if (m === null) return null;
    const k: string = m;
    this.tree.delete(score, k);
    this.dict.delete(k);
    this.bytes -= k.length;
    return { m: k, score };
  }

  /** 0-based rank from the lowest score, or -1. */
  rank(m: Buffer): number {
    const k = keyStr(m);
    const s = this.dict.get(k);
    return s === undefined ? -1 : this.tree.rank(s, k);
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
