// The cluster's view of replication: follow a master, take over as master, read the offset.
import type { Server } from '../server.js';
import { promote, repl, replicaOf } from '../replication/index.js';
import type { ReplicationPort } from './cluster.js';

export function replicationPort(srv: Server): ReplicationPort {
  return {
    replicaOf: (host, port) => void replicaOf(srv, host, port, 'cluster'),
    promote: () => promote(srv, 'cluster failover'),
    // A replica applies its master's stream into its own history, so this is its processed offset.
    offset: () => repl(srv).offset,
  };
}
