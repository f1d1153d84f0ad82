// Sorted-set values: a skip list for order and rank plus a member -> node map for O(1) score
// lookups. Reports listpack until it outgrows zset-max-listpack-entries / -value, then skiplist.
import type { RedisObject } from './types.js';
import { keyStr } from './types.js';
import { SkipList, succ, type ZNode } from './skiplist.js';
import { LIMITS } from './limits.js';

export class ZSetValue implements RedisObject {
  readonly type = 'zset' as const;
  readonly sl = new SkipList();
  readonly dict = new Map<string, ZNode>();
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
    const z = ZSetValue.from([...this.entries()]);
    z.small = this.small;
    return z;
  }

  *entries(): Iterable<[Buffer, number]> {
    for (let n = this.sl.first(); n; n = succ(n)) yield [n.member, n.score];
  }

  score(m: Buffer): number | undefined {
    return this.dict.get(keyStr(m))?.score;
  }

  node(m: Buffer): ZNode | undefined {
    return this.dict.get(keyStr(m));
  }

  /** Adds or rescores a member; true when it is new. */
  set(m: Buffer, score: number): boolean {
    const k = keyStr(m);
    const n = this.dict.get(k);
    if (n) {
      if (n.score !== score) this.dict.set(k, this.sl.updateScore(n, score));
      return false;
    }
    this.dict.set(k, this.sl.insert(score, m));
    this.bytes += m.length;
    if (this.small && (m.length > LIMITS.zsetMaxValue || this.dict.size > LIMITS.zsetMaxEntries)) this.small = false;
    return true;
  }

  delete(m: Buffer): boolean {
    const k = keyStr(m);
    const n = this.dict.get(k);
    if (!n) return false;
    this.sl.delete(n.score, n.member);
    this.dict.delete(k);
    this.bytes -= m.length;
    return true;
  }

  /** 0-based rank from the lowest score, or -1. */
  rank(m: Buffer): number {
    const n = this.dict.get(keyStr(m));
    return n ? this.sl.rank(n.score, n.member) - 1 : -1;
  }

  /** Node at a 0-based rank. */
  at(rank: number): ZNode | null {
    return this.sl.byRank(rank + 1);
  }
}
