// The start-up load as Redis 7.0 runs it: the server listens first and the load yields to the event
// loop every loading-process-events-interval-bytes (processEventsWhileBlocked), so clients get
// -LOADING for commands without the `loading` flag, the others (INFO, CONFIG, AUTH, ...) run, and
// INFO persistence shows the progress.
import type { Server } from '../server.js';
import type { GuardEntry } from '../dispatch.js';
import type { InfoFields } from '../info.js';
import { persistState } from './state.js';

const LOADING = 'LOADING Redis is loading the dataset in memory';

export interface LoadingProgress {
  /** Unix seconds (loading_start_time). */
  startTime: number;
  totalBytes: number;
  loadedBytes: number;
  /** The used-mem aux field of the RDB being loaded (loading_rdb_used_mem). */
  rdbUsedMem: number;
}

const guards = new WeakMap<Server, GuardEntry>();

/** Order 80, after MASTERDOWN as in processCommand; armed only while a start-up load runs. */
export function installLoadingGuard(srv: Server): void {
  const entry: GuardEntry = {
    order: 80,
    name: 'loading',
    guard: () => (persistState(srv).loadingProgress ? LOADING : null),
    appliesTo: (cmd) => !cmd.flags.has('loading'),
    armed: false,
  };
  guards.set(srv, entry);
  srv.dispatch.addGuard(entry);
}

/** Redis's startLoading: INFO shows loading:1 and commands without the `loading` flag are refused. */
export function startLoading(srv: Server, totalBytes: number): void {
  persistState(srv).loadingProgress = { startTime: Math.floor(Date.now() / 1000), totalBytes, loadedBytes: 0, rdbUsedMem: 0 };
  const g = guards.get(srv);
  if (g) srv.dispatch.arm(g, true);
}

export function stopLoading(srv: Server): void {
  persistState(srv).loadingProgress = null;
  const g = guards.get(srv);
  if (g) srv.dispatch.arm(g, false);
}

/** Bytes a load decodes between two turns of the event loop. */
export function loadingSlice(srv: Server): number {
  return srv.config.int('loading-process-events-interval-bytes');
}

/**
 * Records the progress and lets one event-loop turn run (clients, the cluster bus, signals). False
 * when a shutdown began meanwhile: the load stops there.
 */
export function processEventsWhileLoading(srv: Server, loadedBytes: number): Promise<boolean> {
  const p = persistState(srv).loadingProgress;
  if (p) p.loadedBytes = loadedBytes;
  return new Promise((resolve) => setImmediate(() => resolve(!srv.shuttingDown)));
}

/** INFO persistence's loading_* fields, present while loading (as Redis 7.0). */
export function loadingInfo(srv: Server): InfoFields {
  const p = persistState(srv).loadingProgress;
  if (!p) return [];
  const elapsed = Math.floor(Date.now() / 1000) - p.startTime;
  const remaining = p.totalBytes - p.loadedBytes;
  const eta = elapsed === 0 ? 1 : Math.floor((elapsed * remaining) / (p.loadedBytes + 1));
  return [
    ['loading_start_time', p.startTime],
    ['loading_total_bytes', p.totalBytes],
    ['loading_rdb_used_mem', p.rdbUsedMem],
    ['loading_loaded_bytes', p.loadedBytes],
    ['loading_loaded_perc', ((p.loadedBytes / (p.totalBytes + 1)) * 100).toFixed(2)],
    ['loading_eta_seconds', eta],
  ];
}
