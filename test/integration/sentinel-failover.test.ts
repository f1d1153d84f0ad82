// Sentinel failover with real processes, for each pairing: engine sentinels over engine nodes, real
// Sentinel over engine nodes, engine sentinels over redis-server nodes, and a mixed set of engine and
// real sentinels. kill -9 the master: a replica is promoted, the other follows it, the old master
// comes back as a replica, and an ioredis client configured with the sentinels keeps writing.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { ENGINE_MAIN, hasRedisServer, stopAll } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { masterPort, missing, roleOf, startSentinelTopo, startWriter, until, type Side } from './sentinel-kit.js';

afterAll(() => stopAll());

async function killMasterScenario(nodes: Side, sentinels: Side, base: number, mixed?: Side[]): Promise<void> {
  const t = await startSentinelTopo(nodes, sentinels, base, mixed);
  const writer = startWriter(t.sentinelPorts);
  try {
    await until('the writer has written', () => writer.acked.length >= 20);
    const before = writer.acked.length;
    t.nodes[0].child.kill('SIGKILL');
    await new Promise((r) => t.nodes[0].child.once('exit', r));

    // Every sentinel names a replica as the new master, and that node is a master.
    await until('every sentinel names a new master', async () => {
      const ports = await Promise.all(t.sentinelPorts.map(masterPort));
      return ports.every((p) => p !== base && p === ports[0]);
    });
    const promoted = await masterPort(t.sentinelPorts[0]);
    expect([base + 1, base + 2]).toContain(promoted);
    expect((await roleOf(promoted))[0]).toBe('master');
    const other = promoted === base + 1 ? base + 2 : base + 1;
    await until('the other replica follows the new master', async () => {
      const [role, mport, link] = await roleOf(other);
      return role === 'slave' && mport === promoted && link === 'connected';
    });

    // The old master comes back (empty, as a master): the sentinels turn it into a replica.
    await t.restart(base);
    // Of whichever node the sentinels name now: on a loaded box a stalled node can cause a second
    // failover, after which the first promoted replica is a replica itself.
    await until('the old master rejoins as a replica of the current master', async () => {
      const [role, mport, link] = await roleOf(base);
      const current = await masterPort(t.sentinelPorts[0]);
      return current !== base && role === 'slave' && mport === current && link === 'connected';
    }, 60_000);

    // The application kept writing through the switch.
    await until('the writer writes to the new master', () => writer.acked.length >= before + 50, 20_000);
    await writer.stop();
    const after = writer.acked.filter((i) => i > writer.acked[before - 1]).length;
    expect(after).toBeGreaterThanOrEqual(50);
    // What was acknowledged by the new master is on it (writes acknowledged by the killed master just
    // before the kill may be lost: that is what --coordinated is for, not kill -9).
    const acknowledgedAfterSwitch = writer.acked.slice(before + 5);
    expect(await missing(promoted, acknowledgedAfterSwitch)).toEqual([]);
  } finally {
    await writer.stop().catch(() => undefined);
    await stopAll();
  }
}

describe.skipIf(!existsSync(ENGINE_MAIN))('Sentinel failover after kill -9 of the master', () => {
  it('engine sentinels, engine nodes', () => killMasterScenario('engine', 'engine', PORTS.sentinel + 200), 150_000);
  it.skipIf(!hasRedisServer())('real Sentinel, engine nodes', () => killMasterScenario('engine', 'redis', PORTS.sentinel + 230), 150_000);
  it.skipIf(!hasRedisServer())('engine sentinels, redis-server nodes', () => killMasterScenario('redis', 'engine', PORTS.sentinel + 260), 150_000);
  it.skipIf(!hasRedisServer())('a mixed set of engine and real sentinels, engine nodes', () => killMasterScenario('engine', 'engine', PORTS.sentinel + 290, ['engine', 'redis', 'redis']), 150_000);
});
