// Every redis.conf directive Redis 7.0 knows, as data: type, default, limits, aliases and whether
// CONFIG SET may change it. Defaults are Redis 7.0's, except bind (127.0.0.1 -::1: secure by default).
import { normalizeNotifyFlags } from './pubsub/notify.js';

export type DirectiveType = 'bool' | 'int' | 'memory' | 'enum' | 'string' | 'save' | 'list' | 'special';

export interface Directive {
  name: string;
  type: DirectiveType;
  default: string;
  /** Allowed values for enums (the error lists them in this order). */
  values?: string[];
  /** Enum directives that take several space-separated flags (none here yet). */
  min?: number;
  max?: number;
  /** CONFIG SET refuses these ("can't set immutable config"). */
  immutable?: boolean;
  /** Old names that read and write the same setting (CONFIG GET lists both). */
  aliases?: string[];
  /** Passwords and the like: never echoed in logs. */
  sensitive?: boolean;
  /** Listed by CONFIG GET only when asked for by exact name (Redis's HIDDEN_CONFIG: test knobs). */
  hidden?: boolean;
  /** A memory directive that also takes a percentage (`N%`, 0..100), kept as written. */
  percent?: boolean;
  /** Validates and canonicalises a value the generic types cannot (throws Error with Redis's text). */
  normalize?: (args: string[]) => string;
}

const I32 = 2147483647;
const LL = Number.MAX_SAFE_INTEGER;

const b = (name: string, def: 'yes' | 'no', extra: Partial<Directive> = {}): Directive => ({ name, type: 'bool', default: def, ...extra });
const i = (name: string, def: number, min: number, max: number, extra: Partial<Directive> = {}): Directive => ({ name, type: 'int', default: String(def), min, max, ...extra });
const m = (name: string, def: number, extra: Partial<Directive> = {}): Directive => ({ name, type: 'memory', default: String(def), min: 0, max: LL, ...extra });
const e = (name: string, def: string, values: string[], extra: Partial<Directive> = {}): Directive => ({ name, type: 'enum', default: def, values, ...extra });
const s = (name: string, def: string, extra: Partial<Directive> = {}): Directive => ({ name, type: 'string', default: def, ...extra });
const l = (name: string, def: string, extra: Partial<Directive> = {}): Directive => ({ name, type: 'list', default: def, ...extra });
const x = (name: string, def: string, extra: Partial<Directive> = {}): Directive => ({ name, type: 'special', default: def, ...extra });

export const DIRECTIVES: Directive[] = [
  // network and clients
  i('port', 6379, 0, 65535),
  l('bind', '127.0.0.1 -::1'),
  s('bind-source-addr', ''),
  b('protected-mode', 'yes'),
  i('tcp-backlog', 511, 0, I32, { immutable: true }),
  i('timeout', 0, 0, I32),
  i('tcp-keepalive', 300, 0, I32),
  s('unixsocket', '', { immutable: true }),
  i('unixsocketperm', 0, 0, 0o777, { immutable: true }),
  i('maxclients', 10000, 1, 4294967295),
  m('client-query-buffer-limit', 1024 * 1024 * 1024, { min: 1024 * 1024 }),
  m('proto-max-bulk-len', 512 * 1024 * 1024, { min: 1024 * 1024 }),
  x('client-output-buffer-limit', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60'),
  i('socket-mark-id', 0, 0, I32, { immutable: true }),
  // general
  b('daemonize', 'no', { immutable: true }),
  e('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], { immutable: true }),
  s('pidfile', '', { immutable: true }),
  e('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning']),
  s('logfile', '', { immutable: true }),
  b('syslog-enabled', 'no', { immutable: true }),
  s('syslog-ident', 'redis', { immutable: true }),
  e('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], { immutable: true }),
  i('databases', 16, 1, I32, { immutable: true }),
  b('always-show-logo', 'no', { immutable: true }),
  b('set-proc-title', 'yes', { immutable: true }),
  s('proc-title-template', '{title} {listen-addr} {server-mode}'),
  b('crash-log-enabled', 'yes'),
  b('crash-memcheck-enabled', 'yes'),
  b('disable-thp', 'yes', { immutable: true }),
  i('hz', 10, 0, I32),
  b('dynamic-hz', 'yes'),
  e('enable-protected-configs', 'no', ['no', 'yes', 'local'], { immutable: true }),
  e('enable-debug-command', 'no', ['no', 'yes', 'local'], { immutable: true }),
  e('enable-module-command', 'no', ['no', 'yes', 'local'], { immutable: true }),
  e('shutdown-on-sigint', 'default', ['default', 'save', 'nosave', 'now', 'force']),
  e('shutdown-on-sigterm', 'default', ['default', 'save', 'nosave', 'now', 'force']),
  i('shutdown-timeout', 10, 0, I32),
  s('ignore-warnings', ''),
  b('oom-score-adj', 'no'),
  l('oom-score-adj-values', '0 200 800'),
  i('io-threads', 1, 1, 128, { immutable: true }),
  b('io-threads-do-reads', 'no', { immutable: true }),
  b('jemalloc-bg-thread', 'yes'),
  s('server_cpulist', '', { immutable: true }),
  s('bio_cpulist', '', { immutable: true }),
  s('aof_rewrite_cpulist', '', { immutable: true }),
  s('bgsave_cpulist', '', { immutable: true }),
  // snapshotting
  { name: 'save', type: 'save', default: '3600 1 300 100 60 10000' },
  b('stop-writes-on-bgsave-error', 'yes'),
  b('rdbcompression', 'yes'),
  b('rdbchecksum', 'yes', { immutable: true }),
  s('dbfilename', 'dump.rdb'),
  b('rdb-del-sync-files', 'no'),
  s('dir', ''),
  b('rdb-save-incremental-fsync', 'yes'),
  e('sanitize-dump-payload', 'no', ['no', 'yes', 'clients']),
  // replication
  s('replicaof', '', { aliases: ['slaveof'] }),
  s('masterauth', '', { sensitive: true }),
  s('masteruser', ''),
  b('replica-serve-stale-data', 'yes', { aliases: ['slave-serve-stale-data'] }),
  b('replica-read-only', 'yes', { aliases: ['slave-read-only'] }),
  b('repl-diskless-sync', 'yes'),
  i('repl-diskless-sync-delay', 5, 0, I32),
  i('repl-diskless-sync-max-replicas', 0, 0, I32),
  e('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb']),
  i('repl-ping-replica-period', 10, 1, I32, { aliases: ['repl-ping-slave-period'] }),
  i('repl-timeout', 60, 1, I32),
  b('repl-disable-tcp-nodelay', 'no'),
  m('repl-backlog-size', 1024 * 1024, { min: 1 }),
  i('repl-backlog-ttl', 3600, 0, LL),
  i('replica-priority', 100, 0, I32, { aliases: ['slave-priority'] }),
  s('replica-announce-ip', '', { aliases: ['slave-announce-ip'] }),
  i('replica-announce-port', 0, 0, 65535, { aliases: ['slave-announce-port'] }),
  b('replica-announced', 'yes'),
  i('min-replicas-to-write', 0, 0, I32, { aliases: ['min-slaves-to-write'] }),
  i('min-replicas-max-lag', 10, 0, I32, { aliases: ['min-slaves-max-lag'] }),
  b('replica-lazy-flush', 'no', { aliases: ['slave-lazy-flush'] }),
  b('replica-ignore-maxmemory', 'yes', { aliases: ['slave-ignore-maxmemory'] }),
  b('replica-ignore-disk-write-errors', 'no'),
  e('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas']),
  // Hidden test knobs: the start-up load honours key-load-delay (µs per key) and yields every
  // loading-process-events-interval-bytes; rdb-key-save-delay is accepted and reported only.
  i('key-load-delay', 0, -I32 - 1, I32, { hidden: true }),
  i('rdb-key-save-delay', 0, -I32 - 1, I32, { hidden: true }),
  i('loading-process-events-interval-bytes', 2097152, 1024, I32, { hidden: true }),
  // security
  s('requirepass', '', { sensitive: true }),
  s('aclfile', '', { immutable: true }),
  i('acllog-max-len', 128, 0, LL),
  e('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels']),
  // memory
  m('maxmemory', 0),
  e('maxmemory-policy', 'noeviction', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction']),
  i('maxmemory-samples', 5, 1, I32),
  i('maxmemory-eviction-tenacity', 10, 0, 100),
  m('maxmemory-clients', 0, { percent: true }),
  i('lfu-log-factor', 10, 0, I32),
  i('lfu-decay-time', 1, 0, I32),
  b('lazyfree-lazy-eviction', 'no'),
  b('lazyfree-lazy-expire', 'no'),
  b('lazyfree-lazy-server-del', 'no'),
  b('lazyfree-lazy-user-del', 'no'),
  b('lazyfree-lazy-user-flush', 'no'),
  i('active-expire-effort', 1, 1, 10),
  b('activerehashing', 'yes'),
  b('activedefrag', 'no'),
  i('active-defrag-cycle-min', 1, 1, 99),
  i('active-defrag-cycle-max', 25, 1, 99),
  m('active-defrag-ignore-bytes', 100 * 1024 * 1024, { min: 1 }),
  i('active-defrag-max-scan-fields', 1000, 1, LL),
  i('active-defrag-threshold-lower', 10, 0, 1000),
  i('active-defrag-threshold-upper', 100, 0, 1000),
  // append only file
  b('appendonly', 'no'),
  s('appendfilename', 'appendonly.aof', { immutable: true }),
  s('appenddirname', 'appendonlydir', { immutable: true }),
  e('appendfsync', 'everysec', ['everysec', 'always', 'no']),
  b('no-appendfsync-on-rewrite', 'no'),
  i('auto-aof-rewrite-percentage', 100, 0, I32),
  m('auto-aof-rewrite-min-size', 64 * 1024 * 1024),
  b('aof-load-truncated', 'yes'),
  b('aof-use-rdb-preamble', 'yes'),
  b('aof-rewrite-incremental-fsync', 'yes'),
  b('aof-timestamp-enabled', 'no'),
  b('aof-disable-auto-gc', 'no'),
  // scripting, slow log, latency, events
  i('lua-time-limit', 5000, 0, LL, { aliases: ['busy-reply-threshold'] }),
  i('slowlog-log-slower-than', 10000, -1, LL),
  i('slowlog-max-len', 128, 0, LL),
  i('latency-monitor-threshold', 0, 0, LL),
  b('latency-tracking', 'yes'),
  l('latency-tracking-info-percentiles', '50 99 99.9'),
  s('notify-keyspace-events', '', { normalize: normalizeNotifyFlags }),
  i('tracking-table-max-keys', 1000000, 0, LL),
  // encodings (accepted and reported; the engine's own structures do not depend on them)
  i('hash-max-listpack-entries', 512, 0, LL, { aliases: ['hash-max-ziplist-entries'] }),
  m('hash-max-listpack-value', 64, { aliases: ['hash-max-ziplist-value'] }),
  i('list-max-listpack-size', -2, -I32 - 1, I32, { aliases: ['list-max-ziplist-size'] }),
  i('list-compress-depth', 0, 0, I32),
  i('set-max-intset-entries', 512, 0, LL),
  i('zset-max-listpack-entries', 128, 0, LL, { aliases: ['zset-max-ziplist-entries'] }),
  m('zset-max-listpack-value', 64, { aliases: ['zset-max-ziplist-value'] }),
  m('hll-sparse-max-bytes', 3000),
  m('stream-node-max-bytes', 4096),
  i('stream-node-max-entries', 100, 0, LL),
  // cluster
  b('cluster-enabled', 'no', { immutable: true }),
  s('cluster-config-file', 'nodes.conf', { immutable: true }),
  i('cluster-node-timeout', 15000, 0, LL),
  i('cluster-port', 0, 0, 65535, { immutable: true }),
  s('cluster-announce-ip', ''),
  i('cluster-announce-port', 0, 0, 65535),
  i('cluster-announce-bus-port', 0, 0, 65535),
  i('cluster-announce-tls-port', 0, 0, 65535),
  s('cluster-announce-hostname', ''),
  e('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint']),
  i('cluster-replica-validity-factor', 10, 0, I32, { aliases: ['cluster-slave-validity-factor'] }),
  i('cluster-migration-barrier', 1, 0, I32),
  b('cluster-allow-replica-migration', 'yes'),
  b('cluster-require-full-coverage', 'yes'),
  b('cluster-replica-no-failover', 'no', { aliases: ['cluster-slave-no-failover'] }),
  b('cluster-allow-reads-when-down', 'no'),
  b('cluster-allow-pubsubshard-when-down', 'yes'),
  m('cluster-link-sendbuf-limit', 0),
  // tls (accepted so configs load; the engine speaks plain TCP only)
  i('tls-port', 0, 0, 65535),
  s('tls-cert-file', ''),
  s('tls-key-file', ''),
  s('tls-key-file-pass', '', { sensitive: true }),
  s('tls-client-cert-file', ''),
  s('tls-client-key-file', ''),
  s('tls-client-key-file-pass', '', { sensitive: true }),
  s('tls-dh-params-file', ''),
  s('tls-ca-cert-file', ''),
  s('tls-ca-cert-dir', ''),
  e('tls-auth-clients', 'yes', ['no', 'yes', 'optional']),
  b('tls-replication', 'no'),
  b('tls-cluster', 'no'),
  s('tls-protocols', ''),
  s('tls-ciphers', ''),
  s('tls-ciphersuites', ''),
  b('tls-prefer-server-ciphers', 'no'),
  b('tls-session-caching', 'yes'),
  i('tls-session-cache-size', 20480, 0, I32),
  i('tls-session-cache-timeout', 300, 0, I32),
];
