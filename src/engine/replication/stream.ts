// The replication stream as the master writes it: every propagated write (as RESP multibulk, with
// SELECT when the db changes) goes into the backlog at once and out to the replicas at the end of the
// event-loop turn, as one write per replica. A replica proxies its master's bytes through the same
// path, so sub-replicas and its own backlog see exactly the master's stream and offsets.
import type { PropagationSink, PropagationTarget, Server } from '../server.js';
import type { ReplicaLink, ReplState } from './state.js';

/** Arguments at least this big stay Buffers instead of joining the latin1 accumulator. */
const BIG = 16 * 1024;

/** Exact byte size of argv encoded as a RESP multibulk (what the master sent, for offsets). */
export function multibulkSize(argv: Buffer[]): number {
  let n = 3 + String(argv.length).length;
  for (const a of argv) n += 5 + String(a.length).length + a.length;
  return n;
}

export class ReplStream implements PropagationSink {
  /** The db the stream last SELECTed (-1: the next command is preceded by SELECT). */
  selectedDb = -1;
  private acc = '';
  private parts: (string | Buffer)[] = [];
  private scheduled = false;
  /** flushEarly() already wrote once this turn. */
  private early = false;

  constructor(private readonly srv: Server, private readonly st: ReplState) {}

  wants(): boolean {
    return this.st.isMaster && (this.st.backlog !== null || this.st.replicas.length > 0);
  }

  feed(dbId: number, argv: Buffer[], fromMaster: boolean, target?: PropagationTarget): void {
    // A replica never originates stream bytes: it proxies its master's (proxy()).
    if (fromMaster || !this.st.isMaster || target === 'aof') return;
    if (!this.st.backlog && this.st.replicas.length === 0) return;
    if (dbId !== this.selectedDb) {
      const id = String(dbId);
      this.addString(`*2\r\n$6\r\nSELECT\r\n$${id.length}\r\n${id}\r\n`);
      this.selectedDb = dbId;
    }
    let s = `*${argv.length}\r\n`;
    for (const a of argv) {
      if (a.length >= BIG) {
        this.addString(s + `$${a.length}\r\n`);
        this.addBuffer(a);
        s = '\r\n';
      } else {
        s += `$${a.length}\r\n${a.latin1Slice(0, a.length)}\r\n`;
      }
    }
    this.addString(s);
  }

  /** A master-generated command outside any db context (PING heartbeats, REPLCONF GETACK). */
  feedControl(argv: string[]): void {
    if (!this.st.isMaster || (!this.st.backlog && this.st.replicas.length === 0)) return;
    this.addString(`*${argv.length}\r\n` + argv.map((a) => `$${a.length}\r\n${a}\r\n`).join(''));
  }

  /** Bytes received from our master and applied: forwarded verbatim. */
  proxy(data: Buffer): void {
    if (data.length > 0) this.addBuffer(data);
  }

  private addString(s: string): void {
    this.st.offset += s.length;
    this.st.backlog?.appendLatin1(s);
    // No replica (a replica's own stream without sub-replicas): the backlog is all there is to feed,
    // and a replica that joins later gets these bytes from it or from its RDB (addReplica flushes).
    if (this.st.replicas.length === 0) return;
    this.acc += s;
    this.schedule();
  }

  private addBuffer(b: Buffer): void {
    this.st.offset += b.length;
    this.st.backlog?.append(b);
    if (this.st.replicas.length === 0) return;
    if (this.acc) this.parts.push(this.acc);
    this.acc = '';
    this.parts.push(b);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Bytes produced this turn that have not gone out to the replicas yet. */
  pending(): boolean {
    return this.acc !== '' || this.parts.length > 0;
  }

  /**
   * The first read of a turn that wrote sends its stream bytes before its reply is written: a client's
   * WAIT then usually finds the replica's ACK already in (the replica ACKs each applied read). Later
   * reads of the turn are batched into the setImmediate write as before, so a busy loop still writes
   * to each replica about once per turn.
   */
  flushEarly(): void {
    if (this.early || !this.pending()) return;
    this.early = true;
    this.writeOut();
  }

  /** Writes what accumulated this turn to every replica (or holds it for those still syncing). */
  flush(): void {
    this.scheduled = false;
    this.early = false;
    this.writeOut();
  }

  private writeOut(): void {
    if (this.acc) this.parts.push(this.acc);
    this.acc = '';
    if (this.parts.length === 0) return;
    const data = this.parts.length === 1 && typeof this.parts[0] !== 'string'
      ? this.parts[0]
      : Buffer.concat(this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
    this.parts = [];
    for (const r of this.st.replicas) this.writeTo(r, data);
  }

  /** One replica's share of the stream, subject to client-output-buffer-limit for replicas. */
  writeTo(r: ReplicaLink, data: Buffer): void {
    if (r.held) {
      r.held.push(data);
      return;
    }
    // Waiting for a snapshot that has not started: the RDB will contain these writes.
    if (r.state === 'wait_bgsave') return;
    const sock = r.client.socket;
    if (!sock || r.client.closed) return;
    sock.write(data);
    this.srv.stats.netOutput += data.length;
    this.checkOutputLimit(r);
  }

  private checkOutputLimit(r: ReplicaLink): void {
    const sock = r.client.socket;
    if (!sock) return;
    const [hard, soft, secs] = this.srv.config.get('client-output-buffer-limit').split(' ').slice(5, 8).map(Number);
    const used = sock.writableLength;
    const overSoft = soft > 0 && used > soft;
    if (!overSoft) r.softSince = 0;
    else if (r.softSince === 0) r.softSince = Date.now();
    if ((hard > 0 && used > hard) || (overSoft && Date.now() - r.softSince > secs * 1000)) {
      this.srv.log.warning(`Client ${r.client.addr} scheduled to be closed ASAP for overcoming of output buffer limits.`);
      this.srv.closeClient(r.client);
    }
  }
}
