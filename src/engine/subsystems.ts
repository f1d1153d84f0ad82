// Wires the engine's subsystems into a server (persistence, replication, cluster, pub/sub, blocking...).
// (Named modules.ts until issue 14: "module" means a Redis module elsewhere.) Each subsystem exports
// install(srv) and registers its commands' state, guards, sinks, INFO sections
// and cron tasks through the Server's hook lists. Adding a subsystem is adding a line here.
import type { Server } from './server.js';
import { installDatatypes } from './datatypes.js';
import { installEviction } from './eviction/index.js';
import { installCluster } from './cluster/index.js';
import { installPersistence } from './persistence/module.js';
import { installTransactions } from './commands/transactions.js';
import { installPubSub } from './pubsub/registry.js';
import { installMonitor } from './commands/monitor.js';
import { installReplication } from './replication/index.js';
import { installScripting } from './scripting/module.js';
import { installAcl } from './acl/index.js';
import { installPause } from './pause.js';
import { installTracking } from './tracking/tracker.js';
import { installLatency } from './commands/latency.js';
import { installKeyspaceStats } from './keyspace-stats.js';
import { installMemoryHygiene } from './memory-hygiene.js';
import { installProtectedCommands } from './commands/protected.js';

type Installer = (srv: Server) => void | Promise<void>;

const INSTALLERS: Installer[] = [
  installDatatypes,
  installEviction,
  installCluster,
  installPersistence,
  installTransactions,
  installPubSub,
  installMonitor,
  installReplication,
  installScripting,
  installAcl,
  installPause,
  installTracking,
  installLatency,
  installKeyspaceStats,
  installMemoryHygiene,
  installProtectedCommands,
];

export async function installSubsystems(srv: Server): Promise<void> {
  for (const install of INSTALLERS) await install(srv);
}
