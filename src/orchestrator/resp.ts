// kvctl's one RESP2 client (the CLI imports no other): readiness probes, status, the supervisor's watch,
// and the admin library (admin/client.ts wraps it with errors that name the node). Loading ioredis cost
// the CLI 100-470 ms of start-up, more CPU than all the probes of a fast `up` together. One socket per
// node, requests pipelined in order, bounded connect and command timeouts, no reconnects.
import net from 'node:net';
import { encodeCommand } from '../engine/protocol/command-encoder.js';
// The reply parser is the engine's (Sentinel reads replies with it too).
import { parseReply, RespError } from '../engine/protocol/reply-parser.js';
import { respTrace } from './resp-trace.js';

export { encodeCommand, parseReply, RespError };

/** A command argument: strings go as UTF-8, Buffers as they are (keys), numbers in decimal. */
export type Arg = string | number | Buffer;

export interface Caller {
  call(...args: Arg[]): Promise<unknown>;
}

export interface RespOpts {
  password?: string;
  /** ACL user to log in as (AUTH user password); the default user when omitted. */
  user?: string;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/** A connection failure; `code` is the socket's (ECONNREFUSED, ...) when there is one. */
export class RespConnectError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

interface Waiter {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  buffers: boolean;
}

export class RespConn implements Caller {
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: Waiter[] = [];
  private closedErr?: Error;
  private corked = false;

  private constructor(readonly addr: string, private readonly sock: net.Socket, private readonly commandTimeoutMs: number) {
    sock.on('data', (d) => this.onData(d));
    sock.on('error', (e) => this.fail(new RespConnectError(`${addr}: ${e.message}`, (e as NodeJS.ErrnoException).code)));
    sock.on('close', () => this.fail(new Error(`${addr}: connection closed`)));
  }

  static connect(host: string, port: number, opts: RespOpts = {}): Promise<RespConn> {
    const addr = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      sock.setNoDelay(true);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new RespConnectError(`${addr}: connect timed out`, 'ETIMEDOUT'));
      }, opts.connectTimeoutMs ?? 1000);
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(new RespConnectError(`${addr}: ${e.message}`, (e as NodeJS.ErrnoException).code));
      });
      sock.once('connect', () => {
        clearTimeout(timer);
        const c = new RespConn(addr, sock, opts.commandTimeoutMs ?? 2000);
        if (!opts.password) return resolve(c);
        const auth = opts.user ? ['AUTH', opts.user, opts.password] : ['AUTH', opts.password];
        c.send(auth).then(() => resolve(c), (e: Error) => {
          // A password given for a node that has none is not an error (as ioredis and redis-cli).
          if (!opts.user && /without any password configured|no password is set/i.test(e.message)) return resolve(c);
          c.close();
          reject(e);
        });
      });
    });
  }

  /** Sends a command; a -ERR reply rejects with a RespError naming this node and the command. */
  call(...args: Arg[]): Promise<unknown> {
    return this.send(args).catch((e: Error) => {
      throw e instanceof RespError ? new RespError(`${this.addr}: ${args.slice(0, 2).join(' ')}: ${e.message}`) : e;
    });
  }

  /**
   * Sends a command; resolves with the reply (bulk strings as Buffers with `buffers`), rejects with the
   * server's own RespError for a -ERR reply, or an Error naming this node when the connection fails.
   */
  send(args: Arg[], buffers = false): Promise<unknown> {
    if (this.closedErr) return Promise.reject(this.closedErr);
    const what = args.slice(0, 2).join(' ');
    const sentAt = respTrace ? performance.now() : 0;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new RespConnectError(`${this.addr}: ${what} timed out after ${this.commandTimeoutMs} ms`, 'ETIMEDOUT')), this.commandTimeoutMs);
      this.waiting.push({
        buffers,
        resolve: (v) => { clearTimeout(timer); respTrace?.(sentAt, this.addr, args); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.writeSoon(encodeCommand(args));
    });
  }

  /**
   * Commands sent in the same tick leave in one write: a pipeline of SETSLOTs then reaches the node
   * in one read, so it runs them in one turn (one nodes.conf save, one reply write) instead of one
   * syscall and possibly one turn per command.
   */
  private writeSoon(data: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.sock.cork();
      process.nextTick(() => {
        this.corked = false;
        this.sock.uncork();
      });
    }
    this.sock.write(data);
  }

  close(): void {
    this.fail(new Error(`${this.addr}: connection closed`));
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    let pos = 0;
    try {
      for (;;) {
        const r = parseReply(this.buf, pos, this.waiting[0]?.buffers);
        if (!r) break;
        pos = r[1];
        const w = this.waiting.shift();
        if (!w) continue;
        if (r[0] instanceof RespError) w.reject(r[0]);
        else w.resolve(r[0]);
      }
    } catch (e) {
      return this.fail(new Error(`${this.addr}: ${(e as Error).message}`));
    }
    this.buf = this.buf.subarray(pos);
  }

  private fail(err: Error): void {
    if (!this.closedErr) {
      this.closedErr = err;
      this.sock.destroy();
    }
    for (const w of this.waiting.splice(0)) w.reject(err);
  }
}

/** One cached connection per address. */
export class RespPool {
  private readonly conns = new Map<string, Promise<RespConn>>();
  constructor(private readonly opts: RespOpts = {}) {}

  get(host: string, port: number): Promise<RespConn> {
    const key = `${host}:${port}`;
    let c = this.conns.get(key);
    if (!c) {
      c = RespConn.connect(host, port, this.opts);
      c.catch(() => this.conns.delete(key));
      this.conns.set(key, c);
    }
    return c;
  }

  /** Forgets (and closes) the connection to host:port. */
  drop(host: string, port: number): void {
    const key = `${host}:${port}`;
    this.conns.get(key)?.then((x) => x.close(), () => undefined);
    this.conns.delete(key);
  }

  closeAll(): void {
    for (const c of this.conns.values()) c.then((x) => x.close(), () => undefined);
    this.conns.clear();
  }
}

/** INFO text as a field map. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n').flatMap((l) => l.split('\n'))) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export async function infoOf(c: Caller, section?: string): Promise<Record<string, string>> {
  return parseInfo(String(await (section ? c.call('INFO', section) : c.call('INFO'))));
}
