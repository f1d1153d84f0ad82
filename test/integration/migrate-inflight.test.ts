// A command on a key that a MIGRATE is still sending waits for that MIGRATE, as it would behind
// redis-server's synchronous MIGRATE: a DEL sent meanwhile must not be acknowledged while the target
// restores the key. The target here is a fake that answers only when the test lets it, so the
// MIGRATE is reliably in flight. Ports 14910-14911 (the reshard block).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, stopAll } from '../helpers/procs.js';
import { RespClient } from '../helpers/resp.js';

const SOURCE = 14910;
const TARGET = 14911;

/** A target that collects what it is sent and replies (one line per command) when told to. */
class SlowTarget {
  private readonly server = net.createServer((s) => this.socks.push(s.on('data', (d) => { this.got += d.toString('latin1'); })));
  private readonly socks: net.Socket[] = [];
  got = '';
  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(TARGET, '127.0.0.1', r));
  }
  async received(): Promise<void> {
    for (let i = 0; this.got === ''; i++) {
      if (i > 200) throw new Error('the MIGRATE never reached the target');
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  /** The RESTORE's reply, after +OK for a SELECT (sent by a connection's first MIGRATE). */
  answer(restoreReply: string): void {
    const select = this.got.includes('SELECT') ? '+OK\r\n' : '';
    for (const s of this.socks) if (!s.destroyed) s.write(`${select}${restoreReply}\r\n`);
    this.got = '';
  }
  close(): void {
    for (const s of this.socks) s.destroy();
    this.server.close();
  }
}

describe('commands on keys a MIGRATE is sending', () => {
  const target = new SlowTarget();
  let a: RespClient;
  let b: RespClient;
  let other: RespClient;
  beforeAll(async () => {
    await Promise.all([startEngine(SOURCE), target.listen()]);
    a = await RespClient.connect(SOURCE);
    b = await RespClient.connect(SOURCE);
    other = await RespClient.connect(SOURCE);
  });
  afterAll(async () => {
    for (const c of [a, b, other]) c.close();
    target.close();
    await stopAll();
  });

  it('a DEL waits for the MIGRATE and then finds the key gone', async () => {
    await a.call(['SET', 'k', 'v1']);
    const migrate = a.call(['MIGRATE', '127.0.0.1', String(TARGET), 'k', '0', '5000']);
    await target.received();
    let delReply: unknown;
    const del = b.call(['DEL', 'k']).then((r) => { delReply = r; });
    // Another key is served meanwhile: only the migrating key's commands wait.
    expect(await other.call(['SET', 'other', 'x'])).toEqual({ t: 'simple', v: 'OK' });
    expect(delReply).toBeUndefined();
    target.answer('+OK');
    expect(await migrate).toEqual({ t: 'simple', v: 'OK' });
    await del;
    expect(delReply).toEqual({ t: 'int', v: '0' });
    expect(await a.call(['EXISTS', 'k'])).toEqual({ t: 'int', v: '0' });
  });

  it('after a target error the key stays, and the held write then applies to it', async () => {
    await a.call(['SET', 'k2', 'v1']);
    const migrate = a.call(['MIGRATE', '127.0.0.1', String(TARGET), 'k2', '0', '5000']);
    await target.received();
    let setReply: unknown;
    const set = b.call(['SET', 'k2', 'v2']).then((r) => { setReply = r; });
    expect(await other.call(['GET', 'other'])).toEqual({ t: 'bulk', v: 'x' });
    expect(setReply).toBeUndefined();
    target.answer('-BUSYKEY Target key name already exists.');
    expect(await migrate).toEqual({ t: 'error', v: 'ERR Target instance replied with error: BUSYKEY Target key name already exists.' });
    await set;
    expect(setReply).toEqual({ t: 'simple', v: 'OK' });
    expect(await a.call(['GET', 'k2'])).toEqual({ t: 'bulk', v: 'v2' });
  });
});
