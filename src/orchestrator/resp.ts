// A small RESP2 client for readiness probing: `kvctl up` polls every node every ~25 ms while the nodes are
// starting, and loading ioredis costs more CPU (~100 ms) than all the probes of a fast `up` together. One
// socket per node, requests pipelined in order, bounded connect and command timeouts, no reconnects.
import net from 'node:net';

export interface Caller {
  call(...args: Array<string | number>): Promise<unknown>;
}

// The reply parser is the engine's (Sentinel reads replies with it too).
import { parseReply, RespError } from '../engine/protocol/reply-parser.js';

export { parseReply, RespError };

export function encodeCommand(args: Array<string | number>): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) {
    const v = String(a);
    s += `$${Buffer.byteLength(v)}\r\n${v}\r\n`;
  }
  return s;
}

export interface RespOpts {
  password?: string;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

export class RespConn implements Caller {
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void; what: string }> = [];
  private closedErr?: Error;

  private constructor(readonly addr: string, private readonly sock: net.Socket, private readonly commandTimeoutMs: number) {
    sock.on('data', (d) => this.onData(d));
    sock.on('error', (e) => this.fail(new Error(`${addr}: ${e.message}`)));
    sock.on('close', () => this.fail(new Error(`${addr}: connection closed`)));
  }

  static connect(host: string, port: number, opts: RespOpts = {}): Promise<RespConn> {
    const addr = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      sock.setNoDelay(true);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`${addr}: connect timed out`));
      }, opts.connectTimeoutMs ?? 1000);
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`${addr}: ${e.message}`));
      });
      sock.once('connect', () => {
        clearTimeout(timer);
        const c = new RespConn(addr, sock, opts.commandTimeoutMs ?? 2000);
        if (!opts.password) return resolve(c);
        c.call('AUTH', opts.password).then(() => resolve(c), (e: Error) => {
          c.close();
          reject(e);
        });
      });
    });
  }

  call(...args: Array<string | number>): Promise<unknown> {
    if (this.closedErr) return Promise.reject(this.closedErr);
    const what = args.slice(0, 2).join(' ');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`${this.addr}: ${what} timed out after ${this.commandTimeoutMs} ms`)), this.commandTimeoutMs);
      this.waiting.push({
        what,
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.sock.write(encodeCommand(args));
    });
  }

  close(): void {
    this.fail(new Error(`${this.addr}: connection closed`));
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    let pos = 0;
    try {
      for (;;) {
        const r = parseReply(this.buf, pos);
        if (!r) break;
        pos = r[1];
        const w = this.waiting.shift();
        if (!w) continue;
        if (r[0] instanceof RespError) w.reject(new RespError(`${this.addr}: ${w.what}: ${r[0].message}`));
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
