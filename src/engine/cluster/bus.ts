// The cluster bus transport: TCP links on the bus port carrying Redis 7.0's binary messages. This
// file only cuts the byte stream into whole messages (the "RCmb" signature, then the total length);
// wire.ts decodes them and gossip.ts says what they mean.
import net from 'node:net';
import { directWriter, onReads, writeOwned, type DirectWriter } from '../socket-io.js';
import { HEADER_LEN, SIG } from './wire.js';

/** A PUBLISH can carry a 512 MB message (proto-max-bulk-len); anything beyond is not a peer. */
const MAX_FRAME = 1024 * 1024 * 1024 + HEADER_LEN;
const SIG_BUF = Buffer.from(SIG, 'latin1');

export class BusLink {
  private buf: Buffer = Buffer.alloc(0);
  closed = false;
  readonly createdAt = Date.now();
  /** The node this link talks to, once known (outbound: from the start; inbound: the first sender). */
  nodeId: string | null = null;
  /** Writes below the stream layer (socket-io.ts), once connected: a reshard's importer sends a PONG per batch. */
  private io: DirectWriter | null = null;

  constructor(
    readonly socket: net.Socket,
    readonly inbound: boolean,
    private readonly onMessage: (link: BusLink, frame: Buffer) => void,
    private readonly onClose: (link: BusLink) => void,
  ) {
    socket.setNoDelay(true);
    if (inbound) this.goDirect();
    else socket.once('connect', () => this.goDirect());
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  /**
   * Reads through the shared read buffer (its chunks are only valid during the call, so onData
   * copies what it keeps), or 'data' events where that is not possible.
   */
  private goDirect(): void {
    if (this.closed) return;
    this.io = directWriter(this.socket, () => this.close());
    onReads(this.socket, (d, borrowed) => this.onData(d, borrowed));
  }

  get localAddress(): string {
    return (this.socket.localAddress ?? '').replace(/^::ffff:/, '');
  }

  get remoteAddress(): string {
    return (this.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  }

  send(frame: Buffer): void {
    if (this.closed) return;
    writeOwned(this.io, this.socket, frame);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.onClose(this);
  }

  private onData(d: Buffer, borrowed: boolean): void {
    // concat copies; a borrowed chunk alone is copied so the frames cut from it outlive the call.
    this.buf = this.buf.length !== 0 ? Buffer.concat([this.buf, d]) : borrowed ? Buffer.from(d) : d;
    while (this.buf.length >= 8 && !this.closed) {
      const len = this.buf.readUInt32BE(4);
      // As Redis: a wrong signature or a length below the header's is not a bus peer; drop the link.
      if (this.buf.compare(SIG_BUF, 0, 4, 0, 4) !== 0 || len < HEADER_LEN || len > MAX_FRAME) return this.close();
      if (this.buf.length < len) return;
      const frame = this.buf.subarray(0, len);
      this.buf = this.buf.subarray(len);
      this.onMessage(this, frame);
    }
  }
}

export type LinkHandlers = {
  onMessage: (link: BusLink, frame: Buffer) => void;
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
