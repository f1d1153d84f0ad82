// used_memory for INFO and maxmemory: what the dataset holds, measured from V8. Only long-lived heap
// spaces count (old and large-object space, plus external memory such as Buffers): the young
// generation is mostly request garbage that eviction could never free. The engine's own footprint
// at startup is subtracted and Redis's empty-server figure added, so maxmemory means what it means
// for redis-server. Memory freed by eviction stays in the heap until the next major GC, so evicted
// bytes are subtracted until one runs; otherwise each check would see the same usage again. Old-space
// garbage from traffic is invisible to that bookkeeping, so while over the limit a full GC is forced
// at most once a second before deciding what to evict.
import v8 from 'node:v8';
import { fullGc } from '../util/gc.js';
import { PerformanceObserver, constants } from 'node:perf_hooks';

/** used_memory of an empty redis-server 7.0. */
const EMPTY_SERVER = 870_000;
const LONG_LIVED = new Set(['old_space', 'large_object_space', 'map_space']);

function measure(): number {
  let n = v8.getHeapStatistics().external_memory;
  for (const s of v8.getHeapSpaceStatistics()) if (LONG_LIVED.has(s.space_name)) n += s.space_used_size;
  return n;
}

class MemoryMeter {
  private freedSinceGc = 0;
  private baseline = measure();
  peak = 0;
  private observing = false;

  private observe(): void {
    if (this.observing) return;
    this.observing = true;
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.freedSinceGc = 0;
      }
    });
    obs.observe({ entryTypes: ['gc'] });
  }

  /** Re-takes the startup footprint (called once the server is set up, before data loads). */
  resetBaseline(): void {
    this.baseline = measure();
    this.peak = 0; // a server started from the start-up snapshot must not report its warm-up's peak
  }

  used(): number {
    const u = Math.max(EMPTY_SERVER, measure() - this.baseline + EMPTY_SERVER - this.freedSinceGc);
    if (u > this.peak) this.peak = u;
    return u;
  }

  private lastForcedGc = 0;

  /** Collects garbage (at most once a second) so used() sees only live data; true when it ran. */
  collect(now: number): boolean {
    if (now - this.lastForcedGc < 1000) return false;
    this.lastForcedGc = now;
    fullGc();
    this.freedSinceGc = 0;
    return true;
  }

  noteFreed(bytes: number): void {
    this.observe();
    this.freedSinceGc += bytes;
  }
}

export const memoryMeter = new MemoryMeter();

/** Bytes the engine uses, as INFO's used_memory reports it. */
export function usedMemory(): number {
  return memoryMeter.used();
}
