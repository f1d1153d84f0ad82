// The cluster check of every keyed command (dispatch guard, order 10), as Redis's getNodeByQuery: all
// keys must hash to one slot served here, else MOVED / ASK / TRYAGAIN / CROSSSLOT / CLUSTERDOWN.
import type { Client } from '../client.js';
import type { Command } from '../commands/table.js';
import type { Guard } from '../dispatch.js';
import { keyStr } from '../store/types.js';
import type { Cluster } from './cluster.js';
import { keyHashSlot } from './crc16.js';
import type { ClusterNode } from './node.js';
import { holdWrite } from './failover.js';

export const CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
const TRYAGAIN = 'TRYAGAIN Multiple keys request during rehashing of slot';

const redirect = (kind: 'MOVED' | 'ASK', slot: number, n: ClusterNode) => `${kind} ${slot} ${n.ip}:${n.port}`;

export function clusterGuard(cl: Cluster): Guard {
  return (c: Client, cmd: Command, argv: Buffer[]) => {
    const asking = c.asking;
    if (cmd.name !== 'asking') c.asking = false; // ASKING is good for the next command only
    if (c.isMaster || !c.socket) return null; // the master's stream and internal callers obey
    const isExec = cmd.name === 'exec' && !cmd.parent;
    const calls: [Command, Buffer[]][] = isExec ? (c.multi?.queue ?? []).map((q) => [q.cmd, q.argv]) : [[cmd, argv]];
    // A replica is taking over after CLUSTER FAILOVER: writes wait until it has every acknowledged one.
    if (cl.failover.pausedUntil > Date.now() && cl.myself.isMaster && (isExec || !c.multi) && calls.some(([qc]) => qc.isWrite)) {
      holdWrite(cl, c);
      return 'held';
    }
    const st = cl.state;
    const me = st.myself;
    let slot = -1;
    let owner: ClusterNode | null = null;
    let firstKey: Buffer | null = null;
    let multipleKeys = false;
    let migrating = false;
    let importing = false;
    let missing = 0;
    let existing = 0;
    let write = false;
    let hasAskingFlag = false;
    let shardPubsub = false;
    for (const [qc, qa] of calls) {
      const positions = qc.keyPositions(qa);
      if (positions.length === 0) continue;
      write ||= qc.isWrite;
      shardPubsub ||= qc.flags.has('pubsub'); // SSUBSCRIBE / SPUBLISH: the channel's slot
      hasAskingFlag ||= qc.flags.has('asking');
      for (const p of positions) {
        const key = qa[p];
        if (key === undefined) continue;
        const s = keyHashSlot(key);
        if (slot < 0) {
          slot = s;
          firstKey = key;
          owner = st.slots[s];
          if (!owner) return 'CLUSTERDOWN Hash slot not served';
          migrating = owner === me && st.migrating.has(s);
          importing = !migrating && st.importing.has(s);
        } else if (s !== slot) {
          if (isExec) c.multi = null;
          return CROSSSLOT;
        } else if (!multipleKeys && !key.equals(firstKey as Buffer)) multipleKeys = true;
        if (migrating || importing) {
          if (c.db.has(keyStr(key))) existing++;
          else missing++;
        }
      }
    }
    if (slot < 0 || !owner) return null;
    const err = check();
    if (err && isExec) c.multi = null;
    return err;

    function check(): string | null {
      if (!st.ok) {
        if (shardPubsub) {
          if (!cl.srv.config.bool('cluster-allow-pubsubshard-when-down')) return 'CLUSTERDOWN The cluster is down';
        } else if (!cl.srv.config.bool('cluster-allow-reads-when-down')) return 'CLUSTERDOWN The cluster is down';
        else if (write) return 'CLUSTERDOWN The cluster is down and only accepts read commands';
      }
      if ((migrating || importing) && cmd.name === 'migrate') return null;
      if (migrating && missing > 0) return existing > 0 ? TRYAGAIN : redirect('ASK', slot, st.migrating.get(slot) as ClusterNode);
      if (importing && (asking || hasAskingFlag)) return multipleKeys && missing > 0 ? TRYAGAIN : null;
      // Replicas serve reads in READONLY mode, and sharded pub/sub always (as Redis 7.0).
      if ((c.readOnlyMode || shardPubsub) && !write && !me.isMaster && me.master === owner) return null;
      return owner === me ? null : redirect('MOVED', slot, owner as ClusterNode);
    }
  };
}
