// INFO replication, field for field as Redis 7.0 prints it for a master and for a replica.
import { failoverOf } from './failover.js';
import type { InfoFields } from '../info.js';
import type { Server } from '../server.js';
import type { ReplState } from './state.js';

export function registerReplicationInfo(srv: Server, st: ReplState): void {
  srv.info.set('replication', () => {
    const f: InfoFields = [];
    const link = st.master;
    const now = Date.now();
    if (!link) {
      f.push(['role', 'master']);
    } else {
      const up = link.state === 'connected';
      f.push(
        ['role', 'slave'],
        ['master_host', link.host],
        ['master_port', link.port],
        ['master_link_status', up ? 'up' : 'down'],
        ['master_last_io_seconds_ago', up ? Math.floor((now - link.lastIo) / 1000) : -1],
        ['master_sync_in_progress', link.state === 'transfer' ? 1 : 0],
        ['slave_read_repl_offset', up ? link.readReploff : link.cached ? st.offset : 0],
        ['slave_repl_offset', up ? link.reploff : link.cached ? st.offset : 0],
      );
      const t = link.transfer;
      if (t) {
        const total = t.total >= 0 ? t.total : -1;
        f.push(
          ['master_sync_total_bytes', total],
          ['master_sync_read_bytes', t.read],
          ['master_sync_left_bytes', total >= 0 ? total - t.read : -1],
          ['master_sync_perc', total > 0 ? ((t.read / total) * 100).toFixed(2) : '0.00'],
          ['master_sync_last_io_seconds_ago', Math.floor((now - link.lastIo) / 1000)],
        );
      }
      if (!up) f.push(['master_link_down_since_seconds', link.downSince ? Math.floor((now - link.downSince) / 1000) : -1]);
      f.push(
        ['slave_priority', srv.config.int('replica-priority')],
        ['slave_read_only', srv.config.bool('replica-read-only') ? 1 : 0],
        ['replica_announced', srv.config.bool('replica-announced') ? 1 : 0],
      );
    }
    f.push(['connected_slaves', st.replicas.length]);
    if (srv.config.int('min-replicas-to-write') > 0 && srv.config.int('min-replicas-max-lag') > 0) {
      f.push(['min_slaves_good_slaves', st.goodReplicas()]);
    }
    st.replicas.forEach((r, i) => {
      const lag = Math.floor((now - r.ackTime) / 1000);
      f.push([`slave${i}`, `ip=${r.ip},port=${r.port},state=${r.state},offset=${r.ackOffset},lag=${lag}`]);
    });
    const b = st.backlog;
    f.push(
      ['master_failover_state', failoverOf(srv)?.state ?? 'no-failover'],
      ['master_replid', st.replid],
      ['master_replid2', st.replid2],
      ['master_repl_offset', st.offset],
      ['second_repl_offset', st.secondOffset],
      ['repl_backlog_active', b ? 1 : 0],
      ['repl_backlog_size', srv.config.int('repl-backlog-size')],
      ['repl_backlog_first_byte_offset', b ? b.firstByteOffset : 0],
      ['repl_backlog_histlen', b ? b.histlen : 0],
    );
    return f;
  });
}
