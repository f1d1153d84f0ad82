// INFO sections owned by the core: server, clients, memory, stats, cpu, keyspace, commandstats, and
// the defaults of persistence and replication until those modules register their own providers.
import { trackerOf } from './tracking/tracker.js';
import os from 'node:os';
import type { Server } from './server.js';
import { pubsubOf } from './pubsub/registry.js';
import { usedMemory, memoryMeter } from './eviction/meter.js';
import { clusterOf } from './cluster/cluster.js';
import { internalErrorsOf } from './internal-errors.js';
import { startMode } from './start-mode.js';

export function registerCoreInfo(srv: Server): void {
  srv.info.set('server', () => {
    const up = Math.floor((Date.now() - srv.startedAt) / 1000);
    return [
      ['redis_version', srv.version],
      ['redis_git_sha1', '00000000'],
      ['redis_git_dirty', 0],
      ['redis_build_id', '0'],
      ['redis_mode', srv.config.bool('cluster-enabled') ? 'cluster' : srv.config.sentinelMode ? 'sentinel' : 'standalone'],
      ['os', `${os.type()} ${os.release()} ${os.arch()}`],
      ['arch_bits', 64],
      ['monotonic_clock', 'POSIX clock_gettime'],
      ['multiplexing_api', 'epoll'],
      ['atomicvar_api', 'c11-builtin'],
      ['gcc_version', '0.0.0'],
      ['process_id', process.pid],
      ['process_supervised', 'no'],
      ['run_id', srv.runId],
      ['tcp_port', srv.config.int('port')],
      ['server_time_usec', Date.now() * 1000],
      ['uptime_in_seconds', up],
      ['uptime_in_days', Math.floor(up / 86400)],
      ['hz', srv.config.int('hz')],
      ['configured_hz', srv.config.int('hz')],
      ['lru_clock', Math.floor(Date.now() / 1000) & 0xffffff],
      ['executable', process.argv[1] ?? ''],
      ['config_file', srv.config.configFile ?? ''],
      ['io_threads_active', 0],
      ['kvctl_engine', 'builtin'],
      ['kvctl_engine_version', srv.engineVersion],
      ['node_version', process.version],
      ['kvctl_engine_start', startMode()],
      ['kvctl_node_flags', process.execArgv.join(' ')],
    ];
  });
  srv.info.set('clients', () => {
    let blocked = 0;
    let pubsub = 0;
    for (const c of srv.clients.values()) {
      if (c.blocked) blocked++;
      if (c.subscriptionCount > 0) pubsub++;
    }
    return [
      ['connected_clients', srv.clients.size],
      ['cluster_connections', clusterOf(srv)?.linkCount ?? 0],
      ['maxclients', srv.config.int('maxclients')],
      ['client_recent_max_input_buffer', 0],
      ['client_recent_max_output_buffer', 0],
      ['blocked_clients', blocked],
      ['tracking_clients', trackerOf(srv).clients],
      ['clients_in_timeout_table', blocked],
      ['pubsub_clients', pubsub],
    ];
  });
  srv.info.set('memory', () => {
    const m = process.memoryUsage();
    // The same figure maxmemory enforces (eviction/meter.ts).
    const used = usedMemory();
    const peak = Math.max(used, memoryMeter.peak);
    return [
      ['used_memory', used],
      ['used_memory_human', human(used)],
      ['used_memory_rss', m.rss],
      ['used_memory_rss_human', human(m.rss)],
      ['used_memory_peak', peak],
      ['used_memory_peak_human', human(peak)],
      ['total_system_memory', os.totalmem()],
      ['total_system_memory_human', human(os.totalmem())],
      ['maxmemory', srv.config.int('maxmemory')],
      ['maxmemory_human', human(srv.config.int('maxmemory'))],
      ['maxmemory_policy', srv.config.get('maxmemory-policy')],
      ['mem_allocator', 'v8'],
    ];
  });
  srv.info.set('persistence', () => [
    ['loading', 0],
    ['async_loading', 0],
    ['rdb_changes_since_last_save', srv.dirty],
    ['rdb_bgsave_in_progress', 0],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
  ]);
  srv.info.set('stats', () => [
    ['total_connections_received', srv.stats.connections],
    ['total_commands_processed', srv.stats.commands],
    ['instantaneous_ops_per_sec', 0],
    ['total_net_input_bytes', srv.stats.netInput],
    ['total_net_output_bytes', srv.stats.netOutput],
    ['rejected_connections', srv.stats.rejectedConnections],
    ['sync_full', srv.stats.syncFull],
    ['sync_partial_ok', srv.stats.syncPartialOk],
    ['sync_partial_err', srv.stats.syncPartialErr],
    ['expired_keys', srv.stats.expiredKeys],
    ['evicted_keys', srv.stats.evictedKeys],
    ['keyspace_hits', srv.dbs.reduce((a, d) => a + d.hits, 0)],
    ['keyspace_misses', srv.dbs.reduce((a, d) => a + d.misses, 0)],
    ['pubsub_channels', pubsubOf(srv).channels.size],
    ['pubsub_patterns', pubsubOf(srv).patterns.size],
    ['pubsubshard_channels', pubsubOf(srv).shardChannels.size],
    ['tracking_total_keys', trackerOf(srv).table.size],
    ['tracking_total_items', trackerOf(srv).items],
    ['tracking_total_prefixes', trackerOf(srv).prefixes.size],
    ['total_error_replies', srv.stats.rejectedCalls],
    // Not a Redis field: exceptions that escaped a handler (engine bugs); tests require 0.
    ['kvctl_internal_errors', internalErrorsOf(srv).count],
  ]);
  srv.info.set('replication', () => [
    ['role', 'master'],
    ['connected_slaves', 0],
  ]);
  srv.info.set('cpu', () => {
    const u = process.cpuUsage();
    return [
      ['used_cpu_sys', (u.system / 1e6).toFixed(6)],
      ['used_cpu_user', (u.user / 1e6).toFixed(6)],
    ];
  });
  srv.info.set('cluster', () => [['cluster_enabled', srv.config.bool('cluster-enabled') ? 1 : 0]]);
  srv.info.set('keyspace', () =>
    srv.dbs.filter((d) => d.size > 0).map((d) => [`db${d.id}`, `keys=${d.size},expires=${d.expiresCount},avg_ttl=0`]),
  );
  srv.info.set('commandstats', () =>
    [...srv.commandStats].map(([name, s]) => [
      `cmdstat_${name}`,
      `calls=${s.calls},usec=${s.usec},usec_per_call=${s.calls ? (s.usec / s.calls).toFixed(2) : '0.00'},rejected_calls=${s.rejected},failed_calls=${s.failed}`,
    ]),
  );
}

export function human(n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n}B` : `${v.toFixed(2)}${units[i]}`;
}
