// Which peers get a PING on a cluster cron tick (every 100 ms), as Redis 7.0's clusterCron chooses:
//  - once a second (every 10th tick), the node with the oldest pong among 5 picked at random;
//  - any node with no ping pending whose last pong is older than half the node timeout, so every
//    node is heard from well within the timeout however large the cluster;
//  - on a master whose replica asked for a manual failover, that replica on every tick (it waits for
//    the PAUSED flag and the final offset the master's messages carry).
// A node with a ping pending is left alone until it answers: failure.ts times it out (PFAIL) or
// reconnects a stuck link, and a new link starts with its own PING (cluster.ts connect). Pinging
// every peer each second cost an idle node ~12 ms of CPU per second.
import type { Cluster } from './cluster.js';
import type { ClusterNode } from './node.js';

const RANDOM_PING_EVERY_TICKS = 10;
const RANDOM_PICKS = 5;

/** A node that can take a ping now: connected, not myself, not a MEET handshake still waiting for its PONG. */
const pingable = (n: ClusterNode): boolean => n.linkUp && !n.myself && !n.handshake && !n.noaddr;

/** The cron's pings for tick number `tick`. */
export function pingCron(c: Cluster, tick: number, now: number): void {
  if (tick % RANDOM_PING_EVERY_TICKS === 0) pingOldestOfRandom(c);
  const halfTimeout = c.nodeTimeout / 2;
  const mfReplica = c.myself.isMaster ? c.failover.mfReplica : null;
  for (const n of c.state.nodes.values()) {
    if (!pingable(n)) continue;
    if (n.pingSent === 0 && now - n.pongReceived > halfTimeout) c.send(n, 'ping');
    else if (n === mfReplica) c.send(n, 'ping');
  }
}

/** Of 5 nodes drawn at random (repeats and unusable draws included, as Redis), pings the one heard from longest ago. */
function pingOldestOfRandom(c: Cluster): void {
  const nodes = [...c.state.nodes.values()];
  let oldest: ClusterNode | null = null;
  for (let i = 0; i < RANDOM_PICKS; i++) {
    const n = nodes[Math.floor(Math.random() * nodes.length)]!;
    if (!pingable(n) || n.pingSent !== 0) continue;
    if (oldest === null || n.pongReceived < oldest.pongReceived) oldest = n;
  }
  if (oldest) c.send(oldest, 'ping');
}
