// 9 engine nodes turned into 3 masters x 2 replicas by the real redis-cli: agreement on every node,
// ioredis across slots, automatic failover after kill -9 of a master (no key lost), the old master
// rejoining as a replica, and a coordinated CLUSTER FAILOVER under writes losing no acknowledged write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, stopAll, type Proc } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { RespClient } from '../helpers/resp.js';
import { addr, call, clusterClient, clusterOk, missingKeys, redisCli, removeDirs, restartNode, startClusterNodes, waitFor, writeKeys } from './cluster-kit.js';

const BASE = PORTS.cluster + 10; // 14010-14018
const ALL = Array.from({ length: 9 }, (_, i) => BASE + i);

/** A node's view without clocks and without the myself marker: identical on every node once converged. */
async function view(port: number): Promise<string> {
  const text = String(await call(port, 'CLUSTER', 'NODES'));
  return text.trim().split('\n').map((l) => {
    const f = l.split(' ');
    f[2] = f[2].replace('myself,', '');
    f[4] = f[5] = '-';
    return f.join(' ');
  }).sort().join('\n');
}

async function agreed(ports: number[]): Promise<boolean> {
  const views = await Promise.all(ports.map(view));
  return views.every((v) => v === views[0]) && !views[0].includes('fail') && !views[0].includes('disconnected');
}

/** The port of the master serving a slot (0 by default), and its replicas' ports. */
async function shardOfSlot0(port: number, slot = 0): Promise<{ master: number; replicas: number[] }> {
  const slots = await call(port, 'CLUSTER', 'SLOTS') as [number, number, ...[string, number, string][]][];
  const s = slots.find((r) => r[0] <= slot && slot <= r[1]) as [number, number, ...[string, number, string][]];
  const [m, ...reps] = s.slice(2) as [string, number, string][];
  return { master: m[1], replicas: reps.map((r) => r[1]) };
}

describe.skipIf(!hasRedisServer())('engine cluster: 3 masters x 2 replicas', () => {
  let nodes: Proc[];
  beforeAll(async () => { nodes = await startClusterNodes(BASE, 9); });
  afterAll(async () => {
    await stopAll();
    removeDirs();
  });
  const live = () => nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null).map((n) => n.port);

  it('is created with --cluster-replicas 2 and every node converges to the same CLUSTER NODES', async () => {
    const create = await redisCli('--cluster', 'create', ...ALL.map(addr), '--cluster-replicas', '2', '--cluster-yes');
    expect(create.stdout).toContain('[OK] All 16384 slots covered.');
    expect(create.exitCode).toBe(0);
    await waitFor('identical views', () => agreed(ALL));
    const v = await view(BASE + 4);
    expect(v.split('\n').filter((l) => l.split(' ')[2] === 'master')).toHaveLength(3);
    expect(v.split('\n').filter((l) => l.split(' ')[2] === 'slave')).toHaveLength(6);
    await waitFor('cluster_state:ok', () => clusterOk(ALL));
    const check = await redisCli('--cluster', 'check', addr(BASE + 7));
    expect(check.stdout).toContain('[OK] All nodes agree about slots configuration.');
    expect(check.stdout).toContain('2 additional replica(s)');
    expect(check.exitCode).toBe(0);
  });

  it('reads and writes across slots with ioredis and redis-cli -c, replicas serve READONLY reads', async () => {
    await writeKeys(BASE, 2000);
    expect(await missingKeys(BASE + 8, 2000)).toEqual([]);
    expect((await redisCli('-c', '-p', String(BASE + 5), 'GET', 'key:1999')).stdout).toBe('v1999');
    const { replicas } = await shardOfSlot0(BASE);
    const key = 'key:1999{06S}'; // slot 0
    expect(Number(await call(BASE, 'CLUSTER', 'KEYSLOT', key))).toBe(0);
    const c = clusterClient(BASE);
    try {
      await c.set(key, 'r');
    } finally {
      c.disconnect();
    }
    const r = await RespClient.connect(replicas[0]);
    try {
      expect(await r.call(['GET', key])).toEqual({ t: 'error', v: `MOVED 0 127.0.0.1:${(await shardOfSlot0(BASE)).master}` });
      expect(await r.call(['READONLY'])).toEqual({ t: 'simple', v: 'OK' });
      await waitFor('the replica serves the key', async () => JSON.stringify(await r.call(['GET', key])) === JSON.stringify({ t: 'bulk', v: 'r' }));
      expect((await r.call(['SET', key, 'x'])).t).toBe('error'); // writes still go to the master
    } finally {
      r.close();
    }
  });

  it('promotes a replica after kill -9 of a master, loses no key, and the old master rejoins as a replica', async () => {
    const { master, replicas } = await shardOfSlot0(BASE);
    const victim = nodes.find((n) => n.port === master) as Proc;
    const victimId = String(await call(master, 'CLUSTER', 'MYID'));
    await victim.stop();
    await waitFor('a replica took slot 0 and the cluster is ok', async () =>
      (await clusterOk(live())) && replicas.includes((await shardOfSlot0(live()[0])).master), 30_000);
    expect(await missingKeys(live()[0], 2000)).toEqual([]);
    const restarted = await restartNode(victim);
    nodes[nodes.indexOf(victim)] = restarted;
    const newMaster = (await shardOfSlot0(BASE + 8 === master ? BASE : BASE + 8)).master;
    const newMasterId = String(await call(newMaster, 'CLUSTER', 'MYID'));
    await waitFor('old master is a replica of the new one everywhere', async () =>
      (await Promise.all(ALL.map((p) => call(p, 'CLUSTER', 'NODES')))).every((t) => String(t).includes(`${victimId} 127.0.0.1:${master}@${master + 10000} `) && new RegExp(`${victimId} \\S+ (myself,)?slave ${newMasterId} `).test(String(t))), 30_000);
    await waitFor('identical views after the rejoin', () => agreed(ALL));
    expect((await redisCli('--cluster', 'check', addr(master))).exitCode).toBe(0);
  });

  it('CLUSTER FAILOVER hands a shard over under writes without losing an acknowledged write', async () => {
    const { master, replicas } = await shardOfSlot0(BASE);
    const c = clusterClient(BASE);
    const acked: number[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          await c.set(`mf{06S}:${i}`, String(i)); // slot 0: the shard being handed over
          acked.push(i);
        } catch {
          /* not acknowledged: may be lost */
        }
      }
    })();
    try {
      await waitFor('some writes', async () => acked.length > 50);
      expect(await call(replicas[0], 'CLUSTER', 'FAILOVER')).toBe('OK');
      await waitFor('replica is the master of slot 0', async () => (await shardOfSlot0(BASE)).master === replicas[0], 15_000);
      await waitFor('more writes after the handoff', async () => acked.length > 300);
    } finally {
      stop = true;
      await writer;
    }
    const lost: number[] = [];
    for (const i of acked) if ((await c.get(`mf{06S}:${i}`)) !== String(i)) lost.push(i);
    c.disconnect();
    expect(lost).toEqual([]);
    expect((await shardOfSlot0(BASE)).replicas).toContain(master);
  });

  it('gives an orphaned master a replica from a shard that has two (replica migration)', async () => {
    const { master, replicas } = await shardOfSlot0(BASE, 16383);
    for (const r of replicas) await (nodes.find((n) => n.port === r) as Proc).stop();
    await waitFor('a replica migrated to the orphaned master', async () => {
      const shard = await shardOfSlot0(master, 16383);
      return shard.replicas.some((p) => !replicas.includes(p));
    }, 30_000);
    expect((await redisCli('--cluster', 'check', addr(master))).stdout).toContain('[OK] All 16384 slots covered.');
  });
});
