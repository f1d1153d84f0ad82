// A minimal raw RESP client for tests: sends commands and returns replies as tagged values, so
// differential tests compare types (simple vs bulk, null vs empty, map vs array) exactly.
import net from 'node:net';

export type Reply =
  | { t: 'simple'; v: string }
  | { t: 'error'; v: string }
  | { t: 'int'; v: string }
  | { t: 'bulk'; v: string | null }
  | { t: 'array' | 'set' | 'push'; v: Reply[] | null }
  | { t: 'map'; v: [Reply, Reply][] }
  | { t: 'double' | 'bool' | 'bignum' | 'verbatim'; v: string }
  | { t: 'null' };

function parseReply(buf: Buffer, pos: { i: number }): Reply | undefined {
  if (pos.i >= buf.length) return undefined;
  const type = String.fromCharCode(buf[pos.i]);
  const nl = buf.indexOf('\r\n', pos.i);
  if (nl === -1) return undefined;
  const line = buf.toString('latin1', pos.i + 1, nl);
  const start = pos.i;
  pos.i = nl + 2;
  const agg = (n: number): Reply[] | undefined => {
    const out: Reply[] = [];
    for (let k = 0; k < n; k++) {
      const r = parseReply(buf, pos);
      if (r === undefined) return undefined;
      out.push(r);
    }
    return out;
  };
  let r: Reply | undefined;
  switch (type) {
    case '+': r = { t: 'simple', v: line }; break;
    case '-': r = { t: 'error', v: line }; break;
    case ':': r = { t: 'int', v: line }; break;
    case '_': r = { t: 'null' }; break;
    case ',': r = { t: 'double', v: line }; break;
    case '#': r = { t: 'bool', v: line }; break;
    case '(': r = { t: 'bignum', v: line }; break;
    case '$': case '=': {
      const n = Number(line);
      if (n < 0) { r = { t: 'bulk', v: null }; break; }
      if (buf.length < pos.i + n + 2) { r = undefined; break; }
      const s = buf.toString('latin1', pos.i, pos.i + n);
      pos.i += n + 2;
      r = type === '$' ? { t: 'bulk', v: s } : { t: 'verbatim', v: s };
      break;
    }
    case '*': case '~': case '>': {
      const n = Number(line);
      if (n < 0) { r = { t: 'array', v: null }; break; }
      const items = agg(n);
      r = items && { t: type === '*' ? 'array' : type === '~' ? 'set' : 'push', v: items };
      break;
    }
    case '%': {
      const items = agg(Number(line) * 2);
      if (items) {
        const pairs: [Reply, Reply][] = [];
        for (let k = 0; k < items.length; k += 2) pairs.push([items[k], items[k + 1]]);
        r = { t: 'map', v: pairs };
      }
      break;
    }
    default: throw new Error(`bad RESP type byte ${JSON.stringify(type)} at ${start}`);
  }
  if (r === undefined) pos.i = start;
  return r;
}

export function encodeCommand(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export class RespClient {
  private buf = Buffer.alloc(0);
  private waiters: ((r: Reply) => void)[] = [];
  private closedFlag = false;
  /** Push messages (RESP3 `>`) and anything arriving with no waiter. */
  readonly unsolicited: Reply[] = [];

  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
    sock.on('close', () => { this.closedFlag = true; });
    sock.on('error', () => { this.closedFlag = true; });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host });
      s.once('connect', () => resolve(new RespClient(s)));
      s.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  private drain(): void {
    for (;;) {
      const pos = { i: 0 };
      const r = parseReply(this.buf, pos);
      if (r === undefined) return;
      this.buf = this.buf.subarray(pos.i);
      const w = this.waiters.shift();
      if (w) w(r);
      else this.unsolicited.push(r);
    }
  }

  /** Sends one command and resolves with its reply (rejects after timeoutMs). */
  call(args: (string | Buffer)[], timeoutMs = 15_000): Promise<Reply> {
    this.sock.write(encodeCommand(args));
    return this.next(timeoutMs);
  }

  /** Sends raw bytes (inline commands, malformed input). */
  writeRaw(data: string | Buffer): void {
    this.sock.write(data);
  }

  /** The next reply, whatever sent it. */
  next(timeoutMs = 5000): Promise<Reply> {
    const queued = this.unsolicited.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        const i = this.waiters.indexOf(done);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (r: Reply) => { clearTimeout(t); resolve(r); };
      this.waiters.push(done);
    });
  }

  /** Resolves when the server closes the connection. */
  waitClosed(timeoutMs = 5000): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('connection still open')), timeoutMs);
      this.sock.once('close', () => { clearTimeout(t); resolve(); });
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

/** The clients a test file opens, closed together when it is done (afterAll). */
export class ClientPool {
  private readonly open: RespClient[] = [];

  async connect(port: number): Promise<RespClient> {
    const c = await RespClient.connect(port);
    this.open.push(c);
    return c;
  }

  closeAll(): void {
    for (const c of this.open.splice(0)) c.close();
  }
}

/** Waits until the replica on `port` reports its link to the master up (INFO replication). */
export async function waitLinkUp(port: number, timeoutMs = 10_000): Promise<void> {
  const c = await RespClient.connect(port);
  try {
    for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
      const r = await c.call(['INFO', 'replication']);
      if (r.t === 'bulk' && r.v?.includes('master_link_status:up')) return;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`replica on ${port}: link not up within ${timeoutMs} ms`);
  } finally {
    c.close();
  }
}
