// The engine's TCP server: listeners from `bind`/`port`, the client registry, the keyspace, the
// event-loop housekeeping (serverCron: active expiry, timeouts, stats) and shutdown.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { writeFileSync, rmSync } from 'node:fs';
import { randomBytes } from './util/crypto.cjs';
import { Client } from './client.js';
import { CommandTable } from './commands/table.js';
import { ALL_COMMANDS } from './commands/index.js';
import type { CommandDef } from './commands/table.js';
import type { FactNode } from './commands/generated/command-facts.js';
import type { Config } from './config.js';
import { Dispatcher } from './dispatch.js';
import { ProtocolError } from './protocol/parser.js';
import type { CommandArgs } from './protocol/command-args.js';
import { Db } from './store/db.js';
import { keyBuf } from './store/types.js';
import { notifyKeyspaceEvent } from './pubsub/notify.js';
import { activeExpireCycle } from './store/expire-cycle.js';
import { InfoRegistry } from './info.js';
import { internalErrorsOf } from './internal-errors.js';
import type { Logger } from './log.js';
import { ENGINE_VERSION, REDIS_COMPAT_VERSION } from './version.js';
import { ServerHooks } from './hooks.js';
import { Propagation } from './propagation.js';
import type { PropagationTarget } from './propagation.js';
import { MonitorFeed } from './monitor-feed.js';
import { SlowLog } from './slowlog.js';
import { directWriter, readDirect } from './socket-io.js';
import { scanKeys } from './protocol/key-scan.js';

/** scanKeys' output for onData: up to 256 keys of a read (redis-benchmark -P 16 MSET sends 160). */
const keyRanges = new Int32Array(512);
/** Beside keyRanges: each single-key command's argv[2] (a field or member), or -1. */
const secondRanges = new Int32Array(512);

// Moved to their own modules; re-exported for code written against server.ts.
export type { PropagationSink, PropagationTarget } from './propagation.js';
export type { SlowlogEntry } from './slowlog.js';

export interface Stats {
  commands: number;
  connections: number;
  rejectedConnections: number;
  rejectedCalls: number;
  expiredKeys: number;
  evictedKeys: number;
  netInput: number;
  netOutput: number;
  /** INFO stats sync_full / sync_partial_ok / sync_partial_err (replication module). */
  syncFull: number;
  syncPartialOk: number;
  syncPartialErr: number;
}

export class Server {
  readonly dbs: Db[];
  readonly table: CommandTable;
  readonly dispatch: Dispatcher;
  readonly info: InfoRegistry;
  readonly clients = new Map<number, Client>();
  /** Every extension point subsystems register on (hooks.ts). */
  readonly hooks = new ServerHooks();
  /** Writes to the AOF and replicas, EXEC/script batching (propagation.ts). */
  readonly propagation = new Propagation();
  /** MONITOR clients and their feed (monitor-feed.ts). */
  readonly monitors = new MonitorFeed((c) => this.scheduleFlush(c));
  readonly stats: Stats = { commands: 0, connections: 0, rejectedConnections: 0, rejectedCalls: 0, expiredKeys: 0, evictedKeys: 0, netInput: 0, netOutput: 0, syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 };
  readonly commandStats = new Map<string, { calls: number; usec: number; failed: number; rejected: number }>();
  readonly slowlog: SlowLog;
  /** client-query-buffer-limit, kept up to date (read once per socket read). */
  private queryBufferLimit: number;
  /** Changes since the last save (Redis's server.dirty): drives propagation and save points. */
  dirty = 0;
  readonly runId = randomBytes(20).toString('hex');
  readonly startedAt = Date.now();
  readonly version = REDIS_COMPAT_VERSION;
  readonly engineVersion = ENGINE_VERSION;
  /**
   * A key was created or changed in a way that may serve clients blocked on it (list/zset pushes,
   * RENAME, MOVE, RESTORE...). The blocking module replaces this; callers just signal.
   */
  signalKeyAsReady: (db: Db, key: string) => void = () => undefined;
  /** Signals every key of db that clients block on and that exists (SWAPDB, after loading data). */
  signalDbAsReady: (db: Db) => void = () => undefined;
  /** Set while this node replicates from a master (replication module). */
  isReplica = false;
  /** CLIENT PAUSE / FAILOVER hold writes: no expiry deletes, no eviction (pause.ts). */
  writesPaused = false;
  /** Set by the replication link while it runs a command from our master. */
  applyingMasterStream = false;
  /** DEBUG SET-ACTIVE-EXPIRE: the cron's active expiry can be switched off (tests of lazy expiry). */
  activeExpireEnabled = true;
  /** DEBUG PAUSE-CRON: the cron's tasks (active expiry, hz hooks) are skipped, as Redis skips serverCron. */
  cronPaused = false;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call commands flagged noscript (Redis's test hook). */
  scriptDenyDisabled = false;
  /** Clients waiting to have their replies written at the end of this event-loop turn. */
  private readonly pendingFlush = new Set<Client>();
  private listeners: net.Server[] = [];
  private cronTimer: NodeJS.Timeout | null = null;
  private nextClientId = 1;
  shuttingDown = false;

  /** `commands`: another command table (Sentinel mode: its commands and their facts). */
  constructor(readonly config: Config, readonly log: Logger, commands?: { defs: CommandDef[]; facts: Record<string, FactNode> }) {
    const hooks = {
      onExpired: (db: Db, key: string) => {
        this.stats.expiredKeys++;
        notifyKeyspaceEvent(this, 'x', 'expired', keyBuf(key), db.id);
        this.propagate(db.id, [Buffer.from('DEL'), keyBuf(key)], false);
      },
      // While writes are paused keys expire logically but are not deleted, as on a replica.
      isReplica: () => this.isReplica || this.writesPaused,
      fromMaster: () => this.applyingMasterStream,
      now: () => Date.now(),
    };
    this.dbs = Array.from({ length: config.int('databases') }, (_, i) => new Db(i, hooks));
    this.table = commands ? new CommandTable(commands.defs, commands.facts) : new CommandTable(ALL_COMMANDS);
    for (const [from, to] of config.renames) this.table.rename(from, to);
    this.dispatch = new Dispatcher(this);
    this.info = new InfoRegistry(this);
    this.slowlog = new SlowLog(config);
    this.queryBufferLimit = config.int('client-query-buffer-limit');
    config.onChange('client-query-buffer-limit', (v) => (this.queryBufferLimit = Number(v)));
    config.onChange('loglevel', (v) => (this.log.level = v as Logger['level']));
  }

  now(): number {
    return Date.now();
  }

  get requirePass(): string {
    return this.config.get('requirepass');
  }

  /** Whether a new connection must authenticate first (the ACL module: the default user has a password or is off). */
  authRequired: () => boolean = () => this.requirePass !== '';

  /** Creates a client without a socket (master link, AOF loader, Lua-like internal callers). */
  createFakeClient(): Client {
    return new Client(0, null, this.dbs[0], Number.MAX_SAFE_INTEGER, false);
  }

  propagate(dbId: number, argv: Buffer[], fromMaster: boolean, target: PropagationTarget = 'all'): void {
    this.propagation.propagate(dbId, argv, fromMaster, target);
  }

  /** Queue a client's replies to be written at the end of the current turn. */
  scheduleFlush(c: Client): void {
    if (this.pendingFlush.size === 0) setImmediate(() => this.flushPending());
    this.pendingFlush.add(c);
  }

  flushPending(): void {
    if (this.pendingFlush.size === 0) return;
    for (const h of this.hooks.beforeFlush) h();
    for (const c of this.pendingFlush) {
      this.stats.netOutput += c.reply.queued;
      c.flush();
    }
    this.pendingFlush.clear();
  }

  /**
   * Processes bytes from a client: parse, run each command, then write all replies at once.
   * transient: chunk is the shared read buffer (socket-io.ts), reused after this call.
   */
  private onData(c: Client, chunk: Buffer, transient: boolean, run: (argv: Buffer[]) => void, runArgs: (args: CommandArgs) => void): void {
    this.stats.netInput += chunk.length;
    // One clock read per read: the client's last interaction and the first command's start time.
    const t = performance.now();
    c.lastIo = t;
    this.dispatch.timer.beginRead(t);
    try {
      // A pipeline's keys, or a multi-key command's: their cache misses overlap here instead of
      // stalling each lookup in turn (inside the try: a bug in this hint answers as a parser bug would).
      const keys = scanKeys(chunk, keyRanges, secondRanges);
      if (keys > 1) c.db.data.prefetch(chunk, keyRanges, keys, secondRanges);
      c.parser.feed(chunk, run, runArgs);
      this.dispatch.timer.endRead();
      if (transient) c.parser.detach();
      if (c.parser.pending() > this.queryBufferLimit) {
        this.log.warning(`Closing client that reached max query buffer length: ${c.addr}`);
        this.closeClient(c);
        return;
      }
    } catch (e) {
      this.dispatch.timer.endRead();
      // A parser bug leaves the stream's position unknown: answer and close, as on a protocol error.
      if (!(e instanceof ProtocolError)) c.reply.error(internalErrorsOf(this).record('protocol parser', e));
      else {
        this.log.verbose(`Protocol error (${e.message}) from client: ${c.addr}`);
        c.reply.error('ERR ' + e.message);
      }
      c.closeAfterReply = true;
      if (transient) c.parser.detach();
    }
    if (this.hooks.beforeFlush.length === 0 && this.pendingFlush.size === 0) {
      for (const h of this.hooks.beforeReply) h();
      this.stats.netOutput += c.reply.queued;
      c.flush();
    } else {
      // Group commit: replies wait for the end of this turn's reads (setImmediate runs after the
      // poll phase), so one AOF write + fsync covers every client served in the turn.
      this.scheduleFlush(c);
    }
  }

  /** One parsed command from a client's socket. */
  private runCommand(c: Client, argv: Buffer[]): void {
    if (c.closeAfterReply) return;
    try {
      this.dispatch.execute(c, argv);
    } catch (e) {
      // A bug outside the handler (a guard, a hook): the command's reply is this error.
      c.reply.error(internalErrorsOf(this).record(argv[0].toString('latin1').slice(0, 64).toLowerCase(), e));
    }
  }

  /** One command from a client's socket as a view of the read buffer (valid during this call). */
  private runArgs(c: Client, args: CommandArgs): void {
    if (c.closeAfterReply) return;
    try {
      this.dispatch.executeArgs(c, args);
    } catch (e) {
      c.reply.error(internalErrorsOf(this).record(args.name.toString('latin1').slice(0, 64).toLowerCase(), e));
    }
  }

  private onConnection(sock: net.Socket): void {
    this.stats.connections++;
    if (this.clients.size >= this.config.int('maxclients')) {
      this.stats.rejectedConnections++;
      sock.end('-ERR max number of clients reached\r\n');
      return;
    }
    if (this.config.bool('protected-mode') && !this.authRequired() && !isLoopback(sock.remoteAddress)) {
      sock.end('-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command \'CONFIG SET protected-mode no\' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to \'no\', and then restarting the server. 3) If you started the server manually just for testing, restart it with the \'--protected-mode no\' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n');
      return;
    }
    sock.setNoDelay(true);
    const keepalive = this.config.int('tcp-keepalive');
    if (keepalive > 0) sock.setKeepAlive(true, keepalive * 1000);
    const c = new Client(this.nextClientId++, sock, this.dbs[0], this.config.int('proto-max-bulk-len'), this.authRequired());
    this.clients.set(c.id, c);
    c.io = directWriter(sock, () => this.closeClient(c));
    // One closure per client for the parser's commands (not one per read).
    const run = (argv: Buffer[]) => this.runCommand(c, argv);
    const runArgs = (args: CommandArgs) => this.runArgs(c, args);
    if (!readDirect(sock, (chunk) => this.onData(c, chunk, true, run, runArgs))) sock.on('data', (chunk: Buffer) => this.onData(c, chunk, false, run, runArgs));
    sock.on('error', () => this.closeClient(c));
    sock.on('close', () => this.closeClient(c));
  }

  closeClient(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    this.clients.delete(c.id);
    this.monitors.delete(c);
    if (c.blocked?.timer) clearTimeout(c.blocked.timer);
    c.blocked = null;
    for (const h of this.hooks.clientClose) h(c);
    c.socket?.destroy();
  }

  /** Binds every `bind` address on `port` (a leading `-` marks an address that may be unavailable). */
  async listen(port = this.config.int('port')): Promise<void> {
    if (port === 0) return;
    const addrs = this.config.get('bind').split(' ').filter(Boolean);
    if (addrs.length === 0) throw new Error('Configured to not listen anywhere, exiting.');
    for (const raw of addrs) {
      const optional = raw.startsWith('-');
      let host = optional ? raw.slice(1) : raw;
      if (host === '*') host = '0.0.0.0';
      const srv = net.createServer({ noDelay: true }, (s) => this.onConnection(s));
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ port, host, backlog: this.config.int('tcp-backlog'), ipv6Only: host.includes(':') }, () => resolve());
        });
        this.listeners.push(srv);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (optional && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT' || code === 'EINVAL')) continue;
        throw new Error(`Warning: Could not create server TCP listening socket ${host}:${port}: ${code === 'EADDRINUSE' ? 'bind: Address already in use' : (e as Error).message}`);
      }
    }
    if (this.listeners.length === 0) throw new Error(`Failed listening on port ${port} (tcp), aborting.`);
  }

  /** CONFIG SET port: listens on the new port first, then closes the old sockets; on failure keeps the old ones and throws. */
  async relisten(port: number): Promise<void> {
    const old = this.listeners;
    this.listeners = [];
    try {
      await this.listen(port);
    } catch (e) {
      for (const l of this.listeners) l.close();
      this.listeners = old;
      throw e;
    }
    for (const l of old) l.close();
  }

  /** Starts the cron (active expiry, module tasks) at `hz` times per second. */
  startCron(): void {
    const tick = () => {
      // A failing task is an engine bug: counted and logged, and the cron keeps its schedule.
      try {
        if (!this.cronPaused) {
          if (this.activeExpireEnabled && !this.writesPaused) activeExpireCycle(this);
          for (const t of this.hooks.cron) t();
        }
        this.flushPending();
      } catch (e) {
        internalErrorsOf(this).record('serverCron', e);
      }
      this.cronTimer = setTimeout(tick, Math.max(1, Math.round(1000 / Math.max(1, this.config.int('hz')))));
      this.cronTimer.unref?.();
    };
    this.cronTimer = setTimeout(tick, 100);
  }

  writePidfile(): void {
    const f = this.config.get('pidfile');
    if (f) writeFileSync(f, `${process.pid}\n`);
  }

  /** Called after a SHUTDOWN command completed (main exits the process). */
  onExit: (code: number) => void = () => undefined;

  async requestShutdown(save: boolean | null): Promise<void> {
    await this.shutdown(save);
    this.onExit(0);
  }

  /** RESET: back to a fresh connection's state. */
  resetClient(c: Client): void {
    c.multi = null;
    for (const h of this.hooks.clientReset) h(c);
    c.dbIndex = 0;
    c.db = this.dbs[0];
    c.reply.resp = 2;
    c.name = '';
    c.replyMode = 'on';
    c.asking = false;
    c.readOnlyMode = false;
    c.noEvict = false;
    this.monitors.delete(c);
    c.authenticated = !this.authRequired();
    c.user = 'default';
    c.aclUser = null;
  }

  /** Stops listening, runs shutdown hooks, closes clients. `save`: true SAVE, false NOSAVE, null default. */
  async shutdown(save: boolean | null): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.log.warning('User requested shutdown...');
    for (const h of this.hooks.shutdown) await h({ save });
    if (this.cronTimer) clearTimeout(this.cronTimer);
    for (const l of this.listeners) l.close();
    for (const c of [...this.clients.values()]) {
      c.flush();
      this.closeClient(c);
    }
    const pid = this.config.get('pidfile');
    if (pid) {
      this.log.notice('Removing the pid file.');
      rmSync(pid, { force: true });
    }
    this.log.warning('Redis is now ready to exit, bye bye...');
  }
}

function isLoopback(addr: string | undefined): boolean {
  if (!addr) return true;
  return addr.startsWith('127.') || addr === '::1' || addr.startsWith('::ffff:127.');
}
