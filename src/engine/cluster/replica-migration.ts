// Replica migration: a master left without working replicas (after a failover) gets one from the
// shard with the most, as long as that shard keeps more than cluster-migration-barrier replicas.
// Only the replica with the smallest id of the donor shard moves, after the master stayed orphaned
// for a while, so the choice is the same on every node without a vote.
import type { Cluster } from './cluster.js';
import type { ClusterNode } from './node.js';

const MIGRATION_DELAY_MS = 5000;

const okReplicas = (m: ClusterNode) => [...m.replicas].filter((r) => !r.failing);

export function replicaMigrationCron(c: Cluster, orphanedSince: Map<string, number>, now: number): void {
  const me = c.myself;
  const mine = me.master;
  if (me.isMaster || !mine || !c.state.ok || !c.srv.config.bool('cluster-allow-replica-migration')) return;
  const donors = okReplicas(mine);
  if (donors.length <= c.srv.config.int('cluster-migration-barrier')) return;
  let target: ClusterNode | null = null;
  let maxOk = 0;
  for (const n of c.state.nodes.values()) {
    if (n.isMaster) maxOk = Math.max(maxOk, okReplicas(n).length);
    if (!n.isMaster || n.failing || n.numSlots === 0 || okReplicas(n).length > 0 || !n.hadReplicas) {
      orphanedSince.delete(n.id);
      continue;
    }
    if (!orphanedSince.has(n.id)) orphanedSince.set(n.id, now);
    target ??= n;
  }
  if (!target || now - (orphanedSince.get(target.id) as number) < MIGRATION_DELAY_MS) return;
  // Only from a shard with the most replicas, and only its smallest id (every node computes the same).
  if (donors.length < maxOk || donors.some((r) => r.id < me.id)) return;
  c.srv.log.notice(`Migrating to orphaned master ${target.id}`);
  c.setMyMaster(target);
  c.broadcastPong();
}
