// The cluster module (cluster-enabled yes): loads or creates nodes.conf, indexes keys by slot, starts
// the bus on the cluster port, installs the MOVED/ASK guard and saves the config on shutdown.
import { dropShardChannelsOnSlotLoss } from './pubsub.js';
import path from 'node:path';
import type { Server } from '../server.js';
import { Cluster, registerCluster, type ReplicationPort } from './cluster.js';
import { SLOT_COUNT } from './crc16.js';
import { clusterGuard } from './guard.js';
import { busPortOf } from './gossip.js';
import { ClusterNode, randomNodeId } from './node.js';
import { loadNodesConf } from './nodes-conf.js';
import type { Keyspace } from '../store/keyspace.js';
import { SlotKeyMap } from './slot-index.js';
import { ClusterState } from './state.js';
import { replicationPort } from './repl-port.js';

/**
 * Redis's verifyClusterConfigWithData, once the data is loaded at start-up: a master holding keys of a
 * slot it neither serves nor imports (keys left by an interrupted move, say) takes the slot when it is
 * unassigned, else opens it as importing from its owner, so the keys stay reachable (ASKING) and
 * `cluster fix` sees them. Keys outside db 0 are refused, as Redis exits on them.
 */
export function verifyConfigWithData(cl: Cluster): void {
  const st = cl.state;
  const me = st.myself;
  if (!me.isMaster) return; // a replica holds what its master sends
  if (cl.srv.dbs.some((db) => db.id !== 0 && db.size > 0)) {
    throw new Error("You can't have keys in a DB different than DB 0 when in Cluster mode. Exiting.");
  }
  if (cl.keys.size === 0) return; // no keys: nothing to reconcile (and no scan of the 16384 slots at every start)
  let changed = false;
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    if (st.slots[slot] === me || st.importing.has(slot) || cl.keys.countInSlot(slot) === 0) continue;
    changed = true;
    const owner = st.slots[slot];
    if (!owner) {
      cl.srv.log.warning(`I have keys for unassigned slot ${slot}. Taking responsibility for it.`);
      st.assign(slot, me);
    } else {
      cl.srv.log.warning(`I have keys for slot ${slot}, but the slot is assigned to another node. Setting it to importing state.`);
      st.importing.set(slot, owner);
      st.dirty = true;
    }
  }
  if (changed) cl.save(true);
}

export async function installCluster(srv: Server): Promise<void> {
  const cfg = srv.config;
  if (!cfg.bool('cluster-enabled')) return;
  // Before any key exists: db 0 is the only db in cluster mode, its map doubles as the slot index.
  (srv.dbs[0] as { data: Keyspace }).data = new SlotKeyMap();
  const file = path.resolve(cfg.get('cluster-config-file'));
  const make = (me: ClusterNode) => new ClusterState(me);
  let state = loadNodesConf(file, make);
  if (state) srv.log.notice(`Node configuration loaded, I'm ${state.myself.id}`);
  else {
    state = make(new ClusterNode(randomNodeId(), true));
    state.writableDelayMs = 0; // nothing stale to wait out (see ClusterState.writableDelayMs)
    srv.log.notice(`No cluster configuration found, I'm ${state.myself.id}`);
  }
  const port: ReplicationPort = replicationPort(srv);
  const cl = new Cluster(srv, state, file, port);
  registerCluster(srv, cl);
  dropShardChannelsOnSlotLoss(cl);
  const me = state.myself;
  const announce = () => {
    me.port = cfg.int('cluster-announce-port') || cfg.int('port');
    me.cport = cfg.int('cluster-announce-bus-port') || busPortOf(cl);
    if (cfg.get('cluster-announce-ip')) me.ip = cfg.get('cluster-announce-ip');
    state.dirty = true;
  };
  announce();
  for (const name of ['cluster-announce-ip', 'cluster-announce-port', 'cluster-announce-bus-port']) {
    cfg.onChange(name, () => {
      announce();
      cl.broadcastPong();
    });
  }
  me.nofailover = cfg.bool('cluster-replica-no-failover');
  cfg.onChange('cluster-replica-no-failover', (v) => {
    me.nofailover = v === 'yes';
    cl.broadcastPong();
  });
  cl.save(true);
  srv.dispatch.addGuard({ order: 10, name: 'cluster', ...clusterGuard(cl) });
  srv.hooks.beforeReady.push(async () => {
    const hosts = cfg.get('bind').split(' ').filter(Boolean).map((h) => h.replace(/^-/, '')).map((h) => (h === '*' ? '0.0.0.0' : h));
    await cl.start(hosts, cfg.int('cluster-port') || cfg.int('port') + 10000);
    // A replica in nodes.conf resumes replicating from its master.
    if (!me.isMaster && me.master) port.replicaOf(me.master.ip, me.master.port);
    // Hooks run in order and this list is read as it grows: this one runs after the data is loaded
    // (persistence installs after the cluster).
    srv.hooks.beforeReady.push(() => verifyConfigWithData(cl));
  });
  srv.hooks.shutdown.push(() => {
    cl.save(true);
    cl.stop();
  });
}
