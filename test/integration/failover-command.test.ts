// The FAILOVER command through `kvctl failover HOST:PORT` (a master-replica set without Sentinel),
// under a client writing to the master all along: the replica becomes the master, the old master
// follows it, and every acknowledged write is on the new master. Engine to engine, engine master to a
// redis-server replica, and a redis-server master to an engine replica (PSYNC ... FAILOVER both ways).
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { ENGINE_MAIN, KVCTL_BIN, hasRedisServer, startEngine, startRedis, stopAll } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { missing, roleOf, startWriter, until, type Side } from './sentinel-kit.js';

afterAll(() => stopAll());

const start = (side: Side, port: number, args: string[] = []) =>
  (side === 'engine' ? startEngine : startRedis)(port, { args: ['--repl-diskless-sync-delay', '0', ...args] });

async function scenario(master: Side, replica: Side, base: number): Promise<void> {
  await start(master, base);
  await start(replica, base + 1, ['--replicaof', '127.0.0.1', String(base)]);
  await until('the replica is in sync', async () => (await roleOf(base + 1))[2] === 'connected');
  const writer = startWriter({ port: base });
  try {
    await until('writes flow', () => writer.acked.length >= 100);
    const r = await execa(process.execPath, [KVCTL_BIN, 'failover', `127.0.0.1:${base}`, '--to', `127.0.0.1:${base + 1}`, '--timeout', '20', '--json'], { reject: false });
    expect(r.stderr).toBe('');
    const res = JSON.parse(String(r.stdout));
    expect([res.from, res.to]).toEqual([`127.0.0.1:${base}`, `127.0.0.1:${base + 1}`]);
    expect(res.unavailableMs).toBeGreaterThan(0);
    expect((await roleOf(base + 1))[0]).toBe('master');
    await until('the old master follows the new one', async () => {
      const [role, port, link] = await roleOf(base);
      return role === 'slave' && port === base + 1 && link === 'connected';
    });
    // Writes to the old master are refused now (READONLY), never acknowledged.
    await until('the writer sees the switch', () => writer.failed > 0);
  } finally {
    await writer.stop();
  }
  expect(writer.acked.length).toBeGreaterThan(100);
  expect(await missing(base + 1, writer.acked)).toEqual([]);
  await stopAll();
}

describe.skipIf(!existsSync(ENGINE_MAIN))('kvctl failover HOST:PORT (the FAILOVER command)', () => {
  it('engine master to engine replica', () => scenario('engine', 'engine', PORTS.sentinel + 600), 60_000);
  it.skipIf(!hasRedisServer())('engine master to redis-server replica', () => scenario('engine', 'redis', PORTS.sentinel + 610), 60_000);
  it.skipIf(!hasRedisServer())('redis-server master to engine replica', () => scenario('redis', 'engine', PORTS.sentinel + 620), 60_000);

  it('one-line usage errors', async () => {
    const r = await execa(process.execPath, [KVCTL_BIN, 'failover', '127.0.0.1:1', '--coordinated'], { reject: false });
    expect([r.exitCode, r.stderr.trim()]).toEqual([2, 'error: --coordinated is for a Sentinel master name; HOST:PORT already switches without losing writes (the FAILOVER command)']);
    const f = await execa(process.execPath, [KVCTL_BIN, 'failover', 'mymaster', '--to', '127.0.0.1:1'], { reject: false });
    expect([f.exitCode, f.stderr.trim()]).toEqual([2, 'error: --to and --force are for HOST:PORT of a master (the FAILOVER command)']);
  });
});
