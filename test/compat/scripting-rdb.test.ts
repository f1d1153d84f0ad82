// Function libraries in RDB files, both ways with redis-server 7.0: an engine dump with functions
// passes redis-check-rdb and redis-server loads and runs them; a redis-server dump's functions load in
// the engine (compiled on the first scripting command: the VM is not loaded at start-up); and a
// replica of either kind gets FUNCTION LOAD / DELETE from an engine master.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startEngine, startRedis, stopAll, tmpDir } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { ClientPool, type Reply } from '../helpers/resp.js';

const P = PORTS.scripting + 100;
const LIB = "#!lua name=rdblib\nredis.register_function('hello', function(keys, args) return 'hello ' .. args[1] end)\nredis.register_function{function_name='ro', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}";
const pool = new ClientPool();
afterAll(async () => {
  pool.closeAll();
  await stopAll();
});

const client = (port: number) => pool.connect(port);

const ok = { t: 'simple', v: 'OK' };
const hello: Reply = { t: 'bulk', v: 'hello you' };

describe('functions in the RDB and the replication stream', () => {
  it('engine dump -> redis-check-rdb and redis-server', async () => {
    const e = await startEngine(P);
    const c = await client(P);
    expect(await c.call(['FUNCTION', 'LOAD', LIB])).toEqual({ t: 'bulk', v: 'rdblib' });
    expect(await c.call(['SET', 'k', 'v'])).toEqual(ok);
    expect(await c.call(['SAVE'])).toEqual(ok);
    const file = path.join(e.dir, 'dump.rdb');
    expect(execFileSync('redis-check-rdb', [file], { encoding: 'utf8' })).toContain('RDB looks OK');
    const dir = tmpDir('kvctl-fn-');
    fs.copyFileSync(file, path.join(dir, 'dump.rdb'));
    await startRedis(P + 1, { dir });
    const r = await client(P + 1);
    expect(await r.call(['FCALL', 'hello', '0', 'you'])).toEqual(hello);
    expect(await r.call(['FCALL_RO', 'ro', '1', 'k'])).toEqual({ t: 'bulk', v: 'v' });
    expect(await r.call(['FUNCTION', 'DUMP'])).toEqual(await c.call(['FUNCTION', 'DUMP']));
  });

  it('redis-server dump -> engine', async () => {
    const r0 = await startRedis(P + 2);
    const r = await client(P + 2);
    expect(await r.call(['FUNCTION', 'LOAD', LIB])).toEqual({ t: 'bulk', v: 'rdblib' });
    expect(await r.call(['SAVE'])).toEqual(ok);
    const dir = tmpDir('kvctl-fn-');
    fs.copyFileSync(path.join(r0.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    await startEngine(P + 3, { dir });
    const e = await client(P + 3);
    expect(await e.call(['FUNCTION', 'STATS'])).toEqual(await r.call(['FUNCTION', 'STATS']));
    expect(await e.call(['FCALL', 'hello', '0', 'you'])).toEqual(hello);
    expect(await e.call(['FUNCTION', 'DUMP'])).toEqual(await r.call(['FUNCTION', 'DUMP']));
  });

  it('FUNCTION LOAD / DELETE reach a redis-server replica and an engine replica', async () => {
    await startEngine(P + 4);
    await startRedis(P + 5, { args: ['--replicaof', '127.0.0.1', String(P + 4)] });
    await startEngine(P + 6, { args: ['--replicaof', '127.0.0.1', String(P + 4)] });
    const [m, r1, r2] = [await client(P + 4), await client(P + 5), await client(P + 6)];
    expect(await m.call(['FUNCTION', 'LOAD', LIB])).toEqual({ t: 'bulk', v: 'rdblib' });
    expect(await m.call(['WAIT', '2', '5000'])).toEqual({ t: 'int', v: '2' });
    for (const r of [r1, r2]) expect(await r.call(['FCALL_RO', 'ro', '1', 'nokey'])).toEqual({ t: 'bulk', v: null });
    expect(await m.call(['FUNCTION', 'DELETE', 'rdblib'])).toEqual(ok);
    expect(await m.call(['WAIT', '2', '5000'])).toEqual({ t: 'int', v: '2' });
    for (const r of [r1, r2]) expect(await r.call(['FCALL_RO', 'ro', '1', 'nokey'])).toEqual({ t: 'error', v: 'ERR Function not found' });
  }, 30_000);
});
