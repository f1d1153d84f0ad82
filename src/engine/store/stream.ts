// Stream values: entries in listpack nodes (stream-node.ts) ordered by master ID in an array searched
// by bisection (O(log n) ID lookup), appends into the tail node, trims dropping whole nodes from the
// head (a moving head index, compacted now and then, so trimming never shifts the whole array).
// Consumer groups live in stream-group.ts.
import type { RedisObject } from './types.js';
import { StreamNode, FLAG_DELETED, type StreamEntry, type ReadEntry } from './stream-node.js';
import { ID_MAX, ID_MIN, NUM_SAFE, U64_MAX, type StreamId } from './stream-id.js';
import { ConsumerGroup, ENTRIES_READ_INVALID } from './stream-group.js';
import { LIMITS } from './limits.js';

export type { StreamEntry, ReadEntry } from './stream-node.js';

/** STREAM_LISTPACK_MAX_SIZE: the node size cap when stream-node-max-bytes is 0 or larger. */
const LISTPACK_MAX = 1 << 30;

export interface TrimSpec {
  strategy: 'maxlen' | 'minid';
  maxlen: number;
  minid: StreamId;
  approx: boolean;
  /** 0 = no limit. */
  limit: number;
}

export class StreamValue implements RedisObject {
  readonly type = 'stream' as const;
  private nodes: StreamNode[] = [];
  private head = 0;
  length = 0;
  private last: StreamId = ID_MIN;
  /** lastId's halves as numbers (exact below 2^53: XADD's automatic IDs are computed on these). */
  lastMs = 0;
  lastSeq = 0;
  firstId: StreamId = ID_MIN;
  maxDeletedId: StreamId = ID_MIN;
  entriesAdded = 0;
  /** Cached last live entry ID (XREAD/XREADGROUP ask on every call); null = recompute. */
  private lastLive: StreamId | null = null;
  /**
   * The last forward seek: the first entry >= `id` sits at `rel` bytes past `node`'s first entry
   * (stable while the node lives: appends go after it, master-count rewrites move firstEntry too).
   * Readers that follow the tail (XREADGROUP >, XREAD $) resume there instead of rescanning the node.
   */
  private readonly seekCache = { node: null as StreamNode | null, id: ID_MIN, rel: 0 };
  /** nodeFor()'s last answer (an index: checked before use, since nodes shift). */
  private nodeHint = 0;
  /** Groups by name (latin1 key); listed sorted by name bytes, as Redis's radix tree orders them. */
  readonly groups = new Map<string, ConsumerGroup>();

  get lastId(): StreamId {
    return this.last;
  }

  set lastId(id: StreamId) {
    this.last = id;
    this.lastMs = Number(id >> 64n);
    this.lastSeq = Number(id & U64_MAX);
  }

  encoding(): string {
    return 'stream';
  }

  memoryUsage(): number {
    let n = 96;
    for (let i = this.head; i < this.nodes.length; i++) n += this.nodes[i].lp.length + 120;
    for (const g of this.groups.values()) n += g.memoryUsage();
    return n;
  }

  /** The nodes in ID order (for RDB). */
  liveNodes(): StreamNode[] {
    return this.nodes.slice(this.head);
  }

  get nodeCount(): number {
    return this.nodes.length - this.head;
  }

  clone(): StreamValue {
    const s = new StreamValue();
    s.nodes = this.liveNodes().map((n) => n.clone());
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    for (const [k, g] of this.groups) s.groups.set(k, g.clone());
    return s;
  }

  /** Adds a node read from an RDB (in order). */
  pushNode(node: StreamNode): void {
    this.lastLive = null;
    const last = this.nodes[this.nodes.length - 1];
    if (last) last.seal();
    this.nodes.push(node);
  }

  /**
   * Appends an entry whose ID the caller validated (> lastId). ms/seq: the ID's halves as numbers
   * when the caller has them exact (XADD's automatic IDs), else -1.
   */
  append(id: StreamId, fv: Buffer[], ms = -1, seq = -1): void {
    if (ms < 0) {
      this.lastId = id;
      ms = this.lastMs;
      seq = this.lastSeq;
    } else {
      this.last = id;
      this.lastMs = ms;
      this.lastSeq = seq;
    }
    if (ms >= NUM_SAFE || seq >= NUM_SAFE) ms = seq = -1;
    let tail = this.nodes.length > this.head ? this.nodes[this.nodes.length - 1] : undefined;
    if (tail) {
      let maxBytes = LIMITS.streamNodeMaxBytes;
      if (maxBytes === 0 || maxBytes > LISTPACK_MAX) maxBytes = LISTPACK_MAX;
      let elelen = 0;
      for (const b of fv) elelen += b.length;
      const maxEntries = LIMITS.streamNodeMaxEntries;
      if (tail.bytes + elelen >= maxBytes || (maxEntries > 0 && tail.total >= maxEntries)) {
        tail.seal();
        tail = undefined;
      }
    }
    if (tail) tail.append(id, fv, false, ms, seq);
    else {
      const cap = Math.min(Math.max(LIMITS.streamNodeMaxBytes, 64), 4096);
      this.nodes.push(StreamNode.create(id, fv, cap, ms, seq));
    }
    if (this.length === 0) this.firstId = id;
    this.length++;
    this.entriesAdded++;
    this.lastLive = id;
  }

  /** Index of the last node whose master ID <= id (head when none). */
  private nodeFor(id: StreamId): number {
    // Readers move forward through the same node: the last answer, if still right, skips the search.
    const h = this.nodeHint;
    const nodes = this.nodes;
    if (h >= this.head && h < nodes.length && nodes[h].master <= id && (h + 1 === nodes.length || nodes[h + 1].master > id)) return h;
    this.nodeHint = this.search(id);
    return this.nodeHint;
  }

  private search(id: StreamId): number {
    let lo = this.head;
    let hi = this.nodes.length - 1;
    let ans = this.head;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.nodes[mid].master <= id) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /** Live entries with start <= id <= end, ascending; stops after count (0 = all). */
  *range(start: StreamId, end: StreamId, rev = false): Generator<StreamEntry> {
    if (start > end || this.length === 0) return;
    if (!rev) {
      const first = this.nodeFor(start);
      for (let i = first; i < this.nodes.length; i++) {
        const node = this.nodes[i];
        if (node.master > end) return;
        const from = i === first ? this.seekIn(node, start) : node.firstEntry;
        if (from < 0) continue;
        for (const e of node.rawEntries(from)) {
          if (e.id < start || e.flags & FLAG_DELETED) continue;
          if (e.id > end) return;
          yield { id: e.id, fields: node.fieldsAt(e.flags, e.fieldsPos) };
        }
      }
      return;
    }
    for (let i = this.nodeFor(end); i >= this.head; i--) {
      const node = this.nodes[i];
      const raw = [...node.rawEntries()];
      for (let j = raw.length - 1; j >= 0; j--) {
        const e = raw[j];
        if (e.id > end || e.flags & FLAG_DELETED) continue;
        if (e.id < start) return;
        yield { id: e.id, fields: node.fieldsAt(e.flags, e.fieldsPos) };
      }
    }
  }

  /**
   * range(start, ID_MAX) into out, at most count entries (0 = all): the readers' hot path, without
   * generators. Entries past the seeked one in its node, and every later node, are all >= start.
   */
  collectFrom(start: StreamId, count: number, out: ReadEntry[]): void {
    if (this.length === 0) return;
    const first = this.nodeFor(start);
    for (let i = first; i < this.nodes.length; i++) {
      const node = this.nodes[i];
      const from = i === first ? this.seekIn(node, start) : node.firstEntry;
      if (from >= 0 && node.collectLive(from, out, count)) return;
    }
  }

  /** Position of node's first entry >= start (-1: none), resuming from the last seek when it can. */
  private seekIn(node: StreamNode, start: StreamId): number {
    const c = this.seekCache;
    const from = c.node === node && c.id <= start ? node.firstEntry + c.rel : node.firstEntry;
    const pos = node.seek(start, from);
    if (pos >= 0) {
      c.node = node;
      c.id = start;
      c.rel = pos - node.firstEntry;
    }
    return pos;
  }

  /** The live entry with this ID, if any. */
  get(id: StreamId): StreamEntry | undefined {
    for (const e of this.range(id, id)) return e;
    return undefined;
  }

  has(id: StreamId): boolean {
    return this.get(id) !== undefined;
  }

  /** First (or last) live entry's ID; ID_MIN when empty. */
  edgeId(first: boolean): StreamId {
    if (!first && this.lastLive !== null && this.length > 0) return this.lastLive;
    for (const e of first ? this.range(ID_MIN, ID_MAX) : this.range(ID_MIN, ID_MAX, true)) {
      if (!first) this.lastLive = e.id;
      return e.id;
    }
    return ID_MIN;
  }

  /** Deletes one entry; true when it existed. Keeps first/max-deleted IDs as Redis does. */
  delete(id: StreamId): boolean {
    if (this.length === 0) return false;
    const i = this.nodeFor(id);
    const node = this.nodes[i];
    for (const e of node.rawEntries()) {
      if (e.id > id) break;
      if (e.id !== id || e.flags & FLAG_DELETED) continue;
      if (node.valid === 1) this.removeNode(i);
      else node.markDeleted(e.pos, e.flags);
      this.length--;
      if (id === this.lastLive) this.lastLive = null;
      if (id > this.maxDeletedId) this.maxDeletedId = id;
      return true;
    }
    return false;
  }

  private removeNode(i: number): void {
    if (this.seekCache.node === this.nodes[i]) this.seekCache.node = null;
    if (i === this.head) {
      this.head++;
      if (this.head > 64 && this.head * 2 > this.nodes.length) {
        this.nodes = this.nodes.slice(this.head);
        this.head = 0;
      }
    } else this.nodes.splice(i, 1);
    if (this.head === this.nodes.length) {
      this.nodes = [];
      this.head = 0;
    }
  }

  /** Recomputes firstId after deletions at the head (XDEL of the first entry, trims). */
  refreshFirstId(): void {
    this.firstId = this.length === 0 ? ID_MIN : this.edgeId(true);
  }

  /** XADD/XTRIM trimming, as Redis: whole head nodes, then (exact only) entries of one node. */
  trim(t: TrimSpec): number {
    let deleted = 0;
    while (this.head < this.nodes.length) {
      if (t.strategy === 'maxlen' && this.length <= t.maxlen) break;
      const node = this.nodes[this.head];
      const entries = node.valid;
      if (t.limit && deleted + entries > t.limit) break;
      const whole = t.strategy === 'maxlen' ? this.length - entries >= t.maxlen : node.lastRawId() < t.minid;
      if (whole) {
        this.removeNode(this.head);
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (t.approx) break;
      let fromNode = 0;
      const marks: { pos: number; flags: number }[] = [];
      for (const e of node.rawEntries()) {
        const stop = t.strategy === 'maxlen' ? this.length <= t.maxlen : e.id >= t.minid;
        if (stop) break;
        if (!(e.flags & FLAG_DELETED)) {
          marks.push({ pos: e.pos, flags: e.flags });
          fromNode++;
          this.length--;
        }
      }
      for (const m of marks) node.markDeletedRaw(m.pos, m.flags);
      node.updateCounts(entries - fromNode, node.deleted + fromNode);
      deleted += fromNode;
      break;
    }
    if (this.length === 0) this.lastLive = null;
    this.refreshFirstId();
    return deleted;
  }

  /**
   * The entries-read counter an ID would have (Redis's streamEstimateDistanceFromFirstEverEntry), or
   * ENTRIES_READ_INVALID when deletions make it unknowable.
   */
  estimateEntriesRead(id: StreamId): number {
    if (!this.entriesAdded) return 0;
    if (!this.length && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return ENTRIES_READ_INVALID;
    if (this.maxDeletedId === ID_MIN || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - this.length;
      if (id === this.firstId) return this.entriesAdded - this.length + 1;
    }
    return ENTRIES_READ_INVALID;
  }

  /** True when a deleted entry may lie in [start, end] (Redis's streamRangeHasTombstones). */
  rangeHasTombstones(start: StreamId, end: StreamId = ID_MAX): boolean {
    if (!this.length || this.maxDeletedId === ID_MIN) return false;
    if (this.firstId > this.maxDeletedId) return false;
    return start <= this.maxDeletedId && this.maxDeletedId <= end;
  }

  /** A group's lag, or null when unknown (XINFO GROUPS). */
  lag(g: ConsumerGroup): number | null {
    if (!this.entriesAdded) return 0;
    if (g.entriesRead !== ENTRIES_READ_INVALID && !this.rangeHasTombstones(g.lastId)) return this.entriesAdded - g.entriesRead;
    const read = this.estimateEntriesRead(g.lastId);
    return read === ENTRIES_READ_INVALID ? null : this.entriesAdded - read;
  }

  /** The group by name, if any. */
  group(name: Buffer): ConsumerGroup | undefined {
    return this.groups.get(name.latin1Slice(0, name.length));
  }

  /** Groups sorted by name bytes (Redis's radix tree order). */
  sortedGroups(): ConsumerGroup[] {
    return [...this.groups.values()].sort((a, b) => Buffer.compare(a.name, b.name));
  }
}
