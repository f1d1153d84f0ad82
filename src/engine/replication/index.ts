// Installs replication into a server and exposes it to the commands and to other subsystems
// (cluster failover): replicaOf(), promote(), and the replication ID / offset through repl(srv).
import type { Server } from '../server.js';
import { startAof } from '../persistence/module.js';
import { persistState } from '../persistence/state.js';
import { installGuards } from './guards.js';
import { registerReplicationInfo } from './info.js';
import { MasterSide } from './master.js';
import { MasterLink } from './replica.js';
import { repl, type ReplState } from './state.js';
import { ReplStream } from './stream.js';
import { Waits } from './wait.js';
import { installFailover } from './failover.js';

export { repl } from './state.js';

export interface Replication {
  st: ReplState;
  stream: ReplStream;
  master: MasterSide;
  waits: Waits;
}

const SYSTEMS = new WeakMap<Server, Replication>();

/** The installed replication subsystem (throws if the module is not installed). */
export function replication(srv: Server): Replication {
  const r = SYSTEMS.get(srv);
  if (!r) throw new Error('replication module not installed');
  return r;
}

export function installReplication(srv: Server): void {
  const st = repl(srv);
  const stream = new ReplStream(srv, st);
  const master = new MasterSide(srv, st, stream);
  const waits = new Waits(srv, st, stream);
  SYSTEMS.set(srv, { st, stream, master, waits });
  const failover = installFailover(srv, { replicaOf, promote, requestAcks: () => stream.feedControl(['REPLCONF', 'GETACK', '*']) });
  master.onAck = () => {
    waits.onAck();
    failover.cron();
  };
  srv.propagation.sinks.push(stream);
  srv.hooks.beforeReply.push(() => stream.flushEarly());
  srv.hooks.clientClose.push((c) => master.onClose(c));
  // WAIT waits for the stream offset right after the client's last write.
  let fed = st.offset;
  srv.hooks.afterCommand.push((c) => {
    if (st.offset !== fed) {
      fed = st.offset;
      c.ext.replWoff = fed;
    }
  });
  installGuards(srv, st);
  registerReplicationInfo(srv, st);
  srv.config.onChange('repl-backlog-size', (v) => st.backlog?.resize(Number(v)));
  let lastCron = 0;
  srv.hooks.cron.push(() => {
    const now = Date.now();
    if (now - lastCron < 1000) return;
    lastCron = now;
    master.cron();
    st.master?.cron();
  });
  srv.hooks.shutdown.push(() => st.master?.close());
  const conf = srv.config.get('replicaof');
  if (conf) {
    const [host, port] = conf.split(' ');
    // The cron connects on its first tick (with a cached master if dump.rdb gave us one).
    setMaster(srv, host, Number(port));
  }
  persistState(srv).saveInfo = () => saveInfo(st, stream);
  // Runs after persistence's load (installed later): Redis's loadDataFromDisk restoring the history.
  srv.hooks.beforeReady.push(() => restoreFromRdb(srv, st));
}

/**
 * Redis's rdbPopulateSaveInfo: a save of dump.rdb records where the dataset sits in the replication
 * history (repl-id, repl-offset) and the db the stream continues in, when the node is in one: a master
 * with a backlog, or a replica linked to its master or holding a cached one.
 */
function saveInfo(st: ReplState, stream: ReplStream): [string, string | number][] | null {
  let db: number;
  if (st.isMaster) {
    if (!st.backlog) return null;
    // -1: nothing was written since the last full sync; the next write selects its db anyway.
    db = stream.selectedDb === -1 ? 0 : stream.selectedDb;
  } else {
    const link = st.master as MasterLink;
    if (link.state !== 'connected' && !link.cached) return null;
    db = link.client.dbIndex;
  }
  return [['repl-stream-db', db], ['repl-id', st.replid], ['repl-offset', st.offset]];
}

/**
 * After dump.rdb was loaded at start (not the AOF: Redis ignores these fields there): a replica
 * turns the recorded history into a cached master (PSYNC <repl-id> <repl-offset+1>); a master keeps
 * it as its secondary ID, so its replicas can continue from there too.
 */
function restoreFromRdb(srv: Server, st: ReplState): void {
  const ps = persistState(srv);
  const aux = ps.loadedAux;
  ps.loadedAux = null;
  if (!aux) return;
  const id = aux.get('repl-id') ?? '';
  const offset = Number(aux.get('repl-offset') ?? -1);
  const db = Number(aux.get('repl-stream-db') ?? -1);
  if (id.length !== 40 || !Number.isSafeInteger(offset) || offset < 0 || !Number.isInteger(db) || db < 0) return;
  const link = st.master;
  if (link) {
    st.replid = id;
    st.offset = offset;
    st.clearReplid2();
    if (!link.cached) {
      srv.log.notice('Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.');
    }
    link.cached = true;
    link.client.db = srv.dbs[db] ?? srv.dbs[0];
    link.client.dbIndex = link.client.db.id;
    return;
  }
  st.replid2 = id;
  st.secondOffset = offset + 1;
  st.offset = offset;
  // An empty backlog that starts right after the loaded offset: a replica at that point continues.
  st.createBacklog();
  st.noReplicasSince = Date.now();
}

function setMaster(srv: Server, host: string, port: number): MasterLink {
  const { st, stream, master } = replication(srv);
  const link = new MasterLink(srv, st, stream, master, host, port);
  st.master = link;
  srv.isReplica = true;
  srv.log.role = 'S';
  srv.config.values.set('replicaof', `${host} ${port}`);
  return link;
}

/**
 * REPLICAOF host port: follow a new master, trying a partial resync with what we hold. `who`
 * describes the requesting client for the log. Returns false when already following that master.
 */
export function replicaOf(srv: Server, host: string, port: number, who = ''): boolean {
  const { st } = replication(srv);
  const old = st.master;
  if (old && old.host === host && old.port === port) {
    srv.log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
    return false;
  }
  let cached = false;
  if (old) {
    old.close();
    cached = old.cached;
  } else {
    srv.log.notice('Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.');
    cached = true;
  }
  const link = setMaster(srv, host, port);
  link.cached = cached;
  srv.log.notice(`Connecting to MASTER ${host}:${port}`);
  link.connect();
  srv.log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${who}')`);
  return true;
}

/** REPLICAOF NO ONE: become a master, keeping the old history as replid2 for partial resyncs. */
export function promote(srv: Server, who = ''): void {
  const { st, stream, master } = replication(srv);
  const link = st.master;
  if (!link) return;
  link.close();
  srv.log.notice('Discarding previously cached master state.');
  st.master = null;
  srv.isReplica = false;
  srv.log.role = 'M';
  srv.config.values.set('replicaof', '');
  st.shiftReplid();
  // Replicas must learn the new ID; they reconnect and continue with a partial resync.
  master.disconnectReplicas();
  stream.selectedDb = -1;
  st.noReplicasSince = Date.now();
  // The AOF stopped for a full sync that failed to load: it restarts now (Redis's replicationUnsetMaster).
  if (srv.config.bool('appendonly') && !persistState(srv).aof?.attached) startAof(srv);
  srv.log.notice(`MASTER MODE enabled (user request from '${who}')`);
}
