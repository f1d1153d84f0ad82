// The engine as a Sentinel (`kvctl sentinel CONF`, `kvctl server CONF --sentinel`, `main.js CONF
// --sentinel`): an engine Server with Sentinel's command table, no keyspace work (no persistence,
// replication or cluster modules), INFO in sentinel mode, and the Sentinel itself driving the timer.
import { ALL_COMMANDS } from '../commands/index.js';
import { COMMAND_FACTS } from '../commands/generated/command-facts.js';
import { mergeFacts } from '../commands/lazy-facts.js';
import type { CommandDef } from '../commands/table.js';
import { ConfigError, type Config } from '../config.js';
import type { Logger } from '../log.js';
import { installPubSub } from '../pubsub/registry.js';
import { installPause } from '../pause.js';
import { installAcl } from '../acl/index.js';
import { Server } from '../server.js';
import { bindSentinel, sentinelCommands, sentinelOf } from './commands.js';
import { SentinelConfigError } from './config.js';
import { SENTINEL_FACTS } from './generated/sentinel-facts.js';
import { Sentinel } from './sentinel.js';

/** Commands of the normal table a Redis 7.0 Sentinel also accepts (its COMMAND LIST). */
const FROM_SERVER = new Set(['ping', 'auth', 'hello', 'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'shutdown', 'command', 'client', 'acl', 'quit']);

function sentinelTable(): CommandDef[] {
  const own = new Set(sentinelCommands.map((d) => d.name.split('|')[0]));
  const shared = ALL_COMMANDS.filter((d) => {
    const top = d.name.split('|')[0];
    return FROM_SERVER.has(top) && !own.has(top);
  });
  return [...sentinelCommands, ...shared];
}

/** INFO sections a Sentinel does not print. */
const NOT_IN_SENTINEL = ['memory', 'persistence', 'replication', 'keyspace', 'modules', 'errorstats', 'cluster', 'commandstats', 'latencystats'];

/** Sentinel's own defaults where they differ from a server's (port 26379, protected-mode no). */
export function applySentinelDefaults(cfg: Config): void {
  if (!cfg.explicit.has('port')) cfg.values.set('port', '26379');
  if (!cfg.explicit.has('protected-mode')) cfg.values.set('protected-mode', 'no');
}

/** Builds the Sentinel's server and its state from the config file's sentinel lines. */
export function createSentinelServer(cfg: Config, log: Logger): Server {
  if (!cfg.configFile) throw new ConfigError('Sentinel needs config file on disk to save state.  Exiting...');
  log.role = 'X';
  const srv = new Server(cfg, log, { defs: sentinelTable(), facts: mergeFacts(COMMAND_FACTS, SENTINEL_FACTS) });
  const s = new Sentinel(srv, cfg.configFile);
  const src = cfg.sentinelSources;
  cfg.sentinelLines.forEach((line, k) => {
    try {
      s.loadConfig([line]);
    } catch (e) {
      if (!(e instanceof SentinelConfigError)) throw e;
      const at = src[k];
      throw new ConfigError(`\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line ${at?.line ?? 0}\n>>> '${at?.text ?? ''}'\n${e.message}`);
    }
  });
  bindSentinel(srv, s);
  return srv;
}

export function installSentinel(srv: Server): void {
  installPubSub(srv);
  installPause(srv);
  // requirepass / user lines protect a Sentinel as they do a server.
  installAcl(srv);
  for (const section of NOT_IN_SENTINEL) srv.info.drop(section);
  const s = sentinelOf(srv);
  srv.info.set('sentinel', () => {
    const f: [string, string | number][] = [
      ['sentinel_masters', s.masters.size], ['sentinel_tilt', 0], ['sentinel_tilt_since_seconds', -1],
      ['sentinel_running_scripts', 0], ['sentinel_scripts_queue_length', 0],
      ['sentinel_simulate_failure_flags', (s.simulateFailure.crashAfterElection ? 1 : 0) | (s.simulateFailure.crashAfterPromotion ? 2 : 0)],
    ];
    let k = 0;
    for (const m of s.masters.values()) {
      const status = m.odown ? 'odown' : m.sdown ? 'sdown' : 'ok';
      const a = s.currentAddr(m);
      f.push([`master${k++}`, `name=${m.name},status=${status},address=${a.ip}:${a.port},slaves=${m.replicas.size},sentinels=${m.sentinels.size + 1}`]);
    }
    return f;
  });
  srv.hooks.beforeReady.push(() => s.start());
}
