// Sorted-set values in two forms, as Redis's two encodings:
// - listpack (up to zset-max-listpack-entries members of up to zset-max-listpack-value bytes): two
//   arrays on the value itself, members (latin1 strings) and scores in (score, member) order. A member
//   is found by a scan, as in a listpack; nothing else is allocated, so a small zset is three objects
//   and its members. (A one-leaf tree plus a member index was seven, ~5x Redis's bytes per key, and
//   its extra objects were most of what ZADD to many small zsets cost in GC.)
// - skiplist: a counted B+tree (store/zset-btree.ts) for order and rank plus a member -> score index
//   for O(1) score lookups: a DenseIndex (store/dense.ts), looked up by the argument's bytes without
//   making a string; its names are the strings the tree holds (one copy of the bytes).
// A listpack becomes a skiplist when an insert would outgrow the limits, or for SORT (as Redis); a
// skiplist stays one (a new value built by from(): RDB load, ZUNIONSTORE... starts as a listpack).
import type { RedisObject } from './types.js';
import { keyBuf } from './types.js';
import { Leaf, ZTree, lowerIn, prefixIn, scoreBelowIn, type ZNode } from './zset-btree.js';
import { DenseIndex, SMALL } from './dense.js';
import { sameRange } from './member-table.js';
import { LIMITS } from './limits.js';

/** A listpack keeps -0 as 0 (Redis stores an integral score as an integer: ZSCORE then says "0"); a
 * skiplist keeps the sign. */
const listpackScore = (s: number): number => (s === 0 ? 0 : s);

export class ZSetValue implements RedisObject {
  readonly type = 'zset' as const;
  /** The listpack form's members and scores (null once a skiplist). */
  private lm: string[] | null = [];
  private ls: number[] | null = [];
  /** The skiplist form (null while a listpack). */
  private t: ZTree | null = null;
  /** Member (latin1 string) -> score. Deletes move the last slot into the hole (the order is the tree's). */
  private d: DenseIndex<number> | null = null;
  private bytes = 0;

  static from(pairs: [Buffer, number][]): ZSetValue {
    const z = new ZSetValue();
    for (const [m, s] of pairs) z.set(m, s);
    return z;
  }

  get size(): number {
    return this.lm !== null ? this.lm.length : (this.d as DenseIndex<number>).size;
  }

  encoding(): string {
    return this.lm !== null ? 'listpack' : 'skiplist';
  }

  memoryUsage(): number {
    return 96 + this.bytes + this.size * (this.lm !== null ? 12 : 120);
  }

  clone(): ZSetValue {
    const z = new ZSetValue();
    if (this.lm !== null) {
      z.lm = this.lm.slice();
      z.ls = (this.ls as number[]).slice();
    } else {
      z.becomeSkiplist();
      const d = z.d as DenseIndex<number>;
      const t = z.t as ZTree;
      (this.t as ZTree).walk(0, this.size, false, (m, s) => {
        d.setStr(m, s);
        t.insert(s, m);
      });
    }
    z.bytes = this.bytes;
    return z;
  }

  /** Converts a listpack to a skiplist (an insert past the limits; SORT, as Redis's zsetConvert). */
  toSkiplist(): void {
    const lm = this.lm;
    if (lm === null) return;
    const ls = this.ls as number[];
    this.becomeSkiplist();
    const d = this.d as DenseIndex<number>;
    const t = this.t as ZTree;
    for (let i = 0; i < lm.length; i++) {
      d.setStr(lm[i], ls[i]);
      t.insert(ls[i], lm[i]);
    }
  }

  private becomeSkiplist(): void {
    this.lm = null;
    this.ls = null;
    this.t = new ZTree();
    this.d = new DenseIndex<number>(false);
  }

  *entries(): Iterable<[Buffer, number]> {
    if (this.lm !== null) {
      const lm = this.lm;
      const ls = this.ls as number[];
      for (let i = 0; i < lm.length; i++) yield [keyBuf(lm[i]), ls[i]];
      return;
    }
    for (let l: Leaf | null = (this.t as ZTree).head; l; l = l.next) {
      for (let i = 0; i < l.n; i++) yield [keyBuf(l.members[i]), l.scores[i]];
    }
  }

  /** Every member as its stored latin1 string, in no particular order (a listpack's is the zset's). */
  memberNames(): readonly string[] {
    return this.lm ?? (this.d as DenseIndex<number>).names;
  }

  score(m: Buffer): number | undefined {
    const slot = this.find(m);
    return slot < 0 ? undefined : this.scoreAt(slot);
  }

  /** Adds or rescores a member; true when it is new. */
  set(m: Buffer, score: number): boolean {
    const slot = this.find(m);
    if (slot >= 0) {
      this.rescore(slot, score);
      return false;
    }
    this.insertMissing(m, score);
    return true;
  }

  /** The member's slot (a listpack's rank, a skiplist's index slot), or -1: ZADD reads scoreAt() and
   * calls rescore() or insertMissing() on one lookup. */
  find(m: Buffer): number {
    return this.findRange(m, 0, m.length);
  }

  /** find() of the member whose bytes are b[start, end) (an argument inside the read buffer). */
  findRange(b: Buffer, start: number, end: number): number {
    const lm = this.lm;
    if (lm === null) return (this.d as DenseIndex<number>).slotOfRange(b, start, end);
    for (let i = 0; i < lm.length; i++) if (sameRange(lm[i], b, start, end)) return i;
    return -1;
  }

  scoreAt(slot: number): number {
    return this.ls !== null ? this.ls[slot] : (this.d as DenseIndex<number>).vals[slot];
  }

  /** Gives the member at slot a new score. */
  rescore(slot: number, score: number): void {
    const lm = this.lm;
    if (lm !== null) {
      const ls = this.ls as number[];
      if (ls[slot] === score) return;
      score = listpackScore(score);
      // In place: out of its position, then into the new one among the other n - 1.
      const m = lm[slot];
      const n = lm.length;
      for (let k = slot; k < n - 1; k++) {
        lm[k] = lm[k + 1];
        ls[k] = ls[k + 1];
      }
      const pos = lowerIn(ls, lm, n - 1, score, m);
      for (let k = n - 1; k > pos; k--) {
        lm[k] = lm[k - 1];
        ls[k] = ls[k - 1];
      }
      lm[pos] = m;
      ls[pos] = score;
      return;
    }
    const d = this.d as DenseIndex<number>;
    const cur = d.vals[slot];
    if (cur === score) return;
    const k = d.names[slot];
    const t = this.t as ZTree;
    t.delete(cur, k);
    t.insert(score, k);
    d.vals[slot] = score;
  }

  /** Adds member m, which find() just reported absent. */
  insertMissing(m: Buffer, score: number): void {
    this.insertMissingRange(m, 0, m.length, score);
  }

  /** insertMissing() of the member whose bytes are b[start, end) (findRange() reported it absent). */
  insertMissingRange(b: Buffer, start: number, end: number, score: number): void {
    const len = end - start;
    this.bytes += len;
    if (this.lm !== null) {
      if (len <= LIMITS.zsetMaxValue && this.lm.length < LIMITS.zsetMaxEntries) return this.insertListpack(b.latin1Slice(start, end), score);
      this.toSkiplist();
      // The index was just built: no lookup of m went through it, so no hash to reuse (addMissing).
      const k = b.latin1Slice(start, end);
      (this.d as DenseIndex<number>).setStr(k, score);
      return (this.t as ZTree).insert(score, k);
    }
    const d = this.d as DenseIndex<number>;
    // The slot first: the first insert replaces the names array itself (dense.ts).
    const slot = d.addMissingRange(b, start, end, score);
    (this.t as ZTree).insert(score, d.names[slot]);
  }

  private insertListpack(m: string, score: number): void {
    score = listpackScore(score);
    let lm = this.lm as string[];
    let ls = this.ls as number[];
    const n = lm.length;
    const pos = lowerIn(ls, lm, n, score, m);
    if (n < SMALL) {
      // Exact-length copies while small: a push onto a short array reserves 16 more slots (~130
      // bytes per array, as much as the rest of a 3-member zset).
      lm = this.lm = lm.concat(m);
      ls = this.ls = ls.concat(score);
    } else {
      lm.push(m);
      ls.push(score);
    }
    for (let k = n; k > pos; k--) {
      lm[k] = lm[k - 1];
      ls[k] = ls[k - 1];
    }
    lm[pos] = m;
    ls[pos] = score;
  }

  delete(m: Buffer): boolean {
    const slot = this.find(m);
    if (slot < 0) return false;
    if (this.lm !== null) {
      this.bytes -= m.length;
      this.removeListpackAt(slot);
      return true;
    }
    const d = this.d as DenseIndex<number>;
    const k = d.names[slot];
    (this.t as ZTree).delete(d.vals[slot], k);
    d.deleteAt(slot);
    this.bytes -= k.length;
    return true;
  }

  private removeListpackAt(i: number): void {
    const lm = this.lm as string[];
    const ls = this.ls as number[];
    const n = lm.length;
    for (let k = i; k < n - 1; k++) {
      lm[k] = lm[k + 1];
      ls[k] = ls[k + 1];
    }
    lm.pop();
    ls.pop();
  }

  /** Removes the lowest (highest when max) entry and returns it, its member as the stored latin1
   * string (ZPOPMIN/ZPOPMAX of one: no member Buffer made and hashed again to delete it). */
  popEnd(max: boolean): { m: string; score: number } | null {
    const lm = this.lm;
    if (lm !== null) {
      if (lm.length === 0) return null;
      const i = max ? lm.length - 1 : 0;
      const e = { m: lm[i], score: (this.ls as number[])[i] };
      this.removeListpackAt(i);
      this.bytes -= e.m.length;
      return e;
    }
    const e = (this.t as ZTree).popEnd(max);
    if (e === null) return null;
    (this.d as DenseIndex<number>).deleteStr(e.m);
    this.bytes -= e.m.length;
    return e;
  }

  /** 0-based rank from the lowest score, or -1. */
  rank(m: Buffer): number {
    const slot = this.find(m);
    if (slot < 0 || this.lm !== null) return slot;
    const d = this.d as DenseIndex<number>;
    return (this.t as ZTree).rank(d.vals[slot], d.names[slot]);
  }

  /** Element at a 0-based rank. */
  at(rank: number): ZNode | null {
    let out: ZNode | null = null;
    this.walk(rank, 1, false, (m, score) => void (out = { member: keyBuf(m), score }));
    return out;
  }

  /**
   * Up to count elements from a 0-based rank, ascending (descending when rev), stopping at the
   * first element that fails `keep`.
   */
  slice(rank: number, count: number, rev = false, keep?: (score: number, m: string) => boolean): ZNode[] {
    const out: ZNode[] = [];
    this.walk(rank, count, rev, (m, score) => {
      if (keep && !keep(score, m)) return false;
      out.push({ member: keyBuf(m), score });
    });
    return out;
  }

  /**
   * Calls fn for up to count entries from 0-based rank `from`, ascending (or descending when rev);
   * stops early when fn returns false.
   */
  walk(from: number, count: number, rev: boolean, fn: (m: string, score: number) => boolean | void): void {
    const lm = this.lm;
    if (lm === null) return (this.t as ZTree).walk(from, count, rev, fn);
    const ls = this.ls as number[];
    const step = rev ? -1 : 1;
    for (let i = from, done = 0; done < count && i >= 0 && i < lm.length; done++, i += step) {
      if (fn(lm[i], ls[i]) === false) return;
    }
  }

  /** How many entries have a score below s (or <= s when inclusive). */
  countScoreBelow(s: number, inclusive: boolean): number {
    const ls = this.ls;
    return ls === null ? (this.t as ZTree).countScoreBelow(s, inclusive) : scoreBelowIn(ls, ls.length, s, inclusive);
  }

  /** How many entries satisfy `below`, which must hold for a prefix of the order. */
  countWhere(below: (score: number, m: string) => boolean): number {
    const lm = this.lm;
    return lm === null ? (this.t as ZTree).countWhere(below) : prefixIn(this.ls as number[], lm, lm.length, below);
  }

  /** The leaf and index of the first entry with score >= s (the index may be leaf.n: the next
   * leaf's first), for scans that read leaves directly (GEO searches). A listpack answers with a
   * leaf made over its own arrays (read-only, valid until the next write). */
  seekScore(s: number): [Leaf, number] {
    if (this.lm === null) return (this.t as ZTree).seekScore(s);
    const l = new Leaf();
    l.n = this.lm.length;
    l.members = this.lm;
    l.scores = this.ls as number[];
    return [l, this.countScoreBelow(s, false)];
  }

  /** One ZSCAN step over a skiplist's member index (a listpack answers whole, in order: zscan). */
  scanStep(cursor: number, count: number, fn: (m: Buffer, score: number) => void): number {
    const d = this.d;
    if (d === null) throw new Error('scanStep on a listpack');
    const { next, slots } = d.scan(cursor, count);
    for (const i of slots) fn(d.keyAt(i), d.vals[i]);
    return next;
  }

  /** Checks the structure (tests): a listpack's order and lengths; a skiplist's tree, and that its
   * index holds exactly the tree's members with their scores. */
  verify(): void {
    const fail = (why: string) => {
      throw new Error(`ZSetValue invariant: ${why}`);
    };
    const lm = this.lm;
    if (lm !== null) {
      const ls = this.ls as number[];
      if (ls.length !== lm.length || this.t !== null || this.d !== null) fail('listpack arrays');
      for (let i = 1; i < lm.length; i++) {
        if (!(ls[i - 1] < ls[i] || (ls[i - 1] === ls[i] && lm[i - 1] < lm[i]))) fail('listpack order');
      }
      return;
    }
    const t = this.t as ZTree;
    const d = this.d as DenseIndex<number>;
    t.verify();
    if (t.length !== d.size) fail('index size');
    t.walk(0, t.length, false, (m, s) => {
      if (d.get(keyBuf(m)) !== s) fail(`index score of ${JSON.stringify(m)}`);
    });
  }
}
