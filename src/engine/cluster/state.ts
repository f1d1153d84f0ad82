// The cluster configuration this node holds: known nodes, slot owners, open (migrating/importing)
// slots, epochs and the ok/fail state. Pure bookkeeping: no sockets and no files, so the bus, the
// commands and nodes.conf all change it through these methods and the invariants live here.
import { SLOT_COUNT } from './crc16.js';
import { ClusterNode } from './node.js';

/** After a restart a master waits this long before reporting ok (Redis's CLUSTER_WRITABLE_DELAY). */
const WRITABLE_DELAY_MS = 2000;

export class ClusterState {
  readonly nodes = new Map<string, ClusterNode>();
  readonly slots: (ClusterNode | null)[] = new Array(SLOT_COUNT).fill(null);
  readonly migrating = new Map<number, ClusterNode>();
  readonly importing = new Map<number, ClusterNode>();
  /** Node ids refused in gossip for a minute after CLUSTER FORGET. */
  readonly forgotten = new Map<string, number>();
  currentEpoch = 0;
  lastVoteEpoch = 0;
  ok = false;
  /** Masters serving at least one slot. */
  size = 1;
  private readonly bornAt = Date.now();
  /**
   * How long after start a master holds back cluster_state:ok. Redis waits 2 s after any start so a
   * restarted master hears the current configuration before it takes writes; a node that started
   * with no nodes.conf has no stale configuration to protect, so it skips the wait (kvctl up cluster
   * and CI fixtures are ready ~1.5 s sooner).
   */
  writableDelayMs = WRITABLE_DELAY_MS;
  /** Set by every change that must reach nodes.conf; the owner saves and clears it. */
  dirty = false;
  /**
   * Set with dirty by what the bus teaches that Redis fsyncs before going on (CLUSTER_TODO_FSYNC_CONFIG):
   * a higher current or config epoch, slots won by a newer epoch, an epoch collision resolved.
   */
  fsyncDue = false;
  /** A slot served by this node's shard goes elsewhere (cluster/pubsub.ts drops its shard channels). */
  onSlotLeftShard: ((slot: number) => void) | null = null;

  private leaving(slot: number, old: ClusterNode): void {
    const me = this.myself;
    if (this.onSlotLeftShard !== null && (old === me || old === me.master)) this.onSlotLeftShard(slot);
  }

  constructor(public myself: ClusterNode) {
    this.nodes.set(myself.id, myself);
  }

  node(id: string): ClusterNode | undefined {
    return this.nodes.get(id);
  }

  addNode(n: ClusterNode): void {
    this.nodes.set(n.id, n);
    this.dirty = true;
  }

  /** Removes a node and everything that refers to it (slots, open slots, replicas, reports). */
  delNode(n: ClusterNode): void {
    // numSlots is exact: most deleted nodes (forgotten handshakes) own none, and the scan cost each ~0.5 ms.
    if (n.numSlots > 0) for (let s = 0; s < SLOT_COUNT; s++) if (this.slots[s] === n) this.unassign(s);
    for (const m of [this.migrating, this.importing]) for (const [s, o] of m) if (o === n) m.delete(s);
    this.setMaster(n, null, n.role);
    for (const r of n.replicas) r.master = null;
    for (const other of this.nodes.values()) other.failReports.delete(n.id);
    this.nodes.delete(n.id);
    this.dirty = true;
  }

  /** A handshake node learns its real id from its first PONG. */
  rename(n: ClusterNode, id: string): void {
    this.nodes.delete(n.id);
    n.id = id;
    this.nodes.set(id, n);
    this.dirty = true;
  }

  assign(slot: number, n: ClusterNode): void {
    const old = this.slots[slot];
    if (old === n) return;
    if (old) {
      this.leaving(slot, old);
      old.slots[slot] = 0;
      old.numSlots--;
      old.rangesCache = null;
    }
    this.slots[slot] = n;
    n.slots[slot] = 1;
    n.numSlots++;
    n.rangesCache = null;
    this.dirty = true;
  }

  unassign(slot: number): void {
    const old = this.slots[slot];
    if (!old) return;
    this.leaving(slot, old);
    old.slots[slot] = 0;
    old.numSlots--;
    old.rangesCache = null;
    this.slots[slot] = null;
    this.dirty = true;
  }

  /** Makes n a replica of master, or a master (master null, role 'master'). */
  setMaster(n: ClusterNode, master: ClusterNode | null, role: 'master' | 'slave' = master ? 'slave' : 'master'): void {
    if (n.master && n.master !== master) n.master.replicas.delete(n);
    n.master = master;
    n.masterId = master ? master.id : role === 'slave' ? n.masterId : null;
    if (master) {
      master.replicas.add(n);
      master.hadReplicas = true;
    }
    if (n.role !== role) this.dirty = true;
    n.role = role;
  }

  masters(): ClusterNode[] {
    return [...this.nodes.values()].filter((n) => n.isMaster && !n.handshake);
  }

  /** Votes needed for FAIL and for failover elections: a majority of slot-serving masters. */
  get quorum(): number {
    return Math.floor(this.size / 2) + 1;
  }

  /** Bumps currentEpoch and returns it (elections, TAKEOVER, BUMPEPOCH, epoch collisions). */
  bumpEpoch(): number {
    this.currentEpoch++;
    this.dirty = true;
    return this.currentEpoch;
  }

  /** Recomputes ok/fail and size the way Redis's clusterUpdateState does; true when ok changed. */
  updateState(requireFullCoverage: boolean, now = Date.now()): boolean {
    if (!this.ok && this.myself.isMaster && now - this.bornAt < this.writableDelayMs) return false;
    // Full coverage from the owners' slot counts (assign/unassign keep numSlots exact and delNode
    // unassigns first): every slot has an owner and no owner is FAIL. Scanning the 16384 slots here
    // showed in reshard profiles (this runs for every SETSLOT and bus message).
    let covered = 0;
    let ownerFailed = false;
    let size = 0;
    let reachable = 0;
    for (const n of this.nodes.values()) {
      if (n.numSlots === 0) continue;
      covered += n.numSlots;
      if (n.fail) ownerFailed = true;
      if (!n.isMaster) continue;
      size++;
      if (!n.failing) reachable++;
    }
    let ok = !requireFullCoverage || (covered === SLOT_COUNT && !ownerFailed);
    this.size = size;
    // A node in the minority side of a partition stops serving (it cannot win elections either).
    if (reachable < Math.floor(size / 2) + 1) ok = false;
    const changed = ok !== this.ok;
    this.ok = ok;
    return changed;
  }
}
