// The cluster's view of replication: follow a master, take over as master, read the offset.
import type { Server } from '../server.js';
import { repl } from '../replication/state.js';
import type { ReplicationPort } from './cluster.js';

export function replicationPort(srv: Server): ReplicationPort {
  return {
    replicaOf(host, port) {
      // TEMPORARY until replication exports replicaOf(): role only, no data stream.
      srv.isReplica = true;
      srv.log.notice(`Connecting to MASTER ${host}:${port}`);
    },
    promote() {
      srv.isReplica = false;
    },
    offset: () => repl(srv).offset,
  };
}
