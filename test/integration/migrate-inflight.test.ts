// A command on a key that a MIGRATE is still sending waits for that MIGRATE, as it would behind
// redis-server's synchronous MIGRATE: a DEL sent meanwhile must not be acknowledged while the target
// restores the key. The target here is a fake that answers only when the test lets it, so the
// MIGRATE is reliably in flight. Ports 14910-14911 (the reshard block).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, stopAll } from '../helpers/procs.js';
import { RespClient } from '../helpers/resp.js';
import { SlowTarget } from '../helpers/slow-target.js';

const SOURCE = 14910;
const TARGET = 14911;

describe('commands on keys a MIGRATE is sending', () => {
  const target = new SlowTarget(TARGET);
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

  /**
   * MIGRATEs `key` (holding v1) from client a, sends `command` from client b while the target has not
   * answered, checks that another client is served meanwhile but b's command is not, then lets the
   * target answer `targetReply`; returns the MIGRATE's and the held command's replies.
   */
  async function whileMigrating(key: string, command: string[], targetReply: string): Promise<[unknown, unknown]> {
    await a.call(['SET', key, 'v1']);
    const migrate = a.call(['MIGRATE', '127.0.0.1', String(TARGET), key, '0', '5000']);
    await target.received();
    let heldReply: unknown;
    const held = b.call(command).then((r) => { heldReply = r; });
    expect(await other.call(['PING'])).toEqual({ t: 'simple', v: 'PONG' });
    expect(heldReply).toBeUndefined();
    target.answer(targetReply);
    const migrated = await migrate;
    await held;
    return [migrated, heldReply];
  }

  it('a DEL waits for the MIGRATE and then finds the key gone', async () => {
    expect(await whileMigrating('k', ['DEL', 'k'], '+OK')).toEqual([{ t: 'simple', v: 'OK' }, { t: 'int', v: '0' }]);
    expect(await a.call(['EXISTS', 'k'])).toEqual({ t: 'int', v: '0' });
  });

  it('after a target error the key stays, and the held write then applies to it', async () => {
    expect(await whileMigrating('k2', ['SET', 'k2', 'v2'], '-BUSYKEY Target key name already exists.')).toEqual([
      { t: 'error', v: 'ERR Target instance replied with error: BUSYKEY Target key name already exists.' },
      { t: 'simple', v: 'OK' },
    ]);
    expect(await a.call(['GET', 'k2'])).toEqual({ t: 'bulk', v: 'v2' });
  });
});
