// The ordered index of a sorted set: a counted B+tree over (score, member bytes). (It replaced a
// skip list, store/skiplist.ts until issue 14, which cost ~2 cache misses per step and ~300 bytes per
// member, so per-op cost grew with the set.) Wide nodes keep a lookup at ~4 levels for 1M members:
// - leaves hold up to LEAF_CAP entries sorted, scores and members in two arrays of length n (scores
//   unboxed in a plain array: a Float64Array's bytes sit behind two more pointers, one more cache
//   miss per leaf visited); members are latin1 strings, the same strings that key the member index,
//   so a member's bytes are stored once; leaves are linked both ways for range walks;
// - inner nodes hold children, separators (sep[i] <= every key of child i + 1, > every key of
//   child i) and each child's entry count, so rank <-> position is O(log n) without touching children.
// Comparing latin1 strings with < is comparing their bytes (memcmp, shorter prefix first), Redis's
// member order.

export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** Lex bounds: null member means -/+ infinity (per side). */
export interface LexRange {
  min: Buffer | null;
  max: Buffer | null;
  minex: boolean;
  maxex: boolean;
  /** `-` as max or `+` as min: an empty range. */
  empty?: boolean;
}

/** One element as handed to commands. */
export interface ZNode {
  member: Buffer;
  score: number;
}

export const gteMin = (v: number, r: ScoreRange): boolean => (r.minex ? v > r.min : v >= r.min);
export const lteMax = (v: number, r: ScoreRange): boolean => (r.maxex ? v < r.max : v <= r.max);
export function lexGteMin(m: Buffer, r: LexRange): boolean {
  if (r.empty) return false;
  if (r.min === null) return true;
  const c = Buffer.compare(m, r.min);
  return r.minex ? c > 0 : c >= 0;
}
export function lexLteMax(m: Buffer, r: LexRange): boolean {
  if (r.empty) return false;
  if (r.max === null) return true;
  const c = Buffer.compare(m, r.max);
  return r.maxex ? c < 0 : c <= 0;
}

const LEAF_CAP = 64;
/** Leaves with fewer entries grow by exact-length copies (insert). */
const SMALL_LEAF = 8;
const LEAF_MIN = 16;
const INNER_CAP = 64;
const INNER_MIN = 16;

export class Leaf {
  n = 0;
  /** Both of length n, up to LEAF_CAP + 1 (an insert before a split). */
  scores: number[] = [];
  members: string[] = [];
  prev: Leaf | null = null;
  next: Leaf | null = null;
}

class Inner {
  n = 0;
  children: Node[] = [];
  counts = new Float64Array(INNER_CAP + 1);
  sepScores = new Float64Array(INNER_CAP + 1);
  sepMembers: string[] = [];
}

type Node = Leaf | Inner;

// Descent path scratch (single-threaded, never re-entered).
const PATH_N: Inner[] = [];
const PATH_I: number[] = [];
let pathDepth = 0;

// Searches of one sorted run of entries (a leaf's, or a listpack zset's arrays: store/zset.ts).

/** How many of the first n entries are strictly below (score, m). */
export function lowerIn(sc: number[], ms: string[], n: number, score: number, m: string): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const s = sc[mid];
    if (s < score || (s === score && ms[mid] < m)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of the first n entries have a score below s (or <= s when inclusive). */
export function scoreBelowIn(sc: number[], n: number, s: number, inclusive: boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sc[mid] < s || (inclusive && sc[mid] === s)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of the first n entries satisfy `below`, which holds for a prefix of them. */
export function prefixIn(sc: number[], ms: string[], n: number, below: (score: number, m: string) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (below(sc[mid], ms[mid])) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Entries of the (score, member) keys strictly below (score, m) in a leaf. */
function leafLower(l: Leaf, score: number, m: string): number {
  return lowerIn(l.scores, l.members, l.n, score, m);
}

/** The child of an inner node that holds (score, m): the number of separators <= it. */
function childFor(x: Inner, score: number, m: string): number {
  const sc = x.sepScores;
  let lo = 0;
  let hi = x.n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const s = sc[mid];
    if (s < score || (s === score && x.sepMembers[mid] <= m)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sum(a: Float64Array, from: number, to: number): number {
  let t = 0;
  for (let i = from; i < to; i++) t += a[i];
  return t;
}

export class ZTree {
  root: Node = new Leaf();
  length = 0;
  head: Leaf = this.root as Leaf;
  tail: Leaf = this.root as Leaf;
  // Where the last count/rank descent ended (rank cRank is entry cPos of cLeaf, cPos may be cLeaf.n),
  // so a walk starting there (range reads) needs no second descent. Cleared by every mutation.
  private cLeaf: Leaf | null = null;
  private cRank = 0;
  private cPos = 0;

  private mark(l: Leaf, pos: number, rank: number): number {
    this.cLeaf = l;
    this.cPos = pos;
    this.cRank = rank;
    return rank;
  }

  /** The leaf where (score, m) belongs; the inner nodes and child indexes on the way are left in
   * PATH_N/PATH_I (depth in pathDepth) for the count updates, splits and merges that follow. */
  private descend(score: number, m: string): Leaf {
    let x = this.root;
    let d = 0;
    while (x instanceof Inner) {
      const i = childFor(x, score, m);
      PATH_N[d] = x;
      PATH_I[d++] = i;
      x = x.children[i];
    }
    pathDepth = d;
    return x;
  }

  /** Inserts a key known to be absent. */
  insert(score: number, m: string): void {
    this.cLeaf = null;
    const l = this.descend(score, m);
    const d = pathDepth;
    for (let k = 0; k < d; k++) PATH_N[k].counts[PATH_I[k]]++;
    const pos = leafLower(l, score, m);
    if (l.n < SMALL_LEAF) {
      // A small zset's only leaf grows one exact-length copy at a time: writing past the end of an
      // array reserves 16 more slots (~130 bytes per array, a fifth of a 3-member zset).
      l.scores = l.scores.concat(0);
      l.members = l.members.concat('');
    }
    const sc = l.scores;
    const ms = l.members;
    for (let k = l.n; k > pos; k--) {
      sc[k] = sc[k - 1];
      ms[k] = ms[k - 1];
    }
    sc[pos] = score;
    ms[pos] = m;
    l.n++;
    this.length++;
    if (l.n > LEAF_CAP) this.splitLeaf(l, d);
  }

  private splitLeaf(l: Leaf, d: number): void {
    const h = (l.n + 1) >> 1;
    const r = new Leaf();
    r.n = l.n - h;
    r.scores = l.scores.splice(h);
    r.members = l.members.splice(h);
    l.n = h;
    r.next = l.next;
    r.prev = l;
    if (l.next) l.next.prev = r;
    else this.tail = r;
    l.next = r;
    this.addChild(d, r, r.scores[0], r.members[0], h, r.n);
  }

  /** Puts `right` after the node at path depth d (left keeps leftCount entries, right rightCount). */
  private addChild(d: number, right: Node, sepScore: number, sepMember: string, leftCount: number, rightCount: number): void {
    if (d === 0) {
      const root = new Inner();
      root.n = 2;
      root.children.push(this.root, right);
      root.counts[0] = leftCount;
      root.counts[1] = rightCount;
      root.sepScores[0] = sepScore;
      root.sepMembers.push(sepMember);
      this.root = root;
      return;
    }
    const p = PATH_N[d - 1];
    const i = PATH_I[d - 1];
    p.children.splice(i + 1, 0, right);
    p.counts.copyWithin(i + 2, i + 1, p.n);
    p.counts[i] = leftCount;
    p.counts[i + 1] = rightCount;
    p.sepScores.copyWithin(i + 1, i, p.n - 1);
    p.sepScores[i] = sepScore;
    p.sepMembers.splice(i, 0, sepMember);
    p.n++;
    if (p.n <= INNER_CAP) return;
    // Split p: left keeps h children, the separator between the halves moves up.
    const h = (p.n + 1) >> 1;
    const r = new Inner();
    r.n = p.n - h;
    r.children = p.children.splice(h);
    r.counts.set(p.counts.subarray(h, p.n));
    r.sepScores.set(p.sepScores.subarray(h, p.n - 1));
    r.sepMembers = p.sepMembers.splice(h);
    const upScore = p.sepScores[h - 1];
    const upMember = p.sepMembers.pop() as string;
    p.n = h;
    this.addChild(d - 1, r, upScore, upMember, sum(p.counts, 0, h), sum(r.counts, 0, r.n));
  }

  /** Removes (score, m); false when absent. */
  delete(score: number, m: string): boolean {
    this.cLeaf = null;
    const l = this.descend(score, m);
    const pos = leafLower(l, score, m);
    if (pos >= l.n || l.scores[pos] !== score || l.members[pos] !== m) return false;
    this.removeAt(l, pos, pathDepth);
    return true;
  }

  /** Removes and returns the lowest (highest when max) entry, null when empty. ZPOPMIN/ZPOPMAX: the
   * path to an end is the first (last) child at every level, so it takes no comparisons and no
   * second descent by key. */
  popEnd(max: boolean): { m: string; score: number } | null {
    if (this.length === 0) return null;
    this.cLeaf = null;
    let x = this.root;
    let d = 0;
    while (x instanceof Inner) {
      const i = max ? x.n - 1 : 0;
      PATH_N[d] = x;
      PATH_I[d++] = i;
      x = x.children[i];
    }
    const pos = max ? x.n - 1 : 0;
    const e = { m: x.members[pos], score: x.scores[pos] };
    this.removeAt(x, pos, d);
    return e;
  }

  /** Removes entry pos of leaf l, reached through the d inner nodes left in PATH_N/PATH_I. */
  private removeAt(l: Leaf, pos: number, d: number): void {
    for (let k = 0; k < d; k++) PATH_N[k].counts[PATH_I[k]]--;
    const sc = l.scores;
    const ms = l.members;
    for (let k = pos + 1; k < l.n; k++) {
      sc[k - 1] = sc[k];
      ms[k - 1] = ms[k];
    }
    sc.pop();
    ms.pop();
    l.n--;
    this.length--;
    if (l.n < LEAF_MIN && d > 0) this.fixLeaf(l, d);
  }

  /** Merges an underfull leaf with a sibling, or takes entries from it. */
  private fixLeaf(l: Leaf, d: number): void {
    const p = PATH_N[d - 1];
    const i = PATH_I[d - 1];
    if (p.n < 2) return;
    const li = i > 0 ? i - 1 : i; // merge children li and li + 1
    const a = p.children[li] as Leaf;
    const b = p.children[li + 1] as Leaf;
    if (a.n + b.n <= LEAF_CAP) {
      for (let k = 0; k < b.n; k++) {
        a.scores.push(b.scores[k]);
        a.members.push(b.members[k]);
      }
      a.n += b.n;
      a.next = b.next;
      if (b.next) b.next.prev = a;
      else this.tail = a;
      this.removeChild(d - 1, li + 1);
      return;
    }
    // Rebalance: move entries so both hold about half.
    const move = (a.n + b.n) >> 1;
    if (a.n > move) {
      const k = a.n - move;
      b.scores.unshift(...a.scores.splice(move));
      b.members.unshift(...a.members.splice(move));
      a.n = move;
      b.n += k;
    } else {
      const k = move - a.n;
      for (const s of b.scores.splice(0, k)) a.scores.push(s);
      for (const s of b.members.splice(0, k)) a.members.push(s);
      a.n += k;
      b.n -= k;
    }
    p.counts[li] = a.n;
    p.counts[li + 1] = b.n;
    p.sepScores[li] = b.scores[0];
    p.sepMembers[li] = b.members[0];
  }

  /** Removes child j (merged into child j - 1) from the inner node at depth d, then fixes it. */
  private removeChild(d: number, j: number): void {
    const p = PATH_N[d];
    p.counts[j - 1] += p.counts[j];
    p.children.splice(j, 1);
    p.counts.copyWithin(j, j + 1, p.n);
    p.sepScores.copyWithin(j - 1, j, p.n - 1);
    p.sepMembers.splice(j - 1, 1);
    p.n--;
    if (d === 0) {
      if (p.n === 1) this.root = p.children[0];
      return;
    }
    if (p.n >= INNER_MIN) return;
    const g = PATH_N[d - 1];
    const i = PATH_I[d - 1];
    if (g.n < 2) return;
    const li = i > 0 ? i - 1 : i;
    const a = g.children[li] as Inner;
    const b = g.children[li + 1] as Inner;
    const sepScore = g.sepScores[li];
    const sepMember = g.sepMembers[li];
    if (a.n + b.n <= INNER_CAP) {
      a.children.push(...b.children);
      a.counts.set(b.counts.subarray(0, b.n), a.n);
      a.sepScores[a.n - 1] = sepScore;
      a.sepScores.set(b.sepScores.subarray(0, b.n - 1), a.n);
      a.sepMembers.push(sepMember, ...b.sepMembers);
      a.n += b.n;
      this.removeChild(d - 1, li + 1);
      return;
    }
    // Rebalance through the parent's separator.
    const move = (a.n + b.n) >> 1;
    if (a.n > move) {
      const k = a.n - move;
      b.children.unshift(...a.children.splice(move));
      b.counts.copyWithin(k, 0, b.n);
      b.counts.set(a.counts.subarray(move, a.n), 0);
      b.sepScores.copyWithin(k, 0, b.n - 1);
      b.sepScores[k - 1] = sepScore;
      b.sepScores.set(a.sepScores.subarray(move, a.n - 1), 0);
      const moved = a.sepMembers.splice(move - 1);
      g.sepScores[li] = a.sepScores[move - 1];
      g.sepMembers[li] = moved.shift() as string;
      b.sepMembers.unshift(...moved, sepMember);
      a.n = move;
      b.n += k;
    } else {
      const k = move - a.n;
      a.children.push(...b.children.splice(0, k));
      a.counts.set(b.counts.subarray(0, k), a.n);
      b.counts.copyWithin(0, k, b.n);
      a.sepScores[a.n - 1] = sepScore;
      a.sepScores.set(b.sepScores.subarray(0, k - 1), a.n);
      const moved = b.sepMembers.splice(0, k);
      g.sepScores[li] = b.sepScores[k - 1];
      g.sepMembers[li] = moved.pop() as string;
      a.sepMembers.push(sepMember, ...moved);
      b.sepScores.copyWithin(0, k, b.n - 1);
      a.n += k;
      b.n -= k;
    }
    g.counts[li] = sum(a.counts, 0, a.n);
    g.counts[li + 1] = sum(b.counts, 0, b.n);
  }

  /** 0-based rank of (score, m), -1 when absent. */
  rank(score: number, m: string): number {
    let x = this.root;
    let r = 0;
    while (x instanceof Inner) {
      const i = childFor(x, score, m);
      for (let k = 0; k < i; k++) r += x.counts[k];
      x = x.children[i];
    }
    const pos = leafLower(x, score, m);
    return pos < x.n && x.scores[pos] === score && x.members[pos] === m ? r + pos : -1;
  }

  /** How many entries have a score below s (or <= s when inclusive). */
  countScoreBelow(s: number, inclusive: boolean): number {
    let x = this.root;
    let r = 0;
    while (x instanceof Inner) {
      const sc = x.sepScores;
      let lo = 0;
      let hi = x.n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sc[mid] < s || (inclusive && sc[mid] === s)) lo = mid + 1;
        else hi = mid;
      }
      for (let k = 0; k < lo; k++) r += x.counts[k];
      x = x.children[lo];
    }
    const lo = scoreBelowIn(x.scores, x.n, s, inclusive);
    return this.mark(x, lo, r + lo);
  }

  /** The leaf and index of the first entry with score >= s (the index may be leaf.n: the next
   * leaf's first), for scans that read leaves directly (GEO searches). */
  seekScore(s: number): [Leaf, number] {
    this.countScoreBelow(s, false);
    return [this.cLeaf as Leaf, this.cPos];
  }

  /** How many entries satisfy `below`, which must hold for a prefix of the order. */
  countWhere(below: (score: number, m: string) => boolean): number {
    let x = this.root;
    let r = 0;
    while (x instanceof Inner) {
      let lo = 0;
      let hi = x.n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (below(x.sepScores[mid], x.sepMembers[mid])) lo = mid + 1;
        else hi = mid;
      }
      for (let k = 0; k < lo; k++) r += x.counts[k];
      x = x.children[lo];
    }
    const lo = prefixIn(x.scores, x.members, x.n, below);
    return this.mark(x, lo, r + lo);
  }

  /** The leaf holding 0-based rank r (< length) and r's index in it. */
  locate(r: number): [Leaf, number] {
    let x = this.root;
    while (x instanceof Inner) {
      let i = 0;
      while (i < x.n - 1 && r >= x.counts[i]) r -= x.counts[i++];
      x = x.children[i];
    }
    return [x, r];
  }

  /**
   * Calls fn for up to count entries from 0-based rank `from`, ascending (or descending when rev);
   * stops early when fn returns false.
   */
  walk(from: number, count: number, rev: boolean, fn: (m: string, score: number) => boolean | void): void {
    if (from < 0 || from >= this.length || count <= 0) return;
    let l: Leaf;
    let i: number;
    const near = this.cLeaf ? this.cPos + from - this.cRank : -2;
    if (near >= -1 && near <= (this.cLeaf as Leaf).n) [l, i] = [this.cLeaf as Leaf, near];
    else [l, i] = this.locate(from);
    for (let done = 0; done < count; done++) {
      while (i >= l.n || i < 0) {
        const nx = rev ? l.prev : l.next;
        if (!nx) return;
        l = nx;
        i = rev ? l.n - 1 : 0;
      }
      if (fn(l.members[i], l.scores[i]) === false) return;
      i += rev ? -1 : 1;
    }
  }

  /** Checks the structure (tests): orders, separators, counts and links. */
  verify(): void {
    const fail = (why: string) => {
      throw new Error(`ZTree invariant: ${why}`);
    };
    const leaves: Leaf[] = [];
    const visit = (x: Node, lo: [number, string] | null, hi: [number, string] | null, isRoot: boolean): number => {
      const lt = (a: [number, string], b: [number, string]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
      if (x instanceof Leaf) {
        if (x.members.length !== x.n || x.scores.length !== x.n) fail('leaf array lengths');
        if (!isRoot && x.n === 0) fail('empty leaf');
        for (let k = 0; k < x.n; k++) {
          const key: [number, string] = [x.scores[k], x.members[k]];
          if (k > 0 && !lt([x.scores[k - 1], x.members[k - 1]], key)) fail('leaf order');
          if (lo && lt(key, lo)) fail('below separator');
          if (hi && !lt(key, hi)) fail('above separator');
        }
        leaves.push(x);
        return x.n;
      }
      if (x.children.length !== x.n || x.sepMembers.length !== x.n - 1) fail('inner lengths');
      if (x.n < (isRoot ? 2 : 1)) fail('inner too small');
      let t = 0;
      for (let k = 0; k < x.n; k++) {
        const a: [number, string] | null = k === 0 ? lo : [x.sepScores[k - 1], x.sepMembers[k - 1]];
        const b: [number, string] | null = k === x.n - 1 ? hi : [x.sepScores[k], x.sepMembers[k]];
        const c = visit(x.children[k], a, b, false);
        if (c !== x.counts[k]) fail('count');
        t += c;
      }
      return t;
    };
    if (visit(this.root, null, null, true) !== this.length) fail('length');
    if (leaves[0] !== this.head || leaves[leaves.length - 1] !== this.tail) fail('head/tail');
    for (let k = 0; k < leaves.length; k++) {
      if (leaves[k].prev !== (leaves[k - 1] ?? null) || leaves[k].next !== (leaves[k + 1] ?? null)) fail('links');
    }
  }
}
