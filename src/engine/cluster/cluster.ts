// The running cluster of this node: the state, the bus links (one outbound link per known node,
// inbound links as peers connect), nodes.conf saving, the 100 ms cron (pings.ts, failure detection,
// elections) and the role changes that reach the replication subsystem.
import type net from 'node:net';
import type { Server } from '../server.js';
import { BusLink, connectBus, listenBus, type LinkHandlers } from './bus.js';
import { SLOT_COUNT } from './crc16.js';
import { handleMessage } from './gossip.js';
import { makeMessage } from './message.js';
import { decode, encode, type BusMsg, type MsgType } from './wire.js';
import { checkLiveness } from './failure.js';
import { pingCron } from './pings.js';
import { failoverCron, resetManualFailover, type FailoverState, newFailoverState } from './failover.js';
import { ClusterNode } from './node.js';
import { NodesConfWriter } from './nodes-conf.js';
import { replicaMigrationCron } from './replica-migration.js';
import { SlotKeyMap } from './slot-index.js';
import type { ClusterState } from './state.js';

/** What the cluster needs from replication (wired by the installer). */
export interface ReplicationPort {
  replicaOf(host: string, port: number): void;
  /** REPLICAOF NO ONE keeping the replication id history (partial resync for the other replicas). */
  promote(): void;
  /** master_repl_offset on a master, the processed offset on a replica. */
  offset(): number;
}

const CRON_MS = 100;

/** fn, run at most once per event-loop turn however often the result is called. */
function coalesced(fn: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      fn();
    });
  };
}

export class Cluster {
  /** Outbound links by node id. */
  readonly links = new Map<string, BusLink>();
  private readonly inbound = new Set<BusLink>();
  private buses: net.Server[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Cron ticks since start (pings.ts pings a random node every tenth). */
  private ticks = 0;
  readonly sent = new Map<string, number>();
  readonly received = new Map<string, number>();
  readonly failover: FailoverState = newFailoverState();
  /** Masters without working replicas, since when (replica migration). */
  private readonly orphanedSince = new Map<string, number>();
  private readonly handlers: LinkHandlers = {
    onMessage: (link, frame) => this.onFrame(link, frame),
    onClose: (link) => this.onLinkClosed(link),
  };

  constructor(
    readonly srv: Server,
    public state: ClusterState,
    readonly configFile: string,
    readonly repl: ReplicationPort,
  ) {
    this.confWriter = new NodesConfWriter(configFile);
  }

  /** nodes.conf, kept open between saves. */
  private readonly confWriter: NodesConfWriter;

  get myself(): ClusterNode {
    return this.state.myself;
  }

  get nodeTimeout(): number {
    return Math.max(1, this.srv.config.int('cluster-node-timeout'));
  }

  /** The key index of db 0 (the only db in cluster mode). */
  get keys(): SlotKeyMap {
    return this.srv.dbs[0].data as SlotKeyMap;
  }

  async start(hosts: string[], busPort: number): Promise<void> {
    this.buses = await listenBus(hosts, busPort, this.handlers);
    this.timer = setInterval(() => this.cron(), CRON_MS);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const b of this.buses) b.close();
    for (const l of [...this.links.values(), ...this.inbound]) l.close();
    this.confWriter.close();
  }

  /**
   * Writes nodes.conf now when the state changed. `durable` (epochs, votes) also forces the write and
   * fsyncs it. Elections call this directly (the file must hold the vote before the ack is sent).
   */
  save(durable = false): void {
    if (!this.state.dirty && !durable) return;
    this.state.dirty = false;
    try {
      this.confWriter.write(this.state, durable);
    } catch (e) {
      this.srv.log.warning(`Could not save the cluster config file ${this.configFile}: ${(e as Error).message}`);
    }
  }

  private saveQueued = false;
  private saveDurable = false;
  private saveTick = false;
  private readonly saveHook = () => this.flushSave();

  /**
   * Saves nodes.conf (when dirty, or fsynced when `durable`) once for everything that changed in this
   * event-loop turn, before any reply of the turn is written: Redis's clusterBeforeSleep. A command
   * that changed the config thus replies after the file holds the change (the server runs beforeFlush
   * hooks before writing replies); turns with no reply (bus messages only) save on setImmediate.
   */
  saveSoon(durable = false): void {
    if (this.state.fsyncDue) {
      durable = true;
      this.state.fsyncDue = false;
    }
    if (!this.state.dirty && !durable) return;
    this.saveDurable ||= durable;
    this.saveQueued = true;
    if (!this.srv.hooks.beforeFlush.includes(this.saveHook)) this.srv.hooks.beforeFlush.push(this.saveHook);
    if (this.saveTick) return;
    this.saveTick = true;
    setImmediate(() => {
      this.saveTick = false;
      this.flushSave();
      // Unhooked here, never from inside the hook: flushPending is iterating beforeFlush then.
      if (!this.saveQueued) {
        const i = this.srv.hooks.beforeFlush.indexOf(this.saveHook);
        if (i >= 0) this.srv.hooks.beforeFlush.splice(i, 1);
      }
    });
  }

  private flushSave(): void {
    if (!this.saveQueued) return;
    const durable = this.saveDurable;
    this.saveQueued = false;
    this.saveDurable = false;
    this.save(durable);
  }

  updateState(): void {
    if (this.state.updateState(this.srv.config.bool('cluster-require-full-coverage'))) {
      this.srv.log.warning(`Cluster state changed: ${this.state.ok ? 'ok' : 'fail'}`);
    }
  }

  count(map: Map<string, number>, type: string): void {
    map.set(type, (map.get(type) ?? 0) + 1);
  }

  /** A whole frame from a link: decoded, or dropped (and logged) when Redis would drop it. */
  private onFrame(link: BusLink, frame: Buffer): void {
    const msg = decode(frame);
    if (typeof msg === 'string') {
      this.srv.log.verbose(`Received an invalid cluster bus message from ${link.remoteAddress}: ${msg}`);
      return;
    }
    handleMessage(this, link, msg);
  }

  /** Sends a message to a node over its outbound link (dropped when the link is down: gossip repeats). */
  send(node: ClusterNode, type: MsgType, extra: Partial<BusMsg> = {}): void {
    const link = this.links.get(node.id);
    if (!link || !node.linkUp) return;
    // pingSent is the oldest unanswered ping (Redis restores it when a new link re-pings).
    if ((type === 'ping' || type === 'meet') && node.pingSent === 0) node.pingSent = Date.now();
    link.send(encode(makeMessage(this, type, extra)));
    this.count(this.sent, type);
  }

  reply(link: BusLink, type: MsgType, extra: Partial<BusMsg> = {}): void {
    link.send(encode(makeMessage(this, type, extra)));
    this.count(this.sent, type);
  }

  /**
   * Sends to every connected node except myself and handshake nodes (optionally filtered). Messages
   * without a gossip section are the same for every peer, so they are encoded once.
   */
  broadcast(type: MsgType, extra: Partial<BusMsg> = {}, filter: (n: ClusterNode) => boolean = () => true): void {
    const same = type !== 'ping' && type !== 'pong' && type !== 'meet';
    let frame: Buffer | null = null;
    for (const n of this.state.nodes.values()) {
      if (n.myself || n.handshake || !filter(n)) continue;
      const link = this.links.get(n.id);
      if (!same) this.send(n, type, extra);
      else if (link && n.linkUp) {
        frame ??= encode(makeMessage(this, type, extra));
        link.send(frame);
        this.count(this.sent, type);
      }
    }
  }

  /**
   * Tells everyone about a config change now rather than at the next ping (faster convergence): one
   * PONG for everything a turn changed, sent in the loop iteration after the turn's replies went out,
   * as Redis writes bus messages from the link's write handler after beforeSleep wrote the replies.
   * Sent first, a reshard target's PONG beat the CLI's SETSLOT NODE to the source and the other
   * masters more often than Redis's, and each node that learns a slot from the bus fsyncs.
   */
  readonly broadcastPong = coalesced(() => setImmediate(() => this.broadcast('pong')));

  private connect(n: ClusterNode): void {
    const link = connectBus(n.ip || '127.0.0.1', n.cport, this.handlers, this.srv.config.get('bind-source-addr'));
    link.nodeId = n.id;
    this.links.set(n.id, link);
    // An unreachable node counts as a pending ping from the first attempt (PFAIL after the timeout).
    if (n.pingSent === 0) n.pingSent = Date.now();
    link.socket.once('connect', () => {
      if (this.links.get(n.id) !== link) return;
      n.linkUp = true;
      // A node learned from gossip gets one MEET per new link (Redis's MEET flag), so it adds us even
      // if it never heard of us (its own CLUSTER MEET may have timed out before anyone answered).
      const meet = n.handshake || n.meetOnConnect;
      n.meetOnConnect = false;
      this.send(n, meet ? 'meet' : 'ping');
    });
  }

  /**
   * Opens the link to a node just added (CLUSTER MEET, a MEET from it, gossip) at the end of this
   * event-loop turn instead of at the next cron tick: each hop of a cluster's formation (meet,
   * handshake, the peers it introduces) waited up to 100 ms for the cron.
   */
  connectSoon(n: ClusterNode): void {
    setImmediate(() => {
      if (this.state.node(n.id) === n && !n.myself && !n.noaddr && !this.links.has(n.id)) this.connect(n);
    });
  }

  /** Open bus links, both directions (INFO clients cluster_connections). */
  get linkCount(): number {
    return this.links.size + this.inbound.size;
  }

  inboundLinks(): Iterable<BusLink> {
    return this.inbound;
  }

  trackInbound(link: BusLink): void {
    this.inbound.add(link);
  }

  private onLinkClosed(link: BusLink): void {
    if (link.inbound) {
      this.inbound.delete(link);
      return;
    }
    const id = link.nodeId;
    if (id && this.links.get(id) === link) {
      this.links.delete(id);
      const n = this.state.node(id);
      if (n) n.linkUp = false;
    }
  }

  /** Drops the outbound link of a node (address change, forget, id change). */
  dropLink(n: ClusterNode): void {
    const l = this.links.get(n.id);
    this.links.delete(n.id);
    n.linkUp = false;
    l?.close();
  }

  /** Moves a link's bookkeeping when a handshake node gets its real id. */
  relink(oldId: string, n: ClusterNode): void {
    const l = this.links.get(oldId);
    if (!l) return;
    this.links.delete(oldId);
    l.nodeId = n.id;
    this.links.set(n.id, l);
  }

  forget(n: ClusterNode): void {
    this.dropLink(n);
    this.state.delNode(n);
  }

  private cron(): void {
    const now = Date.now();
    for (const n of [...this.state.nodes.values()]) {
      if (n.myself || n.noaddr) continue;
      if (!this.links.has(n.id)) this.connect(n);
      checkLiveness(this, n, now);
    }
    pingCron(this, ++this.ticks, now);
    for (const [id, until] of this.state.forgotten) if (until < now) this.state.forgotten.delete(id);
    failoverCron(this, now);
    replicaMigrationCron(this, this.orphanedSince, now);
    this.updateState();
    this.save();
  }

  /** Makes myself a replica of n (CLUSTER REPLICATE, losing my last slot, failover follow-up). */
  setMyMaster(n: ClusterNode): void {
    const me = this.myself;
    if (me.isMaster) {
      if (me.numSlots > 0) for (let s = 0; s < SLOT_COUNT; s++) if (this.state.slots[s] === me) this.state.unassign(s);
      this.state.migrating.clear();
      this.state.importing.clear();
    }
    this.state.setMaster(me, n);
    resetManualFailover(this);
    this.repl.replicaOf(n.ip, n.port);
    this.state.dirty = true;
  }

  /** Deletes the keys of slots this node no longer serves (after an UPDATE took them away). */
  purgeSlot(slot: number): void {
    const db = this.srv.dbs[0];
    let n = 0;
    for (const k of this.keys.keysInSlot(slot)) if (db.delete(k)) n++;
    this.srv.dirty += n;
  }
}

const CLUSTERS = new WeakMap<Server, Cluster>();

export function registerCluster(srv: Server, cl: Cluster): void {
  CLUSTERS.set(srv, cl);
}

/** The cluster of a server started with cluster-enabled yes (undefined otherwise). */
export function clusterOf(srv: Server): Cluster | undefined {
  return CLUSTERS.get(srv);
}
