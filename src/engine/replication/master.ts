// The master side: PSYNC/SYNC from replicas (partial resync from the backlog, or a full sync by
// snapshot shared by every replica waiting at the time), REPLCONF ACK bookkeeping, and the
// once-a-second duties (PING heartbeats, keepalive newlines, timeouts, backlog TTL, diskless delay).
import { randomBytes } from '../util/crypto.cjs';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import { snapshotRdb, snapshotRdbTo } from '../persistence/rdb.js';
import type { ReplicaLink, ReplState } from './state.js';
import type { ReplStream } from './stream.js';

/** What a replica told us with REPLCONF before PSYNC. */
export interface ReplConf {
  port: number;
  ip: string;
  capaEof: boolean;
  capaPsync2: boolean;
  /** capa ACK_EACH_READ_CAPA: an engine replica. */
  capaAckEachRead: boolean;
}

declare module '../client.js' {
  interface ClientExt {
    /** REPLCONF from a replica (replConfOf). */
    replconf?: ReplConf;
    /** The replication offset right after this client's last write (WAIT waits for it). */
    replWoff?: number;
  }
}

export function replConfOf(c: Client): ReplConf {
  let rc = c.ext.replconf;
  if (!rc) {
    rc = { port: 0, ip: '', capaEof: false, capaPsync2: false, capaAckEachRead: false };
    c.ext.replconf = rc;
  }
  return rc;
}

interface Snapshot {
  target: 'disk' | 'socket';
  /** The replication offset the RDB corresponds to. */
  offset: number;
  links: ReplicaLink[];
}

export class MasterSide {
  private snapshot: Snapshot | null = null;
  /** Links in wait_bgsave whose snapshot has not started (diskless delay, or one already running): since when. */
  private readonly waiting = new Map<ReplicaLink, number>();
  /** Replicas that used the old SYNC: no +FULLRESYNC line, and they never ACK. */
  private readonly prePsync = new WeakSet<ReplicaLink>();
  /** Called after ACKs arrive (WAIT). */
  onAck: () => void = () => undefined;
  private pingCountdown = 0;

  constructor(private readonly srv: Server, private readonly st: ReplState, private readonly stream: ReplStream) {}

  /** Redis's replicationGetSlaveName: the announced address, for logs. */
  name(c: Client): string {
    const rc = replConfOf(c);
    const ip = rc.ip || c.socket?.remoteAddress?.replace(/^::ffff:/, '') || '?';
    return rc.port ? `${ip}:${rc.port}` : `${ip}:<unknown-replica-port>`;
  }

  /** PSYNC replid offset (`sync` for the old SYNC command: full sync, no +FULLRESYNC line). */
  sync(c: Client, replid: string | null, offset: number): void {
    const { srv, st } = this;
    if (c.isReplica) return;
    if (!st.isMaster && st.master?.state !== 'connected') {
      c.reply.error("NOMASTERLINK Can't SYNC while not connected with my master");
      return;
    }
    if (c.reply.hasPending()) {
      c.reply.error('ERR SYNC and PSYNC are invalid with pending output');
      return;
    }
    srv.log.notice(`Replica ${this.name(c)} asks for synchronization`);
    if (replid !== null) {
      if (this.tryPartial(c, replid, offset)) {
        srv.stats.syncPartialOk++;
        return;
      }
      if (replid !== '?') srv.stats.syncPartialErr++;
    }
    srv.stats.syncFull++;
    const link = this.addReplica(c, 'wait_bgsave');
    if (replid === null) this.prePsync.add(link);
    if (st.replicas.length === 1 && !st.backlog) {
      st.changeReplid();
      st.clearReplid2();
      st.createBacklog();
      srv.log.notice(`Replication backlog created, my new replication IDs are '${st.replid}' and '${st.replid2}'`);
    }
    this.waiting.set(link, Date.now());
    const snap = this.snapshot;
    if (snap) {
      if (snap.target === 'disk') {
        // Share the snapshot in progress: same RDB, same offset, a copy of what the peer has held since.
        const peer = snap.links.find((l) => l.state === 'wait_bgsave' && l.held && !l.client.closed);
        if (peer) {
          this.attach(link, snap, peer.held as Buffer[]);
          srv.log.notice('Waiting for end of BGSAVE for SYNC');
        } else {
          srv.log.notice("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
        }
      } else {
        srv.log.notice('Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC');
      }
      return;
    }
    const diskless = srv.config.bool('repl-diskless-sync') && replConfOf(c).capaEof;
    if (diskless && srv.config.int('repl-diskless-sync-delay') > 0) {
      srv.log.notice('Delay next BGSAVE for diskless SYNC');
      return;
    }
    void this.startSnapshot();
  }

  private addReplica(c: Client, state: ReplicaLink['state']): ReplicaLink {
    // Bytes produced before this replica joined must not reach it twice (backlog / RDB cover them).
    this.stream.flush();
    const rc = replConfOf(c);
    c.isReplica = true;
    c.flush();
    const link: ReplicaLink = {
      client: c, port: rc.port, ip: rc.ip || (c.socket?.remoteAddress ?? '').replace(/^::ffff:/, ''),
      state, capaEof: rc.capaEof, capaPsync2: rc.capaPsync2, acksEachRead: rc.capaAckEachRead, ackOffset: 0, ackTime: Date.now(),
      held: null, startOnAck: false, softSince: 0,
    };
    this.st.replicas.push(link);
    return link;
  }

  /** Redis's masterTryPartialResynchronization: +CONTINUE and the backlog from `offset`. */
  private tryPartial(c: Client, replid: string, offset: number): boolean {
    const { srv, st } = this;
    const onMain = replid.toLowerCase() === st.replid;
    const onSecond = replid.toLowerCase() === st.replid2 && offset <= st.secondOffset;
    if (!onMain && !onSecond) {
      if (replid === '?') srv.log.notice(`Full resync requested by replica ${this.name(c)}`);
      else if (replid.toLowerCase() !== st.replid2) {
        srv.log.notice(`Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${st.replid}' and '${st.replid2}')`);
      } else {
        srv.log.notice(`Partial resynchronization not accepted: Requested offset for second ID was ${offset}, but I can reply up to ${st.secondOffset}`);
      }
      return false;
    }
    if (!st.backlog || !st.backlog.covers(offset)) {
      srv.log.notice(`Unable to partial resync with replica ${this.name(c)} for lack of backlog (Replica request was: ${offset}).`);
      if (offset > st.offset) srv.log.warning(`Warning: replica ${this.name(c)} tried to PSYNC with an offset that is greater than the master replication offset.`);
      return false;
    }
    const link = this.addReplica(c, 'online');
    const sock = c.socket;
    const data = st.backlog.readFrom(offset);
    sock?.write(link.capaPsync2 ? `+CONTINUE ${st.replid}\r\n` : '+CONTINUE\r\n');
    if (data.length > 0) sock?.write(data);
    link.ackOffset = offset - 1;
    srv.log.notice(`Partial resynchronization request from ${this.name(c)} accepted. Sending ${data.length} bytes of backlog starting from offset ${offset}.`);
    return true;
  }

  /** Marks a link as covered by the snapshot: stream bytes from now on are held for it. */
  private attach(link: ReplicaLink, snap: Snapshot, held: Buffer[]): void {
    this.waiting.delete(link);
    link.held = [...held];
    snap.links.push(link);
    if (!this.prePsync.has(link)) link.client.socket?.write(`+FULLRESYNC ${this.st.replid} ${snap.offset}\r\n`);
  }

  /** Starts one snapshot for every replica waiting (socket target only if they all take EOF). */
  private async startSnapshot(): Promise<void> {
    const { srv, st } = this;
    const links = [...this.waiting.keys()].filter((l) => !l.client.closed);
    if (links.length === 0 || this.snapshot) return;
    const socket = srv.config.bool('repl-diskless-sync') && links.every((l) => l.capaEof);
    const snap: Snapshot = { target: socket ? 'socket' : 'disk', offset: st.offset, links: [] };
    this.snapshot = snap;
    srv.log.notice(`Starting BGSAVE for SYNC with target: ${socket ? 'replicas sockets' : 'disk'}`);
    // From here to the snapshot's start is synchronous: the RDB is exactly the dataset at this offset.
    this.stream.flush();
    this.stream.selectedDb = -1;
    snap.offset = st.offset;
    for (const l of links) if (this.waiting.has(l)) this.attach(l, snap, []);
    // A chained replica's stream continues in whatever db its master last selected.
    const streamDb = st.master ? st.master.client.dbIndex : 0;
    const opts = { aux: [['repl-stream-db', streamDb], ['repl-id', st.replid], ['repl-offset', st.offset]] as [string, string | number][] };
    let rdb: Buffer | null = null;
    const mark = randomBytes(20).toString('hex');
    try {
      if (socket) {
        // Diskless: the RDB goes to the sockets chunk by chunk as the snapshot produces it (as Redis's
        // child writes to the pipe), so the transfer overlaps the serialization.
        const targets = snap.links;
        for (const l of targets) {
          l.state = 'send_bulk';
          l.client.socket?.write(`$EOF:${mark}\r\n`);
        }
        await snapshotRdbTo(srv, opts, (chunk) => {
          for (const l of targets) {
            if (l.client.closed || !l.client.socket) continue;
            l.client.socket.write(chunk);
            srv.stats.netOutput += chunk.length;
          }
        });
      } else {
        rdb = await snapshotRdb(srv, opts);
      }
    } catch (e) {
      srv.log.warning(`Background saving error: ${(e as Error).message}`);
      srv.log.warning('SYNC failed. BGSAVE child returned an error');
      this.snapshot = null;
      for (const l of snap.links) srv.closeClient(l.client);
      return;
    }
    this.snapshot = null;
    srv.log.notice(socket ? 'Background RDB transfer terminated with success' : 'Background saving terminated with success');
    for (const l of snap.links) if (!l.client.closed) this.sendRdb(l, rdb, mark);
    // Replicas that arrived during a socket-target snapshot get the next one.
    if (this.waiting.size > 0 && !this.disklessDelayPending()) void this.startSnapshot();
  }

  /** Sends the RDB (disk target), or ends the streamed one with its mark (`rdb` null: socket target). */
  private sendRdb(link: ReplicaLink, rdb: Buffer | null, mark: string): void {
    const sock = link.client.socket;
    if (!sock) return;
    const socket = rdb === null;
    link.state = 'send_bulk';
    const name = this.name(link.client);
    const done = () => {
      if (link.client.closed) return;
      link.state = 'online';
      link.ackTime = Date.now();
      if (socket) {
        // As Redis 7: the stream starts once the replica ACKs, i.e. has loaded the RDB.
        link.startOnAck = true;
        this.srv.log.notice(`Streamed RDB transfer with replica ${name} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming`);
      } else {
        this.release(link);
      }
    };
    if (rdb === null) {
      sock.write(mark, done);
    } else {
      sock.write(`$${rdb.length}\r\n`);
      sock.write(rdb, done);
      this.srv.stats.netOutput += rdb.length;
    }
  }

  /** The replica is in sync: send what was held during the transfer and stream from now on. */
  private release(link: ReplicaLink): void {
    const held = link.held ?? [];
    link.held = null;
    link.startOnAck = false;
    if (held.length > 0) this.stream.writeTo(link, Buffer.concat(held));
    this.srv.log.notice(`Synchronization with replica ${this.name(link.client)} succeeded`);
  }

  /** REPLCONF ACK <offset> from a replica. */
  ack(c: Client, offset: number): void {
    const link = this.st.replicas.find((l) => l.client === c);
    if (!link) return;
    if (offset > link.ackOffset) link.ackOffset = offset;
    link.ackTime = Date.now();
    if (link.startOnAck && link.state === 'online') this.release(link);
    this.onAck();
  }

  /** A client went away: forget it if it was a replica. */
  onClose(c: Client): void {
    if (!c.isReplica) return;
    const i = this.st.replicas.findIndex((l) => l.client === c);
    if (i < 0) return;
    this.waiting.delete(this.st.replicas[i]);
    this.st.replicas.splice(i, 1);
    this.srv.log.warning(`Connection with replica ${this.name(c)} lost.`);
    if (this.st.replicas.length === 0) this.st.noReplicasSince = Date.now();
  }

  /** Closes every replica connection (they reconnect and learn our new replication ID). */
  disconnectReplicas(): void {
    for (const l of [...this.st.replicas]) this.srv.closeClient(l.client);
  }

  private disklessDelayPending(): boolean {
    const srv = this.srv;
    if (!srv.config.bool('repl-diskless-sync')) return false;
    const links = [...this.waiting.keys()];
    if (!links.every((l) => l.capaEof)) return false;
    const max = srv.config.int('repl-diskless-sync-max-replicas');
    if (max > 0 && links.length >= max) return false;
    const oldest = Math.min(...this.waiting.values());
    return Date.now() - oldest < srv.config.int('repl-diskless-sync-delay') * 1000;
  }

  /** Once a second: heartbeats, keepalives, timeouts, backlog TTL and delayed diskless syncs. */
  cron(): void {
    const { srv, st } = this;
    const now = Date.now();
    // No PING while writes are paused (Redis too): the offset stands still so replicas can catch up to it.
    if (st.isMaster && st.replicas.length > 0 && !srv.writesPaused && --this.pingCountdown <= 0) {
      this.pingCountdown = srv.config.int('repl-ping-replica-period');
      this.stream.feedControl(['PING']);
    }
    for (const l of st.replicas) {
      // Newlines keep replicas waiting for the RDB from timing out; they are not stream bytes.
      if (l.state === 'wait_bgsave' && !l.client.closed) l.client.socket?.write('\n');
    }
    const timeout = srv.config.int('repl-timeout') * 1000;
    for (const l of [...st.replicas]) {
      if (l.state !== 'online' || this.prePsync.has(l)) continue;
      if (now - l.ackTime > timeout) {
        srv.log.warning(`Disconnecting timedout replica (streaming sync): ${this.name(l.client)}`);
        srv.closeClient(l.client);
      }
    }
    const ttl = srv.config.int('repl-backlog-ttl');
    if (st.isMaster && st.backlog && st.replicas.length === 0 && ttl > 0 && now - st.noReplicasSince > ttl * 1000) {
      // A new history: replicas that come back must full-sync, the old offsets mean nothing now.
      st.changeReplid();
      st.clearReplid2();
      st.backlog = null;
      srv.log.notice(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
    }
    if (this.waiting.size > 0 && !this.snapshot && !this.disklessDelayPending()) void this.startSnapshot();
  }
}
