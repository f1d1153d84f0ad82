// Malformed and hostile clients get Redis's protocol errors and are disconnected, while a normal
// client on the same server keeps working; limits (maxclients, unauthenticated sizes) apply.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { PORTS } from '../helpers/ports.js';
import { startEngine, stopAll } from '../helpers/procs.js';

const PORT = PORTS.core + 100;

/** Sends raw bytes, returns everything received until the server closes the connection. */
function rawExchange(port: number, chunks: (string | Buffer)[]): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', () => resolve(got));
    s.on('error', () => resolve(got)); // a reset while we still write: the server closed on us
    s.on('connect', () => {
      for (const c of chunks) s.write(c);
    });
    setTimeout(() => {
      s.destroy();
      resolve(got + '<still open>');
    }, 1000).unref();
  });
}

describe('hostile input', () => {
  beforeAll(async () => {
    await startEngine(PORT, { args: ['--proto-max-bulk-len', '4mb', '--client-query-buffer-limit', '1mb'] });
  });
  afterAll(stopAll);

  it('answers protocol errors and closes, without disturbing a normal client', async () => {
    const good = new Redis({ port: PORT, lazyConnect: true });
    good.on('error', () => undefined); // only this test's own failures matter
    await good.connect();
    let stop = false;
    let ok = 0;
    const loop = (async () => {
      while (!stop) {
        await good.set('k', String(ok));
        expect(await good.get('k')).toBe(String(ok));
        ok++;
      }
    })();
    const cases: [(string | Buffer)[], string][] = [
      [['*abc\r\n'], '-ERR Protocol error: invalid multibulk length\r\n'],
      [['*1\r\n+foo\r\n'], "-ERR Protocol error: expected '$', got '+'\r\n"],
      [['*1\r\n$99999999999\r\n'], '-ERR Protocol error: invalid bulk length\r\n'],
      [['*1\r\n$5000000\r\n'], '-ERR Protocol error: invalid bulk length\r\n'],
      [['PING\r\nGET "unbalanced\r\nPING\r\n'], '+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n'],
      [['x'.repeat(70000)], '-ERR Protocol error: too big inline request\r\n'],
      [['*' + '1'.repeat(70000)], '-ERR Protocol error: too big mbulk count string\r\n'],
      [[Buffer.from([0xfe, 0xff, 32, 0, 0x41, 13, 10])], "-ERR unknown command '\u00fe\u00ff', with args beginning with: \r\n<still open>"],
    ];
    const replies = await Promise.all(cases.map(([chunks]) => rawExchange(PORT, chunks)));
    expect(replies).toEqual(cases.map(([, want]) => want));
    // A client that streams a huge argument past client-query-buffer-limit is dropped.
    const flood = await rawExchange(PORT, ['*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n', Buffer.alloc(600000, 97), Buffer.alloc(600000, 97)]);
    expect(flood).toBe('');
    stop = true;
    await loop;
    expect(ok).toBeGreaterThan(0);
    expect(await good.ping()).toBe('PONG');
    good.disconnect();
  });

  it('pipelines many commands in one write and answers them in order', async () => {
    const n = 500;
    const wire = Array.from({ length: n }, (_, i) => `*3\r\n$3\r\nSET\r\n$2\r\np${i % 10}\r\n$${String(i).length}\r\n${i}\r\n`).join('') + 'PING\r\n';
    const s = net.connect(PORT, '127.0.0.1');
    const got = await new Promise<string>((resolve) => {
      let acc = '';
      s.on('data', (d) => {
        acc += d.toString();
        if (acc.endsWith('+PONG\r\n')) resolve(acc);
      });
      s.write(wire);
    });
    s.destroy();
    expect(got).toBe('+OK\r\n'.repeat(n) + '+PONG\r\n');
  });
});

describe('limits', () => {
  const port = PORTS.core + 101;
  beforeAll(async () => {
    await startEngine(port, { args: ['--maxclients', '2', '--requirepass', 'secret'] });
  });
  afterAll(stopAll);

  const FULL = '-ERR max number of clients reached\r\n';
  /** Sends `chunks` on a new connection until the server has closed a client we dropped (no FULL). */
  async function onceRoom(chunks: string[]): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const got = await rawExchange(port, chunks);
      if (got !== FULL || Date.now() > deadline) return got;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('refuses clients over maxclients and applies unauthenticated limits', async () => {
    const a = net.connect(port, '127.0.0.1');
    const b = net.connect(port, '127.0.0.1');
    await Promise.all([a, b].map((s) => new Promise((r) => s.once('connect', r))));
    expect(await rawExchange(port, ['PING\r\n'])).toBe(FULL);
    a.destroy();
    expect(await onceRoom(['*11\r\n'])).toBe('-ERR Protocol error: unauthenticated multibulk length\r\n');
    b.destroy();
    expect(await onceRoom(['PING\r\nAUTH wrong\r\nAUTH secret\r\nPING\r\nQUIT\r\n'])).toBe(
      '-NOAUTH Authentication required.\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n+PONG\r\n+OK\r\n',
    );
  });
});
