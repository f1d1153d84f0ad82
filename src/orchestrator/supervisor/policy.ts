// What the supervisor does when a node goes down: a pure decision from the node's current role (not its
// planned one: failovers move the master), the topology's persistence and kind, and how many replicas
// follow it. The rule it keeps: a master whose restart would roll its replicas back is never brought back
// as a master; it waits until a replica has taken over and then rejoins as a replica of it.
//
// Persistence and a process crash (what the supervisor sees):
//   aof, aof-always  every acknowledged write was written to the AOF before the reply, so the node reloads
//                    it all: restart at once (aof-always also survives a machine crash, aof may lose ~1 s).
//   rdb              the last snapshot is older than what the replicas hold: treated like none when the
//                    node is a master with replicas; alone, it restarts from the snapshot (later writes lost).
//   none             the node restarts empty.
import type { Kind } from '../topology/types.js';
import type { FailoverMode, PersistenceMode } from './state.js';

export interface DownNode {
  name: string;
  kind: Kind;
  /** The role it had when it went down (sentinel for sentinel nodes). */
  role: 'master' | 'replica' | 'sentinel';
  persistence: PersistenceMode;
  /** Replicas following it when it went down. */
  replicas: number;
  failover: FailoverMode;
}

/** How the supervisor waits for another node to take over before restarting a master as a replica. */
export type SwitchKind = 'cluster' | 'sentinel' | 'promote' | 'manual';

export type Recovery =
  | { action: 'restart'; why: string; /** the restart may lose data: compare keys once it is back */ mayLoseData: boolean }
  | { action: 'after-switch'; switch: SwitchKind; why: string };

export const durable = (p: PersistenceMode): boolean => p === 'aof' || p === 'aof-always';

const PERSISTENCE_TEXT: Record<PersistenceMode, string> = {
  none: 'no persistence',
  rdb: 'only RDB snapshots (older than what its replicas hold)',
  aof: 'AOF',
  'aof-always': 'AOF (appendfsync always)',
};

export function decideRecovery(n: DownNode): Recovery {
  if (n.role === 'sentinel') return { action: 'restart', why: `${n.name} is a sentinel (no data): restarting it`, mayLoseData: false };
  if (n.role === 'replica') return { action: 'restart', why: `${n.name} was a replica: restarting it, it resyncs from its master`, mayLoseData: false };
  const has = PERSISTENCE_TEXT[n.persistence];
  if (durable(n.persistence)) return { action: 'restart', why: `${n.name} was a master with ${has}: restarting it, it reloads every acknowledged write`, mayLoseData: false };
  if (n.kind === 'standalone' || n.replicas === 0) {
    const loses = n.persistence === 'rdb' ? 'restarting it from its last RDB snapshot (writes after it are lost)' : 'restarting it empty (its data is lost)';
    const alone = n.kind === 'standalone' ? 'a standalone node' : 'a master without replicas';
    return { action: 'restart', why: `${n.name} died as ${alone} with ${n.persistence === 'rdb' ? 'only RDB snapshots' : has}: ${loses}`, mayLoseData: true };
  }
  const died = `${n.name} died as a master with ${has} and ${n.replicas} replica(s)`;
  switch (n.kind) {
    case 'cluster':
      return { action: 'after-switch', switch: 'cluster', why: `${died}; waiting until a replica has taken its slots before restarting it as a replica` };
    case 'sentinel':
      return { action: 'after-switch', switch: 'sentinel', why: `${died}; waiting for Sentinel to promote a replica before restarting it as a replica of the new master` };
    default:
      return n.failover === 'promote'
        ? { action: 'after-switch', switch: 'promote', why: `${died}; promoting the most up-to-date replica, then restarting it as a replica of it` }
        : { action: 'after-switch', switch: 'manual', why: `${died}; failover: manual, so waiting until a replica is promoted (REPLICAOF NO ONE) before restarting it as its replica` };
  }
}
