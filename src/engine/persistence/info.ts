// INFO persistence, with Redis 7.0's fields in its order (fork/COW figures are 0: there is no fork).
import type { Server } from '../server.js';
import type { InfoFields } from '../info.js';
import { persistState } from './state.js';
import { loadingInfo } from './loading.js';

export function registerPersistenceInfo(srv: Server): void {
  srv.info.set('persistence', () => {
    const st = persistState(srv);
    const aof = st.aof;
    const now = Date.now();
    const secsSince = (t: number | undefined) => (t === undefined ? -1 : Math.floor((now - t) / 1000));
    const aofOn = srv.config.bool('appendonly');
    const fields: InfoFields = [
      ['loading', st.loadingProgress ? 1 : 0],
      ['async_loading', 0],
      ['current_cow_peak', 0],
      ['current_cow_size', 0],
      ['current_cow_size_age', 0],
      ['current_fork_perc', '0.00'],
      ['current_save_keys_processed', 0],
      ['current_save_keys_total', st.bgsave || aof?.rewriting ? srv.dbs.reduce((n, d) => n + d.size, 0) : 0],
      ['rdb_changes_since_last_save', srv.dirty],
      ['rdb_bgsave_in_progress', st.bgsave ? 1 : 0],
      ['rdb_last_save_time', st.lastSave],
      ['rdb_last_bgsave_status', st.lastBgsaveOk ? 'ok' : 'err'],
      ['rdb_last_bgsave_time_sec', st.lastBgsaveTimeSec],
      ['rdb_current_bgsave_time_sec', secsSince(st.bgsave?.startedAt)],
      ['rdb_saves', st.saves],
      ['rdb_last_cow_size', 0],
      ['rdb_last_load_keys_expired', st.lastLoadExpired],
      ['rdb_last_load_keys_loaded', st.lastLoadKeys],
      ['aof_enabled', aofOn ? 1 : 0],
      ['aof_rewrite_in_progress', aof?.rewriting ? 1 : 0],
      ['aof_rewrite_scheduled', aof?.rewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', aof?.lastRewriteTimeSec ?? -1],
      ['aof_current_rewrite_time_sec', secsSince(aof?.rewriting?.startedAt)],
      ['aof_last_bgrewrite_status', aof && !aof.lastRewriteOk ? 'err' : 'ok'],
      ['aof_rewrites', aof?.rewrites ?? 0],
      ['aof_rewrites_consecutive_failures', aof?.consecutiveFailures ?? 0],
      ['aof_last_write_status', aof && !aof.lastWriteOk ? 'err' : 'ok'],
      ['aof_last_cow_size', 0],
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
    ];
    if (aofOn && aof) {
      fields.push(
        ['aof_current_size', aof.currentSize + aof.bufferLength],
        ['aof_base_size', aof.baseSize],
        ['aof_pending_rewrite', aof.rewriteScheduled ? 1 : 0],
        ['aof_buffer_length', aof.bufferLength],
        ['aof_pending_bio_fsync', 0],
        ['aof_delayed_fsync', 0],
      );
    }
    fields.push(...loadingInfo(srv));
    return fields;
  });
}
