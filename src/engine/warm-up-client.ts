// The start-up snapshot's warm-up (warm-up.ts) talks to its throwaway servers over real sockets:
// free loopback ports for them, and a minimal RESP client that sends one command at a time.
import net from 'node:net';
import { encodeCommand } from './protocol/command-encoder.js';
import { parseReply, RespError, type Reply } from './protocol/reply-parser.js';

/**
 * n ports nobody listens on right now, all held at once so that none is handed out twice (the
 * engine's port 0 means "no TCP", as redis-server's).
 */
export async function freePorts(n: number): Promise<number[]> {
  const held = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = held.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** One connection; call() resolves with the reply (an error reply rejects). */
export class WarmClient {
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(port: number): Promise<WarmClient> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port, host: '127.0.0.1' });
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        resolve(new WarmClient(sock));
      });
    });
  }

  call(...argv: (string | number)[]): Promise<Reply> {
    this.sock.write(encodeCommand(argv));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  close(): void {
    this.sock.destroy();
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    let pos = 0;
    for (let r = parseReply(this.buf, pos); r; r = parseReply(this.buf, pos)) {
      pos = r[1];
      const w = this.waiting.shift();
      if (r[0] instanceof RespError) w?.reject(r[0]);
      else w?.resolve(r[0]);
    }
    this.buf = this.buf.subarray(pos);
  }

  private fail(e: Error): void {
    for (const w of this.waiting.splice(0)) w.reject(e);
  }
}
