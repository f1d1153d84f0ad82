// The cluster module (cluster-enabled yes): loads or creates nodes.conf, indexes keys by slot, starts
// the bus on the cluster port, installs the MOVED/ASK guard and saves the config on shutdown.
import path from 'node:path';
import type { Server } from '../server.js';
import { Cluster, registerCluster, type ReplicationPort } from './cluster.js';
import { clusterGuard } from './guard.js';
import { busPortOf } from './gossip.js';
import { ClusterNode, randomNodeId } from './node.js';
import { loadNodesConf } from './nodes-conf.js';
import { SlotKeyMap } from './slot-index.js';
import { ClusterState } from './state.js';
import { replicationPort } from './repl-port.js';

export async function installCluster(srv: Server): Promise<void> {
  const cfg = srv.config;
  if (!cfg.bool('cluster-enabled')) return;
  // Before any key exists: db 0 is the only db in cluster mode, its map doubles as the slot index.
  (srv.dbs[0] as { data: Map<string, unknown> }).data = new SlotKeyMap();
  const file = path.resolve(cfg.get('cluster-config-file'));
  const make = (me: ClusterNode) => new ClusterState(me);
  let state = loadNodesConf(file, make);
  if (state) srv.log.notice(`Node configuration loaded, I'm ${state.myself.id}`);
  else {
    state = make(new ClusterNode(randomNodeId(), true));
    srv.log.notice(`No cluster configuration found, I'm ${state.myself.id}`);
  }
  const port: ReplicationPort = replicationPort(srv);
  const cl = new Cluster(srv, state, file, port);
  registerCluster(srv, cl);
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
  srv.dispatch.addGuard({ order: 10, name: 'cluster', guard: clusterGuard(cl) });
  srv.beforeReady.push(async () => {
    const hosts = cfg.get('bind').split(' ').filter(Boolean).map((h) => h.replace(/^-/, '')).map((h) => (h === '*' ? '0.0.0.0' : h));
    await cl.start(hosts, cfg.int('cluster-port') || cfg.int('port') + 10000);
    // A replica in nodes.conf resumes replicating from its master.
    if (!me.isMaster && me.master) port.replicaOf(me.master.ip, me.master.port);
  });
  srv.shutdownHooks.push(() => {
    cl.save(true);
    cl.stop();
  });
}
