// One logical database: the key -> value table and the key -> expire-at (ms) map, with lazy expiry on
// access. Iteration order is insertion order, and iterators live as a Map's, which SCAN relies on
// (see scan.ts and keyspace.ts).
import { Keyspace } from './keyspace.js';
import { unpack, type RedisValue, type StoredValue } from './types.js';

export interface DbHooks {
  /** A key was removed because its TTL passed (propagated as DEL, notified as `expired`). */
  onExpired(db: Db, key: string): void;
  /** True when this node must not delete expired keys itself (a replica waits for the master's DEL). */
  isReplica(): boolean;
  /** True while a command from our master runs: on a replica nothing is expired for it (as Redis). */
  fromMaster?(): boolean;
  now(): number;
}

export class Db {
  readonly data: Keyspace = new Keyspace();
  readonly expires = new Map<string, number>();
  /** Keys watched by MULTI clients: key -> set of watchers, notified by touch(). */
  readonly watched = new Map<string, Set<{ dirtyCas: boolean }>>();
  /** Live SCAN iterators by cursor id (scan.ts). */
  readonly scanCursors = new Map<number, Iterator<string>>();
  /** Counters for INFO keyspace hits/misses. */
  hits = 0;
  misses = 0;
  /** Set while a command that reads keys as Redis's lookupKeyRead runs: every lookup counts a hit or miss. */
  countLookups = false;

  /** Client-side caching (tracking/) once a client tracks keys: a key changed or expired / the db was emptied. */
  onModified: ((key: string) => void) | null = null;
  onFlushed: (() => void) | null = null;

  constructor(readonly id: number, private readonly hooks: DbHooks) {}

  get size(): number {
    return this.data.size;
  }

  /** True (and deletes it, on a master) if the key has expired. */
  expireIfNeeded(key: string): boolean {
    const at = this.expires.get(key);
    if (at === undefined || at > this.hooks.now()) return false;
    if (this.hooks.isReplica()) return !this.hooks.fromMaster?.(); // logically gone, physically kept until the master's DEL
    // No touch(): Redis 7.0 does not count an expiry as a modification of a WATCHed key.
    this.data.delete(key);
    this.expires.delete(key);
    this.hooks.onExpired(this, key);
    if (this.onModified !== null) this.onModified(key);
    return true;
  }

  /** The live value, or undefined when missing or expired (a packed string as a fresh Buffer). */
  get(key: string): RedisValue | undefined {
    const v = this.getStored(key);
    return typeof v === 'string' ? unpack(v) : v;
  }

  /** The live value as stored: packed strings stay strings (hot read paths reply from them directly). */
  getStored(key: string): StoredValue | undefined {
    const v = this.data.get(key);
    if (v === undefined || (this.expires.size > 0 && this.expireIfNeeded(key))) {
      if (this.countLookups) this.misses++;
      return undefined;
    }
    if (this.countLookups) this.hits++;
    return v;
  }

  has(key: string): boolean {
    return this.getStored(key) !== undefined;
  }

  /** Stores a value; clears the TTL unless keepTtl. Signals watchers. */
  set(key: string, value: StoredValue, keepTtl = false): void {
    this.data.set(key, value);
    if (!keepTtl && this.expires.size > 0) this.expires.delete(key);
    this.touch(key);
  }

  /** Replaces a value in place without touching its TTL (for in-place updates of aggregates). */
  replace(key: string, value: StoredValue): void {
    this.data.set(key, value);
    this.touch(key);
  }

  delete(key: string): boolean {
    if (!this.data.has(key)) return false;
    if (this.expires.size > 0 && this.expireIfNeeded(key)) return false;
    this.data.delete(key);
    this.expires.delete(key);
    this.touch(key);
    return true;
  }

  setExpire(key: string, atMs: number): void {
    this.expires.set(key, atMs);
    this.touch(key);
  }

  getExpire(key: string): number | undefined {
    return this.expires.get(key);
  }

  persist(key: string): boolean {
    const had = this.expires.delete(key);
    if (had) this.touch(key);
    return had;
  }

  clear(): void {
    if (this.onFlushed !== null) this.onFlushed();
    // Only live keys dirty their WATCHers (already-expired ones were not "modified", as in Redis).
    const now = this.hooks.now();
    const keys = [...this.watched.keys()].filter((k) => this.data.has(k) && !((this.expires.get(k) ?? Infinity) <= now));
    this.data.clear();
    this.expires.clear();
    this.scanCursors.clear();
    for (const k of keys) this.touch(k);
  }

  /** An empty table of the kind this db keeps its keys in (cluster mode's slot-indexing one for db 0). */
  emptyDataMap(): Keyspace {
    return new (this.data.constructor as new () => Keyspace)();
  }

  /**
   * Empties the db (as clear(): WATCHers, tracking, SCAN cursors) and takes these maps as its content,
   * without a second insertion of every key (a replica's full sync decoded beside the old dataset).
   */
  adopt(data: Keyspace, expires: Map<string, number>): void {
    this.clear();
    const self = this as { data: Keyspace; expires: Map<string, number> };
    self.data = data;
    self.expires = expires;
  }

  /** Marks WATCHers of the key dirty (Redis's signalModifiedKey). */
  touch(key: string): void {
    if (this.onModified !== null) this.onModified(key);
    if (this.watched.size === 0) return;
    const ws = this.watched.get(key);
    if (ws) for (const w of ws) w.dirtyCas = true;
  }

  /** Keys with a TTL, for INFO keyspace. */
  get expiresCount(): number {
    return this.expires.size;
  }
}
