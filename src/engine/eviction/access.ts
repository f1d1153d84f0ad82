// Per-key access metadata for the LRU/LFU policies, kept in side maps only while such a policy is
// active with a maxmemory set (a keyspace of small keys pays nothing otherwise). LRU stores the last
// access time; LFU stores Redis's 8-bit logarithmic counter with its last-decrement minute.
import type { Db } from '../store/db.js';

const LFU_INIT = 5;

export class AccessTracker {
  private readonly maps = new WeakMap<Db, Map<string, number>>();
  logFactor = 10;
  decayMinutes = 1;

  private map(db: Db): Map<string, number> {
    let m = this.maps.get(db);
    if (!m) {
      m = new Map();
      this.maps.set(db, m);
    }
    return m;
  }

  touchLru(db: Db, key: string, now: number): void {
    this.map(db).set(key, now);
  }

  /** Idle ms since last access; unknown keys count as idle since forever. */
  idle(db: Db, key: string, now: number): number {
    const t = this.maps.get(db)?.get(key);
    return t === undefined ? Number.MAX_SAFE_INTEGER : now - t;
  }

  /** The decayed LFU counter (0..255). */
  frequency(db: Db, key: string, now: number): number {
    const v = this.maps.get(db)?.get(key);
    if (v === undefined) return LFU_INIT;
    const counter = v & 0xff;
    const last = Math.floor(v / 256);
    const minutes = Math.floor(now / 60000) & 0xffff;
    const elapsed = minutes >= last ? minutes - last : 0x10000 - last + minutes;
    const periods = this.decayMinutes > 0 ? Math.floor(elapsed / this.decayMinutes) : 0;
    return Math.max(0, counter - periods);
  }

  touchLfu(db: Db, key: string, now: number): void {
    let counter = this.frequency(db, key, now);
    if (counter < 255) {
      const base = Math.max(0, counter - LFU_INIT);
      if (Math.random() < 1 / (base * this.logFactor + 1)) counter++;
    }
    this.map(db).set(key, (Math.floor(now / 60000) & 0xffff) * 256 + counter);
  }

  private readonly sweepers = new WeakMap<Db, Iterator<string>>();

  /** Drops metadata of up to n keys that no longer exist (deleted, expired, renamed away). */
  sweep(db: Db, n: number): void {
    const m = this.maps.get(db);
    if (!m || m.size === 0) return;
    let it = this.sweepers.get(db) ?? m.keys();
    for (let i = 0; i < n; i++) {
      const r = it.next();
      if (r.done) {
        it = m.keys();
        break;
      }
      if (!db.data.has(r.value)) m.delete(r.value);
    }
    this.sweepers.set(db, it);
  }

  forget(db: Db, key: string): void {
    this.maps.get(db)?.delete(key);
  }

  clear(db: Db): void {
    this.maps.delete(db);
  }
}
