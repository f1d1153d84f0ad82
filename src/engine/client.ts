// One connected client: its socket, parser, reply buffer and per-connection state (db, auth, RESP
// version, MULTI queue, subscriptions, blocking).
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { RespParser } from './protocol/parser.js';
import { ReplyWriter, type DirectSink } from './protocol/writer.js';
import type { Command } from './commands/table.js';
import type { Db } from './store/db.js';
import type { User } from './acl/user.js';
import type { ClientTracking } from './tracking/tracker.js';

export interface MultiState {
  queue: { cmd: Command; argv: Buffer[] }[];
  /** A queued command was rejected (unknown, arity...): EXEC answers EXECABORT. */
  error: boolean;
}

export interface BlockState {
  /** Keys (latin1) in the db the client waits on. */
  keys: string[];
  db: Db;
  /** Absolute ms, 0 = forever. */
  deadline: number;
  timer: NodeJS.Timeout | null;
  /**
   * Tries to serve the client now; true when it was served (and is unblocked). readyKey: the key
   * whose signal woke it (XREAD in Redis 7.0 answers with that stream alone).
   */
  tryServe(readyKey?: string): boolean;
  /** Called on timeout: writes the timeout reply. */
  onTimeout(): void;
  /** Told of each command queued while blocked (a held MIGRATE looks ahead: cluster/migrate-ahead.ts). */
  queued?: (argv: Buffer[]) => void;
}

/**
 * Per-client state of a subsystem that has no Client field of its own. Each subsystem declares its
 * keys where it uses them, by interface merging:
 * `declare module '../client.js' { interface ClientExt { replWoff?: number } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClientExt {}

export class Client {
  readonly reply = new ReplyWriter();
  readonly parser: RespParser;
  name = '';
  libName = '';
  libVer = '';
  authenticated: boolean;
  user = 'default';
  /** The ACL user the client authenticated as (acl/); null = the default user. */
  aclUser: User | null = null;
  /** CLIENT TRACKING state (tracking/); null while tracking is off. */
  tracking: ClientTracking | null = null;
  dbIndex = 0;
  db: Db;
  readonly createdAt = Date.now();
  /** performance.now() of the client's last read (the server reads that clock once per read anyway). */
  lastIo = performance.now();
  lastCommand = 'NULL';
  multi: MultiState | null = null;
  /** WATCHed keys: [db, key]; the watcher object is what Db.touch() marks. */
  readonly watching: { db: Db; key: string; live?: boolean }[] = [];
  readonly watchFlag = { dirtyCas: false };
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();
  blocked: BlockState | null = null;
  /** Commands received while blocked, run once unblocked (Redis stops reading a blocked client). */
  readonly pending: Buffer[][] = [];
  /**
   * Queued commands a handler already started ahead of their turn (cluster/migrate-ahead.ts), with
   * what they resolved to: they passed dispatch's checks then, and only their reply waits for the turn.
   */
  early: Map<Buffer[], Command> | null = null;
  /** CLIENT REPLY: on | off | skip (skip mutes one reply). */
  replyMode: 'on' | 'off' | 'skip' = 'on';
  /** Set on a client that is our master's replication link (its writes are applied, not refused). */
  isMaster = false;
  /** Set on a client that is a replica connected to us (REPLCONF / PSYNC / SYNC). */
  isReplica = false;
  /** MONITOR clients get every command. */
  monitor = false;
  noEvict = false;
  /** Cluster: ASKING flag (one command) and READONLY mode for replica reads. */
  asking = false;
  readOnlyMode = false;
  /** Close once the pending replies are written (QUIT, protocol errors, CLIENT KILL). */
  closeAfterReply = false;
  closed = false;
  /**
   * The command name this client sent last (its parser's shared copy, the same Buffer while the name
   * repeats) and the command it resolved to: dispatch's own one-entry cache misses whenever another
   * client's command came in between, as with many clients sending one request each.
   */
  nameBuf: Buffer | null = null;
  nameCmd: Command | undefined = undefined;
  /** Subsystem state without a field here (ClientExt: typed by the subsystems that use it). */
  readonly ext: ClientExt = {};
  /** Writes replies below the socket's stream layer (socket-io.ts); null: socket.write. */
  io: DirectSink | null = null;

  constructor(
    readonly id: number,
    readonly socket: Socket | null,
    db: Db,
    maxBulkLen: number,
    requireAuth: boolean,
  ) {
    this.db = db;
    this.authenticated = !requireAuth;
    this.parser = new RespParser({ maxBulkLen, unauthenticated: requireAuth });
  }

  /** Wall-clock ms of the last read (CLIENT LIST idle), from the monotonic time elapsed since. */
  get lastInteraction(): number {
    return Date.now() - (performance.now() - this.lastIo);
  }

  get addr(): string {
    const s = this.socket;
    if (!s || !s.remoteAddress) return '';
    return s.remoteFamily === 'IPv6' ? `[${s.remoteAddress}]:${s.remotePort}` : `${s.remoteAddress}:${s.remotePort}`;
  }

  get laddr(): string {
    const s = this.socket;
    if (!s || !s.localAddress) return '';
    return s.localFamily === 'IPv6' ? `[${s.localAddress}]:${s.localPort}` : `${s.localAddress}:${s.localPort}`;
  }

  /** Number of channel + pattern subscriptions (the count SUBSCRIBE replies with). */
  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  /** In RESP2, a client with subscriptions may only run (P|S)(UN)SUBSCRIBE, PING, QUIT, RESET. */
  get inPubSubContext(): boolean {
    return this.reply.resp === 2 && this.subscriptionCount + this.shardChannels.size > 0;
  }

  /** Writes pending replies to the socket now. */
  flush(): void {
    if (!this.reply.hasPending() || this.closed || !this.socket) return;
    const sock = this.socket;
    if (this.io !== null && this.reply.flushDirect(this.io)) {
      if (this.closeAfterReply) sock.end();
      return;
    }
    if (this.reply.segments() === 1) {
      // The usual case, one segment: a plain write (corking only adds stream bookkeeping).
      this.reply.flush((data, enc) => {
        if (typeof data === 'string') sock.write(data, enc);
        else sock.write(data);
      });
      if (this.closeAfterReply) sock.end();
      return;
    }
    // Several segments (big values are queued by reference) leave in one corked write.
    sock.cork();
    this.reply.flush((data, enc) => {
      if (typeof data === 'string') sock.write(data, enc);
      else sock.write(data);
    });
    sock.uncork();
    if (this.closeAfterReply) sock.end();
  }
}
