// The persistence subsystem's wiring: load at start (AOF preferred when appendonly is yes), save
// points and scheduled jobs from the cron, the final save on shutdown, the MISCONF guard, the AOF
// sink and CONFIG SET appendonly/dir at runtime.
import type { Server } from '../server.js';
import { Aof } from './aof.js';
import { bgsave, loadRdbFile, saveSync } from './rdb-file.js';
import { childActive, persistState } from './state.js';
import type { GuardEntry } from '../dispatch.js';
import { registerPersistenceInfo } from './info.js';
import { installDebugReload } from './debug-reload.js';
import { installLoadingGuard } from './loading.js';

/** Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long. */
const RETRY_DELAY_MS = 5000;

const MISCONF = 'MISCONF Redis is configured to save RDB snapshots, but it\'s currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.';

export function savePoints(srv: Server): [number, number][] {
  const f = srv.config.get('save').split(' ').filter(Boolean).map(Number);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < f.length; i += 2) out.push([f[i], f[i + 1]]);
  return out;
}

/** Starts a BGSAVE now, or schedules it when another background job runs. */
export function requestBgsave(srv: Server): 'started' | 'scheduled' {
  if (childActive(srv)) {
    persistState(srv).bgsaveScheduled = true;
    return 'scheduled';
  }
  persistState(srv).bgsaveScheduled = false;
  bgsave(srv);
  return 'started';
}

export function aofFor(srv: Server): Aof {
  const st = persistState(srv);
  st.aof ??= new Aof(srv);
  return st.aof;
}

/**
 * Redis's startAppendOnly: a rewrite writes the dataset as a new base and appending resumes in a new
 * incr file (scheduled when another background job runs). CONFIG SET appendonly yes, and a replica
 * after loading its master's RDB.
 */
export function startAof(srv: Server): void {
  if (childActive(srv)) {
    srv.log.notice('AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
    aofFor(srv).rewriteScheduled = true;
  } else aofFor(srv).startRewrite();
}

/** Redis's stopAppendOnly: the AOF stops following the dataset (a replica about to load its master's RDB). */
export function stopAof(srv: Server): void {
  const aof = persistState(srv).aof;
  if (aof?.attached) aof.close();
}

function cron(srv: Server): void {
  const st = persistState(srv);
  st.aof?.cron();
  if (childActive(srv)) return;
  if (st.bgsaveScheduled) {
    requestBgsave(srv);
    return;
  }
  const now = Date.now();
  for (const [secs, changes] of savePoints(srv)) {
    if (srv.dirty >= changes && now - st.lastSave * 1000 > secs * 1000 && (st.lastBgsaveOk || now - st.lastBgsaveTry > RETRY_DELAY_MS)) {
      srv.log.notice(`${changes} changes in ${secs} seconds. Saving...`);
      requestBgsave(srv);
      return;
    }
  }
}

export function installPersistence(srv: Server): void {
  const st = persistState(srv);
  installLoadingGuard(srv);
  srv.hooks.beforeReady.push(async () => {
    if (srv.config.bool('appendonly')) {
      const aof = aofFor(srv);
      await aof.load();
      if (!srv.shuttingDown) aof.openOnStart();
    } else {
      await loadRdbFile(srv);
    }
  });
  srv.hooks.cron.push(() => cron(srv));
  srv.hooks.shutdown.push(({ save }) => {
    if (st.bgsave) {
      srv.log.warning('There is a child saving an .rdb. Killing it!');
      st.bgsave.cancelled = true;
    }
    st.aof?.close();
    // As Redis: never a save while loading, it would write a partial dataset over its source.
    if (st.loadingProgress === null && (save === true || (save === null && savePoints(srv).length > 0))) {
      srv.log.notice('Saving the final RDB snapshot before exiting.');
      try {
        saveSync(srv);
      } catch (e) {
        srv.log.warning('Error trying to save the DB, can\'t exit.');
        throw e;
      }
    }
  });
  // Armed only after a failed save: while the last one succeeded it refuses nothing.
  const misconf: GuardEntry = {
    order: 30,
    name: 'misconf',
    guard(c, cmd) {
      if (c.isMaster || st.lastBgsaveOk || !srv.config.bool('stop-writes-on-bgsave-error') || savePoints(srv).length === 0) return null;
      return cmd.isWrite || cmd.name === 'ping' ? MISCONF : null;
    },
    appliesTo: (cmd) => cmd.isWrite || cmd.name === 'ping',
    armed: !st.lastBgsaveOk,
  };
  srv.dispatch.addGuard(misconf);
  st.onBgsaveStatus.push(() => srv.dispatch.arm(misconf, !st.lastBgsaveOk));
  srv.config.onChange('appendonly', (v) => {
    const aof = st.aof;
    if (v === 'yes' && !aof?.attached) {
      startAof(srv);
    } else if (v === 'no' && aof?.attached) {
      aof.close();
    }
  });
  srv.config.onChange('dir', (v) => {
    if (v) process.chdir(v);
  });
  registerPersistenceInfo(srv);
  installDebugReload();
}
