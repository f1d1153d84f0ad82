// Installs the data-type support that needs server hooks (blocking/index.ts until issue 14): encoding thresholds follow the config, and
// blocking: writes signal ready keys, served after each top-level command (EXEC and scripts count as
// one), and disconnecting clients leave their wait queues.
import type { Server } from './server.js';
import { blockingOf } from './blocking/registry.js';
import { installEncodingLimits } from './store/limits.js';

export function installDatatypes(srv: Server): void {
  installEncodingLimits(srv.config);
  const reg = blockingOf(srv);
  srv.signalKeyAsReady = (db, key) => reg.signal(db, key);
  srv.signalDbAsReady = (db) => reg.signalDb(db);
  srv.hooks.afterCommand.push(() => {
    if (srv.dispatch.depth === 0) reg.serveReady();
  });
  srv.hooks.clientClose.push((c) => reg.forget(c));
}
