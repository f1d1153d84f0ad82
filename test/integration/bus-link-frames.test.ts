// The cluster bus's framing over direct reads (bus.ts with socket-io.ts's shared read buffer): a frame
// split across reads, and the frames received before it, must keep their bytes after later reads
// reuse the buffer. Loopback, bus port 24960 (test block 14960-14989, bus = port + 10000).
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { listenBus, type BusLink } from '../../src/engine/cluster/bus.js';
import { HEADER_LEN, SIG } from '../../src/engine/cluster/wire.js';

const BUS_PORT = 24960;

/** A frame that passes the link's checks (signature, total length), its body a numbered pattern. */
function frame(seed: number, len = HEADER_LEN + 100): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 8; i < len; i++) b[i] = (seed * 31 + i) & 0xff;
  b.write(SIG, 0, 'latin1');
  b.writeUInt32BE(len, 4);
  return b;
}

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('bus link framing', () => {
  it('delivers whole frames intact when they are split across reads and followed by more reads', async () => {
    const got: Buffer[] = [];
    const closed: BusLink[] = [];
    servers.push(...await listenBus(['127.0.0.1'], BUS_PORT, {
      onMessage: (_link, f) => got.push(f),
      onClose: (link) => closed.push(link),
    }));
    const sock = net.connect({ host: '127.0.0.1', port: BUS_PORT });
    sockets.push(sock);
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const frames = [frame(1), frame(2), frame(3, HEADER_LEN + 5000), frame(4), frame(5)];
    const pause = () => new Promise((r) => setTimeout(r, 30));
    // Frame 1 whole; frame 2 cut in three reads; frame 3 starts in the read that ends frame 2.
    sock.write(frames[0]);
    await pause();
    sock.write(frames[1].subarray(0, 5));
    await pause();
    sock.write(frames[1].subarray(5, 900));
    await pause();
    sock.write(Buffer.concat([frames[1].subarray(900), frames[2].subarray(0, 1000)]));
    await pause();
    sock.write(Buffer.concat([frames[2].subarray(1000), frames[3]]));
    await pause();
    // A read that overwrites the start of the shared buffer after everything above was delivered.
    sock.write(frames[4]);
    for (let i = 0; i < 100 && got.length < frames.length; i++) await pause();
    expect(closed).toEqual([]);
    expect(got.length).toBe(frames.length);
    got.forEach((f, i) => expect(f.equals(frames[i]!)).toBe(true));
  });
});
