// How far V8 lets the old generation grow past what a mark-compact left alive. A node's keyspace is
// one big, long-lived heap: growing by 15% per major GC instead of V8's default (up to 2-4x) keeps
// the resident size ~15% lower at 1M keys (issue 2, memory goal). But while a dataset loads (start-up,
// DEBUG RELOAD, a replica's full sync) everything allocated survives, and the low growth makes V8
// mark the whole, only-growing heap again after every 15%: loads run with a high growth (8x the heap
// a mark-compact leaves), and the low one is back for the next limit V8 computes after the load.
// 8x rather than V8's own (at most 4x): a 1M-key load is marked once, early (~23 MB), instead of a
// second time near its end (~100 MB), and the limit it leaves (~190 MB) is below the ~400 MB that
// second mark-compact would have left.
import v8 from 'node:v8';

const LOW = '--heap-growing-percent=15';
const LOAD = '--heap-growing-percent=700';

let low = false;
let loading = 0;

/**
 * The process runs with the low growth from now on, outside loads (runProcess; not for an embedded
 * server, which leaves the host's V8 alone). Call only once the bundle is compiled: a flag changes
 * V8's flag hash, which the bundle's code cache is keyed on.
 */
export function useLowHeapGrowth(): void {
  low = true;
  if (loading === 0) v8.setFlagsFromString(LOW);
}

/** Runs a dataset load under the load's growth (nested loads share one lift; an async one until it settles). */
export function withLoadHeapGrowth<T>(load: () => T): T {
  if (loading++ === 0 && low) v8.setFlagsFromString(LOAD);
  let res: T;
  try {
    res = load();
  } catch (e) {
    endLoad();
    throw e;
  }
  if (res instanceof Promise) return res.finally(endLoad) as T;
  endLoad();
  return res;
}

function endLoad(): void {
  if (--loading === 0 && low) v8.setFlagsFromString(LOW);
}
