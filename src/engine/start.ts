// Boot sequence shared by `node dist/engine/main.js` and `kvctl server`: parse the config, open the
// log, listen, load data (modules hook in), install signal handlers and the cron.
import { loadServerConfig, ConfigError, type Config } from './config.js';
import { Logger, formatTimestamp, type LogLevel } from './log.js';
import { Server } from './server.js';
import { registerCoreInfo } from './info-core.js';
import { installSubsystems } from './subsystems.js';
import { internalErrorsOf } from './internal-errors.js';
import { applySentinelDefaults, createSentinelServer, installSentinel } from './sentinel/index.js';
import { REDIS_COMPAT_VERSION, ENGINE_VERSION } from './version.js';
import { setStartMode } from './start-mode.js';
import { useLowHeapGrowth } from './heap-growth.js';
import { reseedMemberTables } from './store/member-table.js';

// For the start-up snapshot's builder (snapshot.cts), which reaches the bundle through this module.
export { warmUp } from './warm-up.js';

export interface StartOptions {
  /** Don't install process signal handlers (embedded use). */
  embedded?: boolean;
}

/** Creates and starts a server from a parsed config; resolves once it accepts connections. */
export async function startServer(cfg: Config, opts: StartOptions = {}): Promise<Server> {
  // Handlers first: a SIGTERM that arrives while the node starts (a supervisor's `down` right after
  // `up`, a test reading the pidfile) must shut down cleanly, not kill the process mid-load.
  let srv: Server | null = null;
  let ready = false;
  if (!opts.embedded) installSignals(() => srv, () => ready);
  const log = new Logger();
  log.level = cfg.get('loglevel') as LogLevel;
  log.file = cfg.get('logfile');
  if (cfg.get('dir')) {
    try {
      process.chdir(cfg.get('dir'));
    } catch (e) {
      throw new Error(`Can't chdir to '${cfg.get('dir')}': ${(e as Error).message}`);
    }
  }
  log.role = 'C';
  log.notice('oO0OoO0OoO0Oo kvctl engine (Redis-compatible) is starting oO0OoO0OoO0Oo');
  log.notice(`Redis version=${REDIS_COMPAT_VERSION}, kvctl engine=${ENGINE_VERSION}, bits=64, pid=${process.pid}, just started`);
  log.notice(cfg.configFile ? 'Configuration loaded' : 'Warning: no config file specified, using the default config. In order to specify a config file use kvctl server /path/to/redis.conf');
  log.role = 'M';
  // A Sentinel is a Server with Sentinel's command table and the Sentinel module instead of the data ones.
  if (cfg.sentinelMode) applySentinelDefaults(cfg);
  srv = cfg.sentinelMode ? createSentinelServer(cfg, log) : new Server(cfg, log);
  if (!opts.embedded) srv.onExit = (code) => process.exit(code);
  registerCoreInfo(srv);
  if (cfg.sentinelMode) installSentinel(srv);
  else await installSubsystems(srv);
  await srv.listen();
  // As Redis (createPidFile right after initServer's listen): the pid is known before the data load.
  srv.writePidfile();
  log.notice(`Running mode=${cfg.bool('cluster-enabled') ? 'cluster' : cfg.sentinelMode ? 'sentinel' : 'standalone'}, port=${cfg.int('port')}.`);
  log.notice('Server initialized');
  for (const h of srv.hooks.beforeReady) {
    await h();
    if (srv.shuttingDown) return srv; // a signal or SHUTDOWN during loading: shutdown() owns the exit
  }
  srv.startCron();
  log.notice('Ready to accept connections');
  ready = true;
  // Last line of defence for bugs outside a command (timers, socket events): log, count, keep serving.
  if (!opts.embedded) {
    const running = srv;
    process.on('uncaughtException', (e) => void internalErrorsOf(running).record('event loop', e));
  }
  return srv;
}

/** Signal handlers for the whole life of the process; `srv()` is null until the server exists. */
function installSignals(srv: () => Server | null, isReady: () => boolean): void {
  const onSignal = (sig: string) => {
    const s = srv();
    if (!s) process.exit(0); // nothing started yet: nothing to save or close
    if (s.shuttingDown) {
      s.log.warning(`You insist... exiting now.`);
      process.exit(1);
    }
    s.log.warning(`Received ${sig} scheduling shutdown...`);
    // Before the dataset is loaded nothing is saved over the files it comes from (as Redis, which
    // never saves on a shutdown while loading).
    s.shutdown(isReady() ? null : false).then(
      () => process.exit(0),
      (e: Error) => {
        s.log.warning(`Error trying to shut down: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

/** main(): returns an exit code to exit with now, or null to keep running. */
export async function startFromArgs(argv: string[]): Promise<number | null> {
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(`Redis server v=${REDIS_COMPAT_VERSION} kvctl-engine=${ENGINE_VERSION} node=${process.version}\n`);
    return 0;
  }
  if (argv[0] === '-h' || argv[0] === '--help') {
    process.stdout.write('Usage: kvctl server [/path/to/redis.conf] [options]\n       kvctl server --port 7777 --replicaof 127.0.0.1 8888\n');
    return 0;
  }
  let cfg: Config;
  try {
    cfg = loadServerConfig(argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (cfg.bool('daemonize')) {
    // Node cannot fork; supervisors (kvctl up) run nodes in the foreground and detach them themselves.
    process.stderr.write('daemonize yes is not supported by the kvctl engine: run it under kvctl up or a supervisor\n');
    return 1;
  }
  try {
    await startServer(cfg);
  } catch (e) {
    const msg = (e as Error).message;
    process.stdout.write(`${process.pid}:M ${formatTimestamp(new Date())} # ${msg}\n`);
    process.stderr.write(`${msg}\n`);
    return 1;
  }
  return null;
}

/**
 * The engine process's main, for main.cts (bundle or ES modules) and the start-up snapshot
 * (snapshot.cts): start from argv, exit with startFromArgs's code. `trace` is the
 * KVCTL_ENGINE_TRACE_START=1 line writer, `startedFrom` how the process got here (INFO's kvctl_engine_start).
 */
export async function runProcess(argv: string[], trace: (msg: string) => void, startedFrom = 'modules'): Promise<void> {
  setStartMode(startedFrom);
  reseedMemberTables();
  useLowHeapGrowth();
  const code = await startFromArgs(argv);
  if (code === null) {
    const cpu = process.cpuUsage();
    trace(`ready ${performance.now().toFixed(1)} ms after the process started, ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms CPU`);
  }
  if (code !== null) process.exit(code);
}
