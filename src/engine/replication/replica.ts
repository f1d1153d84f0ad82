// The replica side: the link to our master. Connect, handshake (PING, AUTH, REPLCONF, PSYNC), then
// either +FULLRESYNC and an RDB (rdb-transfer.ts: decoded as it arrives beside the old dataset, which
// it replaces once complete), or +CONTINUE (SYNC when the master refuses PSYNC), then the
// command stream applied in order through dispatch by a client flagged isMaster. Applied bytes are
// proxied to our own backlog and sub-replicas unchanged, so offsets stay identical down a chain.
import { failoverOf } from './failover.js';
import fs from 'node:fs';
import net from 'node:net';
import type { Client } from '../client.js';
import { ProtocolError } from '../protocol/parser.js';
import type { Server } from '../server.js';
import type { MasterSide } from './master.js';
import type { LoadedRdb } from '../persistence/rdb.js';
import { rdbFile } from '../persistence/rdb-file.js';
import { savePoints, startAof, stopAof } from '../persistence/module.js';
import { ACK_EACH_READ_CAPA, type ReplState } from './state.js';
import { multibulkSize, type ReplStream } from './stream.js';
import { directWriter, onReads, writeOwned, type DirectWriter } from '../socket-io.js';
import { RdbTransfer } from './rdb-transfer.js';

export type LinkState = 'connect' | 'connecting' | 'handshake' | 'transfer' | 'connected';

const encode = (args: string[]): string => `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');

export class MasterLink {
  state: LinkState = 'connect';
  /** slave_repl_offset (applied) and slave_read_repl_offset (received). */
  reploff = 0;
  readReploff = 0;
  /** ms of the last byte from the master. */
  lastIo = 0;
  /** ms the link went down (0: never up, INFO prints -1). */
  downSince = 0;
  /** Our replid/offset describe a history the master may continue (PSYNC replid offset+1). */
  cached = false;
  transfer: RdbTransfer | null = null;
  /** The client the stream runs as; replaced per connection (a fresh parser), keeping its db. */
  client: Client;
  private sock: net.Socket | null = null;
  /** Writes ACKs straight to the socket's handle (null: through sock.write); made per connection. */
  private ackWriter: DirectWriter | null = null;
  private buf: Buffer = Buffer.alloc(0);
  /** Handlers for the handshake replies still expected, in order. */
  private expect: ((line: string) => void)[] = [];
  /** Stream bytes received but not yet applied (a partial command). */
  private unapplied: Buffer = Buffer.alloc(0);
  private connectedAt = 0;
  private closing = false;
  /** The master answered PSYNC with an error and we synced with SYNC: it gets no periodic ACKs. */
  private prePsync = false;

  constructor(
    private readonly srv: Server,
    private readonly st: ReplState,
    private readonly stream: ReplStream,
    private readonly master: MasterSide,
    readonly host: string,
    readonly port: number,
  ) {
    this.client = this.newClient();
  }

  private newClient(): Client {
    const c = this.srv.createFakeClient();
    c.isMaster = true;
    c.reply.muted = true;
    return c;
  }

  /** Opens the connection (REPLICAOF, the cron's retry, or right after the link dropped). */
  connect(): void {
    const { srv } = this;
    if (this.sock) return;
    this.state = 'connecting';
    this.connectedAt = Date.now();
    this.buf = Buffer.alloc(0);
    // Like Redis's connectWithMaster: the link leaves from bind-source-addr when one is set.
    const source = srv.config.get('bind-source-addr');
    const sock = net.connect({ host: this.host, port: this.port, ...(source ? { localAddress: source } : {}) });
    this.sock = sock;
    this.ackWriter = null;
    srv.log.notice('MASTER <-> REPLICA sync started');
    sock.setNoDelay(!srv.config.bool('repl-disable-tcp-nodelay'));
    sock.once('connect', () => {
      srv.log.notice('Non blocking connect for SYNC fired the event.');
      this.state = 'handshake';
      this.lastIo = Date.now();
      sock.write(encode(['PING']));
      this.expect = [(l) => this.onPing(l)];
    });
    // Reads land in the shared read buffer (socket-io.ts), not in a fresh 64 KB ArrayBuffer pushed
    // through a Readable per read. The link keeps parts of what it reads (a partial command, the
    // proxied stream, the RDB's last bytes), so each read is copied out at its own size.
    onReads(sock, (chunk, borrowed) => this.onData(borrowed ? Buffer.from(chunk) : chunk));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (this.state === 'connecting') srv.log.warning(`Error condition on socket for SYNC: ${describe(e)}`);
      else if (this.state === 'handshake' || this.state === 'transfer') srv.log.warning(`I/O error trying to sync with MASTER: ${describe(e)}`);
    });
    sock.on('close', () => {
      if (this.sock === sock) this.onClose();
    });
  }

  private onPing(line: string): void {
    if (line.startsWith('-') && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(line)) {
      this.srv.log.warning(`Error reply to PING from master: '${line.slice(1)}'`);
      return this.drop();
    }
    this.srv.log.notice('Master replied to PING, replication can continue...');
    const cfg = this.srv.config;
    const out: string[] = [];
    const pass = cfg.get('masterauth');
    if (pass) {
      const user = cfg.get('masteruser');
      out.push(encode(user ? ['AUTH', user, pass] : ['AUTH', pass]));
      this.expect.push((l) => {
        if (l.startsWith('-')) {
          this.srv.log.warning(`Unable to AUTH to MASTER: ${l.slice(1)}`);
          this.drop();
        }
      });
    }
    const port = cfg.int('replica-announce-port') || cfg.int('port');
    out.push(encode(['REPLCONF', 'listening-port', String(port)]));
    this.expect.push((l) => this.nonCritical(l, 'listening-port'));
    const ip = cfg.get('replica-announce-ip');
    if (ip) {
      out.push(encode(['REPLCONF', 'ip-address', ip]));
      this.expect.push((l) => this.nonCritical(l, 'ip-address'));
    }
    out.push(encode(['REPLCONF', 'capa', 'eof', 'capa', 'psync2', 'capa', ACK_EACH_READ_CAPA]));
    this.expect.push((l) => {
      this.nonCritical(l, 'capa');
      this.sendPsync();
    });
    this.sock?.write(out.join(''));
  }

  private nonCritical(line: string, what: string): void {
    if (line.startsWith('-')) this.srv.log.notice(`(Non critical) Master does not understand REPLCONF ${what}: ${line.slice(1)}`);
  }

  private sendPsync(): void {
    if (!this.sock) return;
    const { st } = this;
    let args: string[];
    if (this.cached) {
      const off = String(st.offset + 1);
      this.srv.log.notice(`Trying a partial resynchronization (request ${st.replid}:${off}).`);
      args = ['PSYNC', st.replid, off, ...(failoverOf(this.srv)?.psyncExtra() ?? [])];
    } else {
      this.srv.log.notice('Partial resynchronization not possible (no cached master)');
      args = ['PSYNC', '?', '-1', ...(failoverOf(this.srv)?.psyncExtra() ?? [])];
    }
    this.sock.write(encode(args));
    this.expect.push((l) => this.onPsyncReply(l));
  }

  private onPsyncReply(line: string): void {
    const { srv, st } = this;
    if (line === '') {
      this.expect.unshift((l) => this.onPsyncReply(l)); // keepalive newline before the reply
      return;
    }
    if (line.startsWith('+FULLRESYNC')) {
      const [, replid, off] = line.split(' ');
      if (!replid || replid.length !== 40 || !/^\d+$/.test(off ?? '')) {
        srv.log.warning('Master replied with wrong +FULLRESYNC syntax.');
        return this.drop();
      }
      srv.log.notice(`Full resync from master: ${replid}:${off}`);
      failoverOf(srv)?.onPsyncReply(true);
      // The cached master is kept until the new dataset is loaded (a failed swapdb load may still PSYNC).
      this.prePsync = false;
      this.startTransfer(replid, Number(off));
      return;
    }
    if (line.startsWith('+CONTINUE')) {
      const newId = line.slice(9).trim();
      srv.log.notice('Successful partial resynchronization with master.');
      failoverOf(srv)?.onPsyncReply(true);
      if (newId && newId !== st.replid) {
        st.replid2 = st.replid;
        st.secondOffset = st.offset + 1;
        st.replid = newId;
        srv.log.warning(`Master replication ID changed to ${newId}`);
        // Our sub-replicas must learn the new ID; they can continue with a partial resync.
        this.master.disconnectReplicas();
      }
      if (!st.backlog) st.createBacklog();
      this.reploff = this.readReploff = st.offset;
      this.linkUp();
      srv.log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      return;
    }
    // A handover (FAILOVER) the target refused: we stay the master.
    if (failoverOf(srv)?.state === 'failover-in-progress') {
      srv.log.warning(`Failover target rejected psync request: ${line}`);
      failoverOf(srv)?.onPsyncReply(false);
      return;
    }
    if (/^-(NOMASTERLINK|LOADING)/.test(line)) {
      srv.log.notice(`Master is currently unable to PSYNC but should be in the future: ${line.slice(1)}`);
      return this.drop();
    }
    // Any other answer: a master that predates PSYNC (or refuses it). Redis falls back to SYNC: a full
    // sync without replication ID or offset, after which the master gets no periodic ACKs.
    if (line.startsWith('-ERR')) srv.log.notice(`Master does not support PSYNC or is in error state (reply: ${line})`);
    else srv.log.warning(`Unexpected reply to PSYNC from master: ${line}`);
    srv.log.notice('Retrying with SYNC...');
    this.sock?.write('SYNC\r\n');
    this.prePsync = true;
    this.startTransfer(null, 0);
  }

  /** After +FULLRESYNC (or SYNC): the RDB payload comes next. */
  private startTransfer(replid: string | null, offset: number): void {
    const t = RdbTransfer.open(this.srv, replid ?? '', offset, () => this.drop());
    if (!t) return this.drop();
    this.state = 'transfer';
    this.transfer = t;
  }

  private isUp(): boolean {
    return this.state === 'connected';
  }

  private linkUp(): void {
    this.state = 'connected';
    this.cached = false;
    this.downSince = 0;
    this.lastIo = Date.now();
  }

  private onData(chunk: Buffer): void {
    this.lastIo = Date.now();
    if (this.state === 'connected') return this.onStream(chunk);
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.sock && !this.isUp()) {
      if (this.transfer?.started) {
        const rest = this.transfer.feed(this.buf);
        this.buf = rest ?? Buffer.alloc(0);
        if (rest === null) return;
        this.finishFullSync(this.transfer);
        continue;
      }
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const line = this.buf.toString('latin1', 0, nl > 0 && this.buf[nl - 1] === 13 ? nl - 1 : nl);
      this.buf = this.buf.subarray(nl + 1);
      if (!this.transfer) this.expect.shift()?.(line);
      else if (!this.transfer.header(line)) this.drop();
    }
    // Whatever followed the +CONTINUE line or the RDB is already stream.
    if (this.isUp() && this.buf.length > 0) {
      const rest = this.buf;
      this.buf = Buffer.alloc(0);
      this.onStream(rest);
    }
  }

  /** The payload is in (decoded, and on disk for a disk load): it becomes the dataset, then the stream starts. */
  private finishFullSync(t: RdbTransfer): void {
    const { srv, st } = this;
    this.transfer = null;
    const swap = t.load === 'swapdb';
    // The AOF must not keep the old history: it restarts with a rewrite once the new dataset is in.
    stopAof(srv);
    this.attachToNewMaster();
    // Redis's lines for each mode; here every mode decoded beside the old dataset, replaced at once.
    if (!swap) srv.log.notice('MASTER <-> REPLICA sync: Flushing old data');
    srv.log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    const loaded: LoadedRdb = t.decoder.commit();
    srv.log.notice(`Done loading RDB, keys loaded: ${loaded.keys}, keys expired: ${loaded.expired}.`);
    if (swap) {
      srv.log.notice('MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
      srv.log.notice('MASTER <-> REPLICA sync: Discarding old DB in background');
    }
    this.removeSyncFile(t);
    if (srv.config.bool('appendonly')) startAof(srv);
    const streamDb = Number(loaded.aux.get('repl-stream-db') ?? 0) || 0;
    if (this.prePsync) {
      // SYNC gave no replication ID nor offset: a history of our own, from 0.
      st.changeReplid();
      st.offset = 0;
    } else {
      st.replid = t.replid;
      st.offset = t.offset;
    }
    st.clearReplid2();
    st.createBacklog();
    this.reploff = this.readReploff = st.offset;
    // The master's stream continues in the db it had selected when the RDB was taken.
    this.client.db = srv.dbs[streamDb] ?? srv.dbs[0];
    this.client.dbIndex = this.client.db.id;
    this.client.multi = null;
    this.linkUp();
    srv.log.notice('MASTER <-> REPLICA sync: Finished with success');
    // A streamed (EOF) transfer comes from a master that starts the stream on our first ACK.
    if (!this.prePsync || t.streamed) this.sendAck(true);
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    if (rest.length > 0) this.onStream(rest);
  }

  /** A new history: sub-replicas must full-sync with us again, and the old backlog is meaningless. */
  private attachToNewMaster(): void {
    if (this.cached) this.srv.log.notice('Discarding previously cached master state.');
    this.cached = false;
    this.master.disconnectReplicas();
    this.st.backlog = null;
  }

  /** rdb-del-sync-files: a replica without persistence keeps no copy of the master's RDB. */
  private removeSyncFile(t: RdbTransfer): void {
    const { srv } = this;
    if (t.load !== 'disk' || !srv.config.bool('rdb-del-sync-files')) return;
    if (savePoints(srv).length > 0 || srv.config.bool('appendonly')) return;
    srv.log.notice('Removing the RDB file obtained from the master. This replica has persistence disabled');
    fs.rmSync(rdbFile(srv), { force: true });
  }

  /**
   * Applies the command stream, then proxies exactly the applied bytes. Inside MULTI nothing counts
   * as applied until EXEC, as in Redis: a link lost mid-transaction resumes from MULTI.
   */
  private onStream(chunk: Buffer): void {
    this.readReploff += chunk.length;
    this.unapplied = this.unapplied.length ? Buffer.concat([this.unapplied, chunk]) : chunk;
    const base = this.reploff;
    let consumed = 0;
    let applied = 0;
    const c = this.client;
    try {
      c.parser.feed(chunk, (argv) => {
        consumed += multibulkSize(argv);
        this.srv.applyingMasterStream = true;
        try {
          this.srv.dispatch.execute(c, argv);
        } finally {
          this.srv.applyingMasterStream = false;
        }
        if (!c.multi) {
          applied = consumed;
          this.reploff = base + applied;
        }
      });
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.srv.log.warning(`Protocol error (${e.message}) from master: closing the link`);
      return this.drop();
    }
    if (applied > this.unapplied.length) {
      this.srv.log.warning('WARNING: Receiving inline protocol from master, master stream corruption? Closing the master connection and discarding the cached master.');
      this.cached = false;
      return this.drop();
    }
    this.stream.proxy(this.unapplied.subarray(0, applied));
    this.unapplied = this.unapplied.subarray(applied);
    // Beyond Redis (an ACK each second and on GETACK): ACK once per read that applied stream bytes,
    // so the master usually knows our offset before a client's WAIT arrives and WAIT answers
    // without a GETACK round trip. One small write per read; none when the offset did not move.
    if (applied > 0 && this.reploff !== this.lastAcked) this.sendAck();
  }

  private lastAcked = -1;

  /** REPLCONF ACK <applied offset>: every second, after a sync, and on REPLCONF GETACK. */
  sendAck(force = false): void {
    const sock = this.sock;
    if (this.state !== 'connected' || !sock || (this.prePsync && !force)) return;
    const off = String(this.reploff);
    // One per applied read: no Writable bookkeeping (WriteWrap, afterWrite tick) when the handle
    // takes the bytes at once; a failed write closes the link as a failed sock.write would.
    const ack = Buffer.from(`*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$${off.length}\r\n${off}\r\n`, 'latin1');
    this.ackWriter ??= directWriter(sock, () => sock.destroy());
    writeOwned(this.ackWriter, sock, ack);
    this.lastAcked = this.reploff;
  }

  private onClose(): void {
    const { srv } = this;
    const wasUp = this.state === 'connected';
    this.sock = null;
    this.transfer?.abandon();
    this.transfer = null;
    this.expect = [];
    this.unapplied = Buffer.alloc(0);
    // Unparsed bytes and a half-received MULTI are dropped; the next PSYNC asks for them again.
    const old = this.client;
    this.client = this.newClient();
    this.client.db = old.db;
    this.client.dbIndex = old.dbIndex;
    this.state = 'connect';
    if (!wasUp) return;
    srv.log.warning('Connection with master lost.');
    srv.log.notice('Caching the disconnected master state.');
    this.cached = true;
    this.downSince = Date.now();
    if (this.closing) return;
    // Reconnect at once rather than at the next cron tick: the backlog may be recycled meanwhile.
    srv.log.notice(`Reconnecting to MASTER ${this.host}:${this.port}`);
    this.connect();
  }

  /** Abandons the current link or attempt (reconnecting at once if it was up, else from the cron). */
  drop(): void {
    const s = this.sock;
    if (!s) return;
    this.onClose();
    s.destroy();
  }

  /** Stops replicating from this master for good (REPLICAOF NO ONE, or another master). */
  close(): void {
    this.closing = true;
    this.drop();
  }

  /** Once a second: reconnect, ACK, and repl-timeout checks. */
  cron(): void {
    const { srv } = this;
    const now = Date.now();
    const timeout = srv.config.int('repl-timeout') * 1000;
    if (this.state === 'connect' && !this.sock) {
      srv.log.notice(`Connecting to MASTER ${this.host}:${this.port}`);
      this.connect();
      return;
    }
    if ((this.state === 'connecting' || this.state === 'handshake') && now - this.connectedAt > timeout) {
      srv.log.warning('Timeout connecting to the MASTER...');
      return this.drop();
    }
    if (this.state === 'transfer' && now - this.lastIo > timeout) {
      srv.log.warning("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
      return this.drop();
    }
    if (this.state === 'connected') {
      if (now - this.lastIo > timeout) {
        srv.log.warning('MASTER timeout: no data nor PING received...');
        return this.drop();
      }
      this.sendAck();
    }
  }
}

function describe(e: NodeJS.ErrnoException): string {
  if (e.code === 'ECONNREFUSED') return 'Connection refused';
  if (e.code === 'ECONNRESET') return 'Connection reset by peer';
  if (e.code === 'ETIMEDOUT') return 'Connection timed out';
  if (e.code === 'EHOSTUNREACH') return 'No route to host';
  return e.message;
}
