// MIGRATEs pipelined behind a held MIGRATE start while it waits for its target (cluster/migrate-ahead.ts),
// yet every reply comes in its turn and a command queued between two MIGRATEs still sees the state
// redis-server's one-at-a-time MIGRATE would show it. The target is a fake that answers only when
// told, so what reached it while the first MIGRATE is in flight shows which MIGRATEs started.
// Ports 14920-14922 (the reshard block; 14922's bus port is 24922).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, stopAll } from '../helpers/procs.js';
import { ClientPool, RespClient, type Reply } from '../helpers/resp.js';
import { SlowTarget } from '../helpers/slow-target.js';
import { clusterOk, waitFor } from './cluster-kit.js';

const SOURCE = 14920;
const TARGET = 14921;
const CLUSTER_SOURCE = 14922;
const OK = { t: 'simple', v: 'OK' };

const migrate = (...keys: string[]) => ['MIGRATE', '127.0.0.1', String(TARGET), '', '0', '5000', 'KEYS', ...keys];

/** A reply's text (bulk, simple, integer). */
const text = (r: Reply): string => String('v' in r ? r.v : '');

/** Sends the commands back to back on one connection; resolves with their replies in order. */
function pipeline(c: RespClient, cmds: string[][]): Promise<Reply[]> {
  return Promise.all(cmds.map((cmd) => c.call(cmd)));
}

describe('MIGRATEs started ahead of their turn', () => {
  const target = new SlowTarget(TARGET);
  const pool = new ClientPool();
  const connect = (port: number) => pool.connect(port);
  beforeAll(async () => {
    await Promise.all([
      startEngine(SOURCE),
      startEngine(CLUSTER_SOURCE, { args: ['--cluster-enabled', 'yes'] }),
      target.listen(),
    ]);
    const c = await connect(CLUSTER_SOURCE);
    expect(await c.call(['CLUSTER', 'ADDSLOTSRANGE', '0', '16383'])).toEqual(OK);
    await waitFor('the one-node cluster to be ok', () => clusterOk([CLUSTER_SOURCE]));
  });
  afterAll(async () => {
    pool.closeAll();
    target.close();
    await stopAll();
  });

  it('start together, answer in order, and hold other clients on their keys meanwhile', async () => {
    const a = await connect(SOURCE);
    const b = await connect(SOURCE);
    const other = await connect(SOURCE);
    for (const k of ['k1', 'k2', 'k3']) await a.call(['SET', k, `v-${k}`]);
    const replies = pipeline(a, [migrate('k1'), migrate('k2'), migrate('k3')]);
    // Without the look-ahead only k1's RESTORE leaves before the target answers it.
    await target.received('RESTORE', 3);
    let got: Reply | undefined;
    const held = b.call(['GET', 'k3']).then((r) => { got = r; });
    expect(await other.call(['PING'])).toEqual({ t: 'simple', v: 'PONG' });
    expect(got).toBeUndefined();
    target.answer('+OK', '-BUSYKEY Target key name already exists.', '+OK');
    expect(await replies).toEqual([OK, { t: 'error', v: 'ERR Target instance replied with error: BUSYKEY Target key name already exists.' }, OK]);
    await held;
    expect(got).toEqual({ t: 'bulk', v: null });
    expect(await a.call(['MGET', 'k1', 'k2', 'k3'])).toEqual({ t: 'array', v: [{ t: 'bulk', v: null }, { t: 'bulk', v: 'v-k2' }, { t: 'bulk', v: null }] });
  });

  it('stops starting early once 8 MB of payloads are in flight, and runs the rest in their turn', async () => {
    const a = await connect(SOURCE);
    const keys = ['big1', 'big2', 'big3', 'big4', 'big5'];
    // ~3 MB each (random base64: LZF leaves it about that size): the early ones reach 8 MB at the fourth.
    for (const k of keys) await a.call(['SET', k, randomBytes(9 << 18).toString('base64')]);
    const replies = pipeline(a, keys.map((k) => migrate(k)));
    await target.received('RESTORE', 4);
    await new Promise((r) => setTimeout(r, 100));
    expect(target.count('RESTORE')).toBe(4);
    target.answer('+OK', '+OK', '+OK', '+OK');
    await target.received('RESTORE', 1);
    target.answer('+OK');
    expect(await replies).toEqual(keys.map(() => OK));
    expect(await a.call(['EXISTS', ...keys])).toEqual({ t: 'int', v: '0' });
  });

  it('a command it does not know between two MIGRATEs keeps the later one in its turn', async () => {
    const a = await connect(SOURCE);
    for (const k of ['m1', 'm2']) await a.call(['SET', k, `v-${k}`]);
    const replies = pipeline(a, [migrate('m1'), ['GET', 'm2'], migrate('m2')]);
    await target.received('RESTORE', 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(target.count('RESTORE')).toBe(1);
    target.answer('+OK');
    await target.received('RESTORE', 1);
    target.answer('+OK');
    expect(await replies).toEqual([OK, { t: 'bulk', v: 'v-m2' }, OK]);
  });

  it('cluster mode: a queued GETKEYSINSLOT of a later MIGRATE\'s slot lists its keys', async () => {
    const a = await connect(CLUSTER_SOURCE);
    // {x} and {y} hash to different slots; the GETKEYSINSLOT of {x}'s slot sits between the MIGRATEs.
    for (const k of ['{x}1', '{x}2', '{y}1']) await a.call(['SET', k, 'v']);
    const slotX = text(await a.call(['CLUSTER', 'KEYSLOT', '{x}1']));
    const slotY = text(await a.call(['CLUSTER', 'KEYSLOT', '{y}1']));
    expect(slotX).not.toBe(slotY);
    const replies = pipeline(a, [
      migrate('{y}1'), ['CLUSTER', 'GETKEYSINSLOT', slotY, '10'],
      migrate('{x}1'), ['CLUSTER', 'GETKEYSINSLOT', slotX, '10'], migrate('{x}2'),
    ]);
    // {x}1's MIGRATE has only another slot's listing before it: it starts; {x}2's waits its turn.
    await target.received('RESTORE-ASKING', 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(target.count('RESTORE-ASKING')).toBe(2);
    target.answer('+OK', '+OK');
    await target.received('RESTORE-ASKING', 1);
    target.answer('+OK');
    expect(await replies).toEqual([
      OK, { t: 'array', v: [] },
      OK, { t: 'array', v: [{ t: 'bulk', v: '{x}2' }] }, OK,
    ]);
    expect(await a.call(['DBSIZE'])).toEqual({ t: 'int', v: '0' });
  });

  it('a client gone before its early MIGRATEs answered leaves the server serving and the keys moved', async () => {
    const a = await RespClient.connect(SOURCE);
    const other = await connect(SOURCE);
    for (const k of ['g1', 'g2']) await other.call(['SET', k, 'v']);
    a.writeRaw([migrate('g1'), migrate('g2')].map((cmd) => `*${cmd.length}\r\n${cmd.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('')}`).join(''));
    await target.received('RESTORE', 2);
    a.close();
    await new Promise((r) => setTimeout(r, 50));
    target.answer('+OK', '+OK');
    await waitFor('the keys to be deleted', async () => text(await other.call(['EXISTS', 'g1', 'g2'])) === '0', 2000);
    expect(await other.call(['PING'])).toEqual({ t: 'simple', v: 'PONG' });
  });
});
