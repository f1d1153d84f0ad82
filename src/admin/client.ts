// Connections for admin work, over kvctl's own RESP client (orchestrator/resp.ts): no reconnect loops,
// bounded timeouts, and one-line errors that name the node, so an unreachable or misconfigured node
// never turns into a hang or a stack trace.
import { UserError } from '../lib/errors.js';
import { RespConn, parseInfo, type Arg } from '../orchestrator/resp.js';
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
  /** Sends one command; Redis errors become UserErrors naming this node. */
  call(...args: Arg[]): Promise<unknown>;
  /** Sends one command; a Redis error rejects with the server's own text (callers that word it). */
  send(...args: Arg[]): Promise<unknown>;
  /** As send, with bulk strings as Buffers (keys). */
  sendBuffers(...args: Arg[]): Promise<unknown>;
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
  if (/protocol error/i.test(msg)) return `cannot talk to ${addr}: it does not speak the Redis protocol`;
  return `cannot connect to ${addr}: ${msg}`;
}

/** Opens a connection and verifies it with PING (which also checks credentials). */
export async function connect(addr: string, opts: ConnectOpts = {}): Promise<Conn> {
  const hp = parseHostPort(addr);
  const name = formatHostPort(hp);
  let c: RespConn | undefined;
  try {
    c = await RespConn.connect(hp.host, hp.port, {
      user: opts.user,
      password: opts.password,
      connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULT_CONNECT_MS,
      commandTimeoutMs: opts.commandTimeoutMs ?? DEFAULT_COMMAND_MS,
    });
    await c.send(['PING']);
  } catch (err) {
    c?.close();
    throw new UserError(describeConnectError(name, err));
  }
  const conn = c;
  return {
    addr: name,
    hp,
    async call(...args) {
      try {
        return await conn.send(args);
      } catch (err) {
        throw new UserError(`${name}: ${args.slice(0, 3).join(' ')}: ${(err as Error).message}`);
      }
    },
    send: (...args) => conn.send(args),
    sendBuffers: (...args) => conn.send(args, true),
    close: () => conn.close(),
  };
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

export { parseInfo };

export async function info(conn: Conn, section?: string): Promise<Record<string, string>> {
  return parseInfo(String(await conn.call('INFO', ...(section ? [section] : []))));
}
