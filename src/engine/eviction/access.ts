// Per-key access metadata for the LRU/LFU policies, only maintained while such a policy is active
// with a maxmemory set. It is keyed by the value object in a WeakMap: no second copy of every key
// string, and entries vanish with their values (deleted, overwritten, expired keys) without sweeps.
// LRU stores the last access in 10 ms ticks since startup; LFU Redis's 8-bit logarithmic counter
// with its last-decrement minute. Both stay small integers (no boxed number per key) for months.
import type { RedisValue } from '../store/types.js';

const LFU_INIT = 5;
const TICK_MS = 10;

export class AccessTracker {
  private meta = new WeakMap<RedisValue, number>();
  private readonly epoch = Date.now();
  logFactor = 10;
  decayMinutes = 1;

  touchLru(v: RedisValue, now: number): void {
    this.meta.set(v, Math.floor((now - this.epoch) / TICK_MS));
  }

  /** Idle ms since last access (10 ms resolution); values never touched are the idlest. */
  idle(v: RedisValue, now: number): number {
    const t = this.meta.get(v);
    return t === undefined ? Number.MAX_SAFE_INTEGER : now - this.epoch - t * TICK_MS;
  }

  /** The decayed LFU counter (0..255). */
  frequency(v: RedisValue, now: number): number {
    const m = this.meta.get(v);
    if (m === undefined) return LFU_INIT;
    const counter = m & 0xff;
    const last = Math.floor(m / 256);
    const minutes = Math.floor(now / 60000) & 0xffff;
    const elapsed = minutes >= last ? minutes - last : 0x10000 - last + minutes;
    const periods = this.decayMinutes > 0 ? Math.floor(elapsed / this.decayMinutes) : 0;
    return Math.max(0, counter - periods);
  }

  touchLfu(v: RedisValue, now: number): void {
    let counter = this.frequency(v, now);
    if (counter < 255) {
      const base = Math.max(0, counter - LFU_INIT);
      if (Math.random() < 1 / (base * this.logFactor + 1)) counter++;
    }
    this.meta.set(v, (Math.floor(now / 60000) & 0xffff) * 256 + counter);
  }

  /** Forgets everything (policy change: LRU and LFU data mean different things). */
  clear(): void {
    this.meta = new WeakMap();
  }
}
