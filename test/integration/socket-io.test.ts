// The engine's direct socket path (src/engine/socket-io.ts: replies written to the TCP handle, reads
// into one shared buffer) against redis-server: byte-identical replies for pipelines cut at arbitrary
// read boundaries, inline commands, protocol errors and QUIT; replies to a client that stops reading
// (the write goes asynchronous and libuv holds the bytes) arrive complete and in order while other
// clients are served; a client that vanishes with replies pending does not disturb anyone.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, startEngine, startRedis, stopAll } from '../helpers/procs.js';
import { RespClient } from '../helpers/resp.js';

const REDIS = 12520;
const ENGINE = 12521;

function cmd(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('');
}

/** Sends chunks with a pause between them (so they arrive as separate reads) and returns every byte
 * received until the server closes the connection. */
function exchange(port: number, chunks: Buffer[], gapMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    s.on('close', () => resolve(Buffer.concat(got)));
    s.on('error', reject);
    s.on('connect', async () => {
      for (const c of chunks) {
        s.write(c);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

/** A deterministic pseudo-random sequence (the same cuts for both servers). */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

function cut(data: Buffer, rand: () => number, maxPiece: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length;) {
    const n = 1 + Math.floor(rand() * maxPiece);
    out.push(data.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe.skipIf(!hasRedisServer())('direct socket I/O', () => {
  beforeAll(async () => {
    await Promise.all([startRedis(REDIS), startEngine(ENGINE)]);
  });
  afterAll(stopAll);

  it('answers a pipeline cut at arbitrary read boundaries byte for byte as redis-server', async () => {
    const parts: string[] = [];
    for (let i = 0; i < 300; i++) {
      parts.push(cmd('SET', `k${i % 37}`, 'v'.repeat(i % 50) + i));
      parts.push(cmd('GET', `k${(i * 7) % 37}`));
      parts.push(cmd('RPUSH', 'l', `e${i}`, `f${i}`));
      if (i % 10 === 0) parts.push(`PING\r\nECHO  x${i}\t\r\nLRANGE l -3 -1\r\n`);
      if (i % 25 === 0) parts.push(cmd('SET', 'big', 'b'.repeat(40_000 + i)) + cmd('STRLEN', 'big'));
    }
    parts.push(cmd('FLUSHALL'), 'QUIT\r\n');
    const wire = Buffer.from(parts.join(''), 'latin1');
    for (const [seed, maxPiece] of [[1, 7], [2, 300], [3, 5000]] as const) {
      const chunks = cut(wire, rng(seed), maxPiece);
      // Few enough gaps to stay quick; the cuts still land inside lengths, CRLFs and values.
      const gap = chunks.length > 2000 ? 0 : 1;
      const [r, e] = [await exchange(REDIS, chunks, gap), await exchange(ENGINE, chunks, gap)];
      expect(e.length).toBe(r.length);
      expect(e.equals(r)).toBe(true);
    }
  }, 120_000);

  it('answers inline commands, quoting and a protocol error after replies as redis-server does', async () => {
    const wire = Buffer.from('PING\r\n  PING   hello \r\n\r\nECHO "a b" \'c d\'\r\nSET k "x\\x41y"\r\nGET k\r\n*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n+k\r\nPING\r\n', 'latin1');
    const [r, e] = [await exchange(REDIS, [wire], 0), await exchange(ENGINE, [wire], 0)];
    expect(e.toString('latin1')).toBe(r.toString('latin1'));
  });

  it('delivers replies to a client that stops reading, complete and in order, while others are served', async () => {
    const value = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < value.length; i++) value[i] = 97 + (i % 26);
    const setup = await RespClient.connect(ENGINE);
    expect(await setup.call(['SET', 'huge', value])).toEqual({ t: 'simple', v: 'OK' });
    const gets = 24;
    const slow = net.connect(ENGINE, '127.0.0.1');
    await new Promise<void>((r) => slow.once('connect', () => r()));
    slow.pause();
    // Small replies between the big ones: their order shows nothing was reordered.
    let pipeline = '';
    for (let i = 0; i < gets; i++) pipeline += cmd('GET', 'huge') + cmd('ECHO', `mark${i}`);
    slow.write(pipeline);
    await new Promise((r) => setTimeout(r, 300));
    // The engine keeps serving others while ~48 MB wait for the slow reader.
    for (let i = 0; i < 20; i++) expect(await setup.call(['PING'])).toEqual({ t: 'simple', v: 'PONG' });
    const bulk = `$${value.length}\r\n${value.toString('latin1')}\r\n`;
    const expected = Array.from({ length: gets }, (_, i) => bulk + `$${`mark${i}`.length}\r\nmark${i}\r\n`).join('');
    const got: Buffer[] = [];
    let n = 0;
    await new Promise<void>((resolve, reject) => {
      slow.on('data', (d: Buffer) => {
        got.push(d);
        n += d.length;
        if (n >= expected.length) resolve();
      });
      slow.on('error', reject);
      slow.resume();
    });
    expect(n).toBe(expected.length);
    expect(Buffer.concat(got).toString('latin1') === expected).toBe(true);
    slow.destroy();
    setup.close();
  }, 60_000);

  it('keeps serving when a client leaves with replies pending', async () => {
    const setup = await RespClient.connect(ENGINE);
    expect(await setup.call(['SET', 'v', 'x'.repeat(1024 * 1024)])).toEqual({ t: 'simple', v: 'OK' });
    for (let round = 0; round < 5; round++) {
      const s = net.connect(ENGINE, '127.0.0.1');
      await new Promise<void>((r) => s.once('connect', () => r()));
      s.pause();
      s.write(cmd('GET', 'v').repeat(40));
      await new Promise((r) => setTimeout(r, 50));
      s.destroy();
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(await setup.call(['PING'])).toEqual({ t: 'simple', v: 'PONG' });
    const list = await setup.call(['CLIENT', 'LIST']);
    // Only this client is left: the leavers were noticed and dropped.
    expect(list.t === 'bulk' && list.v !== null ? list.v.trim().split('\n').length : 0).toBe(1);
    setup.close();
  });
});
