// Per-server persistence state shared by the commands, the cron, INFO and the AOF (Redis keeps these
// in `server.*`; the Server class stays free of persistence fields).
import type { Server } from '../server.js';
import type { Aof } from './aof.js';
import type { LoadingProgress } from './loading.js';

export interface PersistState {
  /** Unix seconds of the last successful save (LASTSAVE). */
  lastSave: number;
  /** The BGSAVE in progress: when it started and srv.dirty at that moment. */
  bgsave: { startedAt: number; dirtyAtStart: number; cancelled: boolean } | null;
  /** BGSAVE SCHEDULE (or a save point) is waiting for another background job to end. */
  bgsaveScheduled: boolean;
  /** Set through setBgsaveOk, which tells onBgsaveStatus (the MISCONF guard arms on a failure). */
  lastBgsaveOk: boolean;
  readonly onBgsaveStatus: (() => void)[];
  lastBgsaveTry: number;
  lastBgsaveTimeSec: number;
  saves: number;
  /** The start-up load's progress (INFO's loading_* fields); not null exactly while it loads. */
  loadingProgress: LoadingProgress | null;
  lastLoadKeys: number;
  lastLoadExpired: number;
  aof: Aof | null;
  /**
   * Replication's rdbPopulateSaveInfo: the aux fields a save of dump.rdb carries (repl-stream-db,
   * repl-id, repl-offset), or null when the node is in no replication history. Not for AOF bases.
   */
  saveInfo: (() => [string, string | number][] | null) | null;
  /** The aux fields of the dump.rdb loaded at start (null: none loaded, or the AOF was). */
  loadedAux: Map<string, string> | null;
}

const states = new WeakMap<Server, PersistState>();

export function persistState(srv: Server): PersistState {
  let s = states.get(srv);
  if (!s) {
    s = {
      lastSave: Math.floor(Date.now() / 1000),
      bgsave: null,
      bgsaveScheduled: false,
      lastBgsaveOk: true,
      onBgsaveStatus: [],
      lastBgsaveTry: 0,
      lastBgsaveTimeSec: -1,
      saves: 0,
      loadingProgress: null,
      lastLoadKeys: 0,
      lastLoadExpired: 0,
      aof: null,
      saveInfo: null,
      loadedAux: null,
    };
    states.set(srv, s);
  }
  return s;
}

/** Records whether the last save succeeded (rdb_last_bgsave_status). */
export function setBgsaveOk(srv: Server, ok: boolean): void {
  const s = persistState(srv);
  s.lastBgsaveOk = ok;
  for (const f of s.onBgsaveStatus) f();
}

/** A background job that, as in Redis, excludes another one (a fork child). */
export function childActive(srv: Server): 'rdb' | 'aof' | null {
  const s = persistState(srv);
  if (s.bgsave) return 'rdb';
  if (s.aof?.rewriting) return 'aof';
  return null;
}
