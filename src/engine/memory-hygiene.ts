// Memory given back after a burst of clients (issue 12, item 5). Thousands of hostile connections
// grow V8's young generation and old space; V8 keeps that room while the process stays busy or idle
// without allocating, so RSS stayed ~60 MB above where it started. When clients have left and RSS is
// well above the level after the last collection, one full GC runs (at most every few seconds and
// never while a client is connected for less than that): the heap shrinks back and V8 releases the
// pages (util/gc.ts: no node flag the spawner must pass).
import { fullGc } from './util/gc.js';
import type { Server } from './server.js';

/** RSS growth since the last collection that makes one worth it. */
const GROWTH_BYTES = 24 * 1024 * 1024;
/** Quiet time after the last client left before collecting (and the minimum gap between two). */
const QUIET_MS = 1500;

export function installMemoryHygiene(srv: Server): void {
  let baseline = process.memoryUsage.rss();
  let timer: NodeJS.Timeout | null = null;
  const check = (): void => {
    timer = null;
    if (process.memoryUsage.rss() < baseline + GROWTH_BYTES) return;
    if (!fullGc()) return;
    baseline = process.memoryUsage.rss();
  };
  srv.hooks.clientClose.push(() => {
    // Re-armed by every close: the collection runs once the closing has stopped for QUIET_MS.
    if (timer) clearTimeout(timer);
    timer = null;
    if (srv.shuttingDown) return; // shutdown closes every client: nothing to collect for
    timer = setTimeout(check, QUIET_MS);
    timer.unref();
  });
  // A stopped server leaves no timer behind (the start-up snapshot's warm-up server must not: a
  // timer pending in the snapshot's heap kept every timer of a node started from it from firing).
  srv.hooks.shutdown.push(() => {
    if (timer) clearTimeout(timer);
    timer = null;
  });
}
