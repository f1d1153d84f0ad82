// ioredis connections for admin work: no reconnect loops, bounded timeouts, and one-line errors that
// name the node, so an unreachable or misconfigured node never turns into a hang or a stack trace.
import { Redis } from 'ioredis';
import { UserError } from '../lib/errors.js';
import { parseHostPort, formatHostPort, type HostPort } from '../lib/hostport.js';

export interface AuthOpts {
  password?: string;
  user?: string;
}

export interface ConnectOpts extends AuthOpts {
  connectTimeoutMs?: number;
  /** Per-command timeout; MIGRATE of big batches needs more than the default. */
  commandTimeoutMs?: number;
}

export interface Conn {
  addr: string;
  hp: HostPort;
  redis: Redis;
  /** Sends one command; Redis errors become UserErrors naming this node. */
  call(...args: (string | number | Buffer)[]): Promise<unknown>;
  close(): void;
}

const DEFAULT_CONNECT_MS = 3000;
const DEFAULT_COMMAND_MS = 15_000;

export function describeConnectError(addr: string, err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = String(e.message ?? err);
  if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(msg)) {
    return `authentication failed on ${addr}: ${msg.replace(/^ReplyError: /, '')} (use -a/--password and --user)`;
  }
  if (e.code === 'ECONNREFUSED') return `cannot connect to ${addr}: connection refused (is the node running?)`;
  if (e.code === 'ETIMEDOUT' || /timed? ?out/i.test(msg)) return `cannot connect to ${addr}: timed out`;
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return `cannot connect to ${addr}: unknown host`;
  if (/Protocol error/.test(msg)) return `cannot talk to ${addr}: it does not speak the Redis protocol`;
  return `cannot connect to ${addr}: ${msg}`;
}

/** Opens a connection and verifies it with PING (which also checks credentials). */
export async function connect(addr: string, opts: ConnectOpts = {}): Promise<Conn> {
  const hp = parseHostPort(addr);
  const name = formatHostPort(hp);
  const redis = new Redis({
    host: hp.host,
    port: hp.port,
    username: opts.user,
    password: opts.password,
    lazyConnect: true,
    connectTimeout: opts.connectTimeoutMs ?? DEFAULT_CONNECT_MS,
    commandTimeout: opts.commandTimeoutMs ?? DEFAULT_COMMAND_MS,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
  });
  // Without a listener ioredis prints unhandled 'error' events; failures surface through the promises.
  // The socket error (ECONNREFUSED...) says more than connect()'s "Connection is closed".
  let socketErr: unknown;
  redis.on('error', (e) => { socketErr ??= e; });
  try {
    await redis.connect();
    await redis.call('PING');
  } catch (err) {
    // A refused or dropped connection has already ended; disconnect() would then arm ioredis's 2 s
    // "destroy the stream" timer that nothing clears, and keep the CLI alive for 2 s after its work.
    if (redis.status !== 'end') redis.disconnect();
    throw new UserError(describeConnectError(name, socketErr ?? err));
  }
  const conn: Conn = {
    addr: name,
    hp,
    redis,
    async call(...args) {
      try {
        return await redis.call(String(args[0]), ...args.slice(1));
      } catch (err) {
        throw new UserError(`${name}: ${args.slice(0, 3).join(' ')}: ${(err as Error).message}`);
      }
    },
    close: () => redis.disconnect(),
  };
  return conn;
}

/** A connection pool keyed by address, so a long operation reuses one socket per node. */
export class Pool {
  private readonly conns = new Map<string, Promise<Conn>>();
  constructor(readonly opts: ConnectOpts = {}) {}

  get(addr: string): Promise<Conn> {
    const key = formatHostPort(parseHostPort(addr));
    let c = this.conns.get(key);
    if (!c) {
      c = connect(key, this.opts);
      // A failed connect must not stay cached: the node may come back.
      c.catch(() => this.conns.delete(key));
      this.conns.set(key, c);
    }
    return c;
  }

  /** Like get, but resolves undefined for unreachable nodes. */
  async tryGet(addr: string): Promise<Conn | undefined> {
    try {
      return await this.get(addr);
    } catch {
      return undefined;
    }
  }

  closeAll(): void {
    for (const c of this.conns.values()) c.then((x) => x.close(), () => undefined);
    this.conns.clear();
  }
}

/** Parses INFO text into a field map. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export async function info(conn: Conn, section?: string): Promise<Record<string, string>> {
  return parseInfo(String(await conn.call('INFO', ...(section ? [section] : []))));
}
