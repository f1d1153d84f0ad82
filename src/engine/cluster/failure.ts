// Failure detection: a node that has not answered a ping for cluster-node-timeout is PFAIL (fail?)
// here; when a majority of slot-serving masters report it PFAIL/FAIL within twice the timeout it is
// FAIL everywhere (a FAIL message is broadcast). FAIL is cleared when the node answers again.
import type { Cluster } from './cluster.js';
import type { ClusterNode } from './node.js';

/** Failure reports and a FAIL undo wait live this many node timeouts (Redis's multipliers). */
const REPORT_VALIDITY_MULT = 2;
const FAIL_UNDO_MULT = 2;

export function checkLiveness(c: Cluster, n: ClusterNode, now: number): void {
  const timeout = c.nodeTimeout;
  if (n.handshake) {
    if (now - n.handshakeStart > Math.max(timeout, 1000)) c.forget(n); // nobody answered the MEET
    return;
  }
  if (n.pingSent === 0) return;
  // Silent for the whole timeout: no pong to our ping and no other message either.
  const waited = Math.min(now - n.pingSent, now - n.dataReceived);
  // Half the timeout without a pong: the link may be stuck, reconnect before declaring PFAIL.
  if (n.linkUp && waited > timeout / 2 && now - n.pongReceived > timeout / 2) {
    const link = c.links.get(n.id);
    if (link && now - link.createdAt > timeout / 2) c.dropLink(n);
  }
  if (waited > timeout && !n.pfail && !n.fail) {
    n.pfail = true;
    c.state.dirty = true;
    c.srv.log.verbose(`*** NODE ${n.id} possibly failing`);
    markFailIfQuorum(c, n);
  }
}

/** Gossip from master `reporter` says `n` is failing (or not). */
export function noteReport(c: Cluster, n: ClusterNode, reporter: ClusterNode, failing: boolean): void {
  if (!failing) {
    n.failReports.delete(reporter.id);
    return;
  }
  n.failReports.set(reporter.id, Date.now());
  markFailIfQuorum(c, n);
}

export function validReports(c: Cluster, n: ClusterNode, now = Date.now()): number {
  const maxAge = c.nodeTimeout * REPORT_VALIDITY_MULT;
  for (const [id, at] of n.failReports) {
    const r = c.state.node(id);
    if (now - at > maxAge || !r || !r.isMaster) n.failReports.delete(id);
  }
  return n.failReports.size;
}

function markFailIfQuorum(c: Cluster, n: ClusterNode): void {
  if (!n.pfail || n.fail) return;
  const votes = validReports(c, n) + (c.myself.isMaster ? 1 : 0);
  if (votes < c.state.quorum) return;
  c.srv.log.notice(`Marking node ${n.id} as failing (quorum reached).`);
  n.pfail = false;
  n.fail = true;
  n.failTime = Date.now();
  c.state.dirty = true;
  c.broadcast('fail', { failing: n.id });
  c.updateState();
}

/** A FAIL node answered: replicas and slotless masters come back at once, others after a wait. */
export function clearFailIfReachable(c: Cluster, n: ClusterNode, now: number): void {
  if (!n.fail) return;
  const servesSlots = n.isMaster && n.numSlots > 0;
  if (servesSlots && now - n.failTime < c.nodeTimeout * FAIL_UNDO_MULT) return;
  c.srv.log.notice(`Clear FAIL state for node ${n.id}: ${servesSlots ? 'is reachable again and nobody is serving its slots after some time.' : `${n.isMaster ? 'master without slots' : 'replica'} is reachable again.`}`);
  n.fail = false;
  c.state.dirty = true;
}
