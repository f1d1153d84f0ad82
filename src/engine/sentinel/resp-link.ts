// A small RESP2 client for Sentinel's links to the instances it watches (Redis's hiredis async
// contexts): commands are written at once and their replies matched in order; on a subscribed link
// pushed messages go to onMessage. Hand-written because it runs inside the lean engine entry, where
// loading a client library would cost start-up time.
import net from 'node:net';
import { encodeCommand } from '../protocol/command-encoder.js';
import { parseReply, type Reply } from '../protocol/reply-parser.js';

export { RespError as ReplyError, type Reply } from '../protocol/reply-parser.js';

type Callback = (r: Reply) => void;

export interface LinkOptions {
  host: string;
  port: number;
  /** Local address to connect from (bind-source-addr). */
  localAddress?: string;
  connectTimeoutMs: number;
}

export class RespLink {
  private sock: net.Socket | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private readonly queue: Callback[] = [];
  /** True once the TCP connection is established and until it closes. */
  connected = false;
  closed = false;
  /** Called for pushed pub/sub messages: (channel, message). */
  onMessage: ((channel: string, message: string) => void) | null = null;
  /** Called once when the link dies (error, close, timeout). */
  onClose: (() => void) | null = null;
  /** The local address of the socket (what Sentinel announces when no announce-ip is set). */
  localAddress = '';
  subscribed = false;

  constructor(readonly opts: LinkOptions) {}

  connect(onConnect: () => void): void {
    const s = net.connect({ host: this.opts.host, port: this.opts.port, localAddress: this.opts.localAddress });
    this.sock = s;
    s.setNoDelay(true);
    const timer = setTimeout(() => this.close(), this.opts.connectTimeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      this.connected = true;
      this.localAddress = (s.localAddress ?? '').replace(/^::ffff:/, '');
      onConnect();
    });
    s.on('data', (d: Buffer) => this.onData(d));
    s.on('error', () => this.close());
    s.on('close', () => {
      clearTimeout(timer);
      this.close();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Sends a command; cb gets its reply (a ReplyError for -ERR; never called if the link dies first). */
  send(args: (string | number)[], cb: Callback = () => undefined): boolean {
    if (this.closed || !this.sock) return false;
    this.queue.push(cb);
    this.sock.write(encodeCommand(args.map(String)));
    return true;
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    let pos = 0;
    try {
      for (;;) {
        const r = parseReply(this.buf, pos);
        if (!r) break;
        pos = r[1];
        this.dispatch(r[0]);
        if (this.closed) return;
      }
    } catch {
      this.close();
      return;
    }
    this.buf = pos >= this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
  }

  private dispatch(r: Reply): void {
    // A subscribed link gets ["message", channel, payload] pushes besides replies.
    if (this.subscribed && Array.isArray(r) && r[0] === 'message' && r.length === 3) {
      this.onMessage?.(String(r[1]), String(r[2]));
      return;
    }
    const cb = this.queue.shift();
    cb?.(r);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    this.queue.length = 0;
    this.sock?.destroy();
    this.onClose?.();
  }
}
