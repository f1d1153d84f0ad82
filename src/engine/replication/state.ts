// Replication state shared by the master side, the replica side, WAIT and INFO: the replication IDs
// and offset (the node's place in the history), the backlog, and the connected replicas.
import { randomBytes } from '../util/crypto.cjs';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import { Backlog } from './backlog.js';
import type { MasterLink } from './replica.js';

export const NULL_REPLID = '0'.repeat(40);

/**
 * The REPLCONF capa an engine replica announces: it ACKs after each read that applied stream bytes,
 * so WAIT needs no REPLCONF GETACK from a master whose replicas all say so. Redis ignores capas it
 * does not know, so a real master sees the handshake it expects.
 */
export const ACK_EACH_READ_CAPA = 'kvctl-ack-each-read';

export const newReplid = (): string => randomBytes(20).toString('hex');

/** A replica connected to us, in Redis's states (INFO slaveN:state=...). */
export interface ReplicaLink {
  client: Client;
  /** REPLCONF listening-port / ip-address (the address INFO and ROLE show). */
  port: number;
  ip: string;
  state: 'wait_bgsave' | 'send_bulk' | 'online';
  capaEof: boolean;
  capaPsync2: boolean;
  /** An engine replica: it ACKs after every read that applied stream bytes (ACK_EACH_READ_CAPA). */
  acksEachRead: boolean;
  ackOffset: number;
  /** ms of the last REPLCONF ACK (lag). */
  ackTime: number;
  /** Stream bytes held back while the RDB is prepared or sent (null: write through). */
  held: Buffer[] | null;
  /** Diskless sync: the stream starts once the replica ACKs the loaded RDB, as Redis 7. */
  startOnAck: boolean;
  /** When the soft output-buffer limit was first exceeded (0: not exceeded). */
  softSince: number;
}

export class ReplState {
  replid = newReplid();
  replid2 = NULL_REPLID;
  /** First offset that replid2 no longer covers (-1: no secondary ID). */
  secondOffset = -1;
  /** master_repl_offset: bytes of stream this node holds in its history. */
  offset = 0;
  backlog: Backlog | null = null;
  readonly replicas: ReplicaLink[] = [];
  /** ms since which no replica is connected (backlog TTL). */
  noReplicasSince = Date.now();
  /** Called after the role changes (master set or cleared): the replication guards re-arm. */
  readonly onRoleChange: (() => void)[] = [];
  private link: MasterLink | null = null;

  constructor(readonly srv: Server) {}

  /** Replica side (null on a master). */
  get master(): MasterLink | null {
    return this.link;
  }

  set master(link: MasterLink | null) {
    this.link = link;
    for (const f of this.onRoleChange) f();
  }

  get isMaster(): boolean {
    return this.link === null;
  }

  /** Starts a new history: Redis's changeReplicationId. */
  changeReplid(): void {
    this.replid = newReplid();
  }

  clearReplid2(): void {
    this.replid2 = NULL_REPLID;
    this.secondOffset = -1;
  }

  /** Keeps the current history as the secondary ID (promotion), Redis's shiftReplicationId. */
  shiftReplid(): void {
    this.replid2 = this.replid;
    this.secondOffset = this.offset + 1;
    this.changeReplid();
    this.srv.log.warning(`Setting secondary replication ID to ${this.replid2}, valid up to offset: ${this.secondOffset}. New replication ID is ${this.replid}`);
  }

  createBacklog(): void {
    this.backlog = new Backlog(this.srv.config.int('repl-backlog-size'), this.offset);
  }

  /** Counts replicas acknowledging at least `offset` (WAIT). */
  ackedReplicas(offset: number): number {
    let n = 0;
    for (const r of this.replicas) if (r.state === 'online' && r.ackOffset >= offset) n++;
    return n;
  }

  /** Replicas that ACKed within min-replicas-max-lag seconds (min-replicas-to-write). */
  goodReplicas(): number {
    const maxLag = this.srv.config.int('min-replicas-max-lag') * 1000;
    const now = Date.now();
    let n = 0;
    for (const r of this.replicas) if (r.state === 'online' && now - r.ackTime <= maxLag) n++;
    return n;
  }
}

const STATES = new WeakMap<Server, ReplState>();

/** The replication state of a server (created on first use). */
export function repl(srv: Server): ReplState {
  let s = STATES.get(srv);
  if (!s) {
    s = new ReplState(srv);
    STATES.set(srv, s);
  }
  return s;
}
