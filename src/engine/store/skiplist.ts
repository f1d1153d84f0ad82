// A skip list ordered by (score, member bytes) with per-level spans, so rank lookups, rank-range
// reads and score/lex range seeks are O(log n) (what ZRANGE by rank/score needs to stay flat as a
// sorted set grows). Written from the published algorithm (Pugh 1990, spans as in Redis's design).
const MAX_LEVEL = 32;
const P = 0.25;

export interface ZNode {
  member: Buffer;
  score: number;
  backward: ZNode | null;
  /**
   * Per level i: next[2i] the following node, next[2i + 1] its span. One array instead of two saves
   * a cache miss per hop on large sets (so next[0] is still the level-0 successor).
   */
  next: (ZNode | number | null)[];
}

function node(level: number, score: number, member: Buffer): ZNode {
  const next = new Array<ZNode | number | null>(2 * level);
  for (let i = 0; i < level; i++) {
    next[2 * i] = null;
    next[2 * i + 1] = 0;
  }
  return { member, score, backward: null, next };
}

const fwd = (x: ZNode, i: number) => x.next[2 * i] as ZNode | null;
/** The next node in (score, member) order. */
export const succ = (x: ZNode) => x.next[0] as ZNode | null;
const span = (x: ZNode, i: number) => x.next[2 * i + 1] as number;

/** (score, member) ordering of the sorted set. */
export function before(n: ZNode, score: number, member: Buffer): boolean {
  return n.score < score || (n.score === score && Buffer.compare(n.member, member) < 0);
}

// Scratch arrays reused by every insert/delete (single-threaded, never re-entered).
const UPDATE = new Array<ZNode>(MAX_LEVEL);
const RANK = new Array<number>(MAX_LEVEL).fill(0);

function randomLevel(): number {
  let l = 1;
  while (l < MAX_LEVEL && Math.random() < P) l++;
  return l;
}

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

export class SkipList {
  readonly head: ZNode = node(MAX_LEVEL, 0, Buffer.alloc(0));
  tail: ZNode | null = null;
  length = 0;
  level = 1;

  insert(score: number, member: Buffer): ZNode {
    const update = UPDATE;
    const rank = RANK;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let nx = fwd(x, i);
      while (nx && before(nx, score, member)) {
        rank[i] += span(x, i);
        x = nx;
        nx = fwd(x, i);
      }
      update[i] = x;
    }
    const lvl = randomLevel();
    if (lvl > this.level) {
      for (let i = this.level; i < lvl; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.next[2 * i + 1] = this.length;
      }
      this.level = lvl;
    }
    const n = node(lvl, score, member);
    for (let i = 0; i < lvl; i++) {
      n.next[2 * i] = fwd(update[i], i);
      update[i].next[2 * i] = n;
      n.next[2 * i + 1] = span(update[i], i) - (rank[0] - rank[i]);
      update[i].next[2 * i + 1] = rank[0] - rank[i] + 1;
    }
    for (let i = lvl; i < this.level; i++) update[i].next[2 * i + 1] = span(update[i], i) + 1;
    n.backward = update[0] === this.head ? null : update[0];
    const after = fwd(n, 0);
    if (after) after.backward = n;
    else this.tail = n;
    this.length++;
    return n;
  }

  private unlink(x: ZNode, update: ZNode[]): void {
    for (let i = 0; i < this.level; i++) {
      if (fwd(update[i], i) === x) {
        update[i].next[2 * i + 1] = span(update[i], i) + span(x, i) - 1;
        update[i].next[2 * i] = fwd(x, i);
      } else {
        update[i].next[2 * i + 1] = span(update[i], i) - 1;
      }
    }
    const after = fwd(x, 0);
    if (after) after.backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && fwd(this.head, this.level - 1) === null) this.level--;
    this.length--;
  }

  /** Removes the node holding (score, member); true when found. */
  delete(score: number, member: Buffer): boolean {
    const update = UPDATE;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = fwd(x, i);
      while (nx && before(nx, score, member)) {
        x = nx;
        nx = fwd(x, i);
      }
      update[i] = x;
    }
    const t = fwd(x, 0);
    if (!t || t.score !== score || !t.member.equals(member)) return false;
    this.unlink(t, update);
    return true;
  }

  /** Moves a node to a new score; in place when the order is unchanged. */
  updateScore(n: ZNode, score: number): ZNode {
    const prevOk = n.backward === null || before(n.backward, score, n.member);
    const nx = fwd(n, 0);
    const nextOk = nx === null || !before(nx, score, n.member);
    if (prevOk && nextOk) {
      n.score = score;
      return n;
    }
    this.delete(n.score, n.member);
    return this.insert(score, n.member);
  }

  /** 1-based rank of (score, member), 0 when absent. */
  rank(score: number, member: Buffer): number {
    let r = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = fwd(x, i);
      while (nx && (before(nx, score, member) || (nx.score === score && nx.member.equals(member)))) {
        r += span(x, i);
        x = nx;
        nx = fwd(x, i);
      }
      if (x !== this.head && x.score === score && x.member.equals(member)) return r;
    }
    return 0;
  }

  /** Node at a 1-based rank, null when out of range. */
  byRank(rank: number): ZNode | null {
    if (rank < 1 || rank > this.length) return null;
    let t = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = fwd(x, i);
      while (nx && t + span(x, i) <= rank) {
        t += span(x, i);
        x = nx;
        nx = fwd(x, i);
      }
      if (t === rank) return x;
    }
    return null;
  }

  /** First node whose score is in range, null when none. */
  firstInRange(r: ScoreRange): ZNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = fwd(x, i);
      while (nx && !gteMin(nx.score, r)) {
        x = nx;
        nx = fwd(x, i);
      }
    }
    const n = fwd(x, 0);
    return n && lteMax(n.score, r) ? n : null;
  }

  /** Last node whose score is in range, null when none. */
  lastInRange(r: ScoreRange): ZNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = fwd(x, i);
      while (nx && lteMax(nx.score, r)) {
        x = nx;
        nx = fwd(x, i);
      }
    }
    return x !== this.head && gteMin(x.score, r) ? x : null;
  }

  firstInLex(r: LexRange): ZNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = fwd(x, i);
      while (nx && !lexGteMin(nx.member, r)) {
        x = nx;
        nx = fwd(x, i);
      }
    }
    const n = fwd(x, 0);
    return n && lexLteMax(n.member, r) ? n : null;
  }

  lastInLex(r: LexRange): ZNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = fwd(x, i);
      while (nx && lexLteMax(nx.member, r)) {
        x = nx;
        nx = fwd(x, i);
      }
    }
    return x !== this.head && lexGteMin(x.member, r) ? x : null;
  }

  first(): ZNode | null {
    return fwd(this.head, 0);
  }
}
