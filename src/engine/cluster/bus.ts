// The cluster bus transport: TCP links on the bus port carrying length-prefixed JSON frames (a 4-byte
// big-endian length, then the message). Engine nodes only talk to engine nodes here, so the format
// is ours; what the frames mean is in gossip.ts.
import net from 'node:net';

const MAX_FRAME = 64 * 1024 * 1024;

export class BusLink {
  private buf: Buffer = Buffer.alloc(0);
  closed = false;
  readonly createdAt = Date.now();
  /** The node this link talks to, once known (outbound: from the start; inbound: the first sender). */
  nodeId: string | null = null;

  constructor(
    readonly socket: net.Socket,
    readonly inbound: boolean,
    private readonly onMessage: (link: BusLink, msg: unknown) => void,
    private readonly onClose: (link: BusLink) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  get localAddress(): string {
    return (this.socket.localAddress ?? '').replace(/^::ffff:/, '');
  }

  get remoteAddress(): string {
    return (this.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  }

  send(msg: object): void {
    if (this.closed) return;
    const body = Buffer.from(JSON.stringify(msg));
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(body.length);
    this.socket.write(Buffer.concat([head, body]));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.onClose(this);
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    while (this.buf.length >= 4 && !this.closed) {
      const len = this.buf.readUInt32BE(0);
      if (len > MAX_FRAME) return this.close();
      if (this.buf.length < 4 + len) return;
      const body = this.buf.subarray(4, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      let msg: unknown;
      try {
        msg = JSON.parse(body.toString());
      } catch {
        return this.close(); // not one of ours: drop the peer
      }
      this.onMessage(this, msg);
    }
  }
}

export type LinkHandlers = {
  onMessage: (link: BusLink, msg: unknown) => void;
  onClose: (link: BusLink) => void;
};

/** Listens on the bus port of every bind address; each accepted socket becomes an inbound link. */
export async function listenBus(hosts: string[], port: number, h: LinkHandlers): Promise<net.Server[]> {
  const servers: net.Server[] = [];
  for (const host of hosts) {
    const srv = net.createServer((s) => new BusLink(s, true, h.onMessage, h.onClose));
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ port, host, ipv6Only: host.includes(':') }, () => resolve());
    }).catch((e: NodeJS.ErrnoException) => {
      if (hosts.length > 1 && (e.code === 'EADDRNOTAVAIL' || e.code === 'EAFNOSUPPORT')) return;
      throw new Error(`Could not bind the cluster bus on ${host}:${port}: ${e.code === 'EADDRINUSE' ? 'Address already in use' : e.message}`);
    });
    if (srv.listening) servers.push(srv);
  }
  return servers;
}

/** Opens an outbound link (connect errors arrive as a close). */
export function connectBus(host: string, port: number, h: LinkHandlers, sourceAddr?: string): BusLink {
  const s = net.connect({ host, port, localAddress: sourceAddr || undefined });
  return new BusLink(s, false, h.onMessage, h.onClose);
}
