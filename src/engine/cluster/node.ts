// One node of the cluster as this node sees it: address, role, slots, epochs, liveness, and the
// failure reports other masters sent about it.
import { randomBytes } from '../util/crypto.cjs';
import { SLOT_COUNT } from './crc16.js';
import { rangesOfMarks, type SlotRange } from './slots.js';

export const randomNodeId = (): string => randomBytes(20).toString('hex');

export class ClusterNode {
  ip = '';
  port = 0;
  cport = 0;
  role: 'master' | 'slave' = 'master';
  /** The master of a replica (null for masters and for replicas whose master is unknown). */
  master: ClusterNode | null = null;
  /** A replica's master id as last announced, kept when the master itself is not known yet. */
  masterId: string | null = null;
  readonly replicas = new Set<ClusterNode>();
  /** A master that ever had replicas may receive a migrating one when orphaned (Redis's MIGRATE_TO). */
  hadReplicas = false;
  configEpoch = 0;
  /** Time the oldest unanswered ping was sent (0: none pending); drives PFAIL. */
  pingSent = 0;
  pongReceived = 0;
  /** Last time any message from this node arrived (alive even if a pong is late, as Redis 7). */
  dataReceived = 0;
  readonly slots = new Uint8Array(SLOT_COUNT);
  numSlots = 0;
  /** Cache of ranges(); ClusterState clears it when the node's slots change. */
  rangesCache: SlotRange[] | null = null;
  /** The slots as a wire bitmap, and the ranges array it was made from (cluster/message.ts). */
  bitmapCache: Uint8Array | null = null;
  bitmapFor: SlotRange[] | null = null;
  pfail = false;
  fail = false;
  failTime = 0;
  /** Met through CLUSTER MEET and not answered yet: the id is a placeholder until the first PONG. */
  handshake = false;
  handshakeStart = 0;
  noaddr = false;
  nofailover = false;
  /** Reporter node id -> time of the report (PFAIL/FAIL gossip from masters). */
  readonly failReports = new Map<string, number>();
  replOffset = 0;
  /** When this node (a master) last gave its vote to one of its replicas' elections. */
  votedAt = 0;
  /** Learned from gossip: the next new link to it starts with a MEET (Redis's MEET flag). */
  meetOnConnect = false;
  /** The outbound bus link is connected. */
  linkUp = false;

  constructor(public id: string, readonly myself = false) {}

  get isMaster(): boolean {
    return this.role === 'master';
  }

  get addr(): string {
    return `${this.ip}:${this.port}`;
  }

  /** Redis's flag list: myself,master,slave,fail?,fail,handshake,noaddr,nofailover (or noflags). */
  flagsText(): string {
    const f: string[] = [];
    if (this.myself) f.push('myself');
    f.push(this.isMaster ? 'master' : 'slave');
    if (this.pfail) f.push('fail?');
    if (this.fail) f.push('fail');
    if (this.handshake) f.push('handshake');
    if (this.noaddr) f.push('noaddr');
    if (this.nofailover) f.push('nofailover');
    return f.join(',');
  }

  /** A replica's config epoch is its master's (what CLUSTER NODES shows). */
  get shownEpoch(): number {
    return this.master ? this.master.configEpoch : this.configEpoch;
  }

  /** The node's slots as ranges (every ping and every nodes.conf save needs them). */
  ranges(): SlotRange[] {
    // Without slots, no scan of the 16384 (every new peer and handshake node is asked once).
    return (this.rangesCache ??= this.numSlots === 0 ? [] : rangesOfMarks(this.slots));
  }

  get failing(): boolean {
    return this.pfail || this.fail;
  }
}
