// Engine cluster mode with 3 masters built by the real redis-cli: create/check, redirections seen by
// raw clients, redis-cli -c and ioredis, open slots (ASK/TRYAGAIN), reshard with keys, failure
// detection and a master's return after kill -9.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, stopAll, type Proc } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { RespClient } from '../helpers/resp.js';
import { addr, call, clusterInfo, clusterOk, missingKeys, redisCli, removeDirs, restartNode, startClusterNodes, waitFor, writeKeys } from './cluster-kit.js';

const BASE = PORTS.cluster; // 14000-14002
const PORTS3 = [BASE, BASE + 1, BASE + 2];

describe.skipIf(!hasRedisServer())('engine cluster: 3 masters', () => {
  let nodes: Proc[];
  beforeAll(async () => { nodes = await startClusterNodes(BASE, 3); });
  afterAll(async () => {
    await stopAll();
    removeDirs();
  });

  it('is created by redis-cli --cluster create and passes redis-cli --cluster check', async () => {
    const lonely = String(await call(BASE, 'CLUSTER', 'NODES'));
    expect(lonely).toMatch(/^[0-9a-f]{40} :14000@24000 myself,master - 0 \d+ 0 connected\n$/);
    const create = await redisCli('--cluster', 'create', ...PORTS3.map(addr), '--cluster-yes');
    expect(create.stdout).toContain('[OK] All 16384 slots covered.');
    expect(create.exitCode).toBe(0);
    await waitFor('cluster_state:ok everywhere', () => clusterOk(PORTS3));
    const check = await redisCli('--cluster', 'check', addr(BASE + 2));
    expect(check.stdout).toContain('[OK] All nodes agree about slots configuration.');
    expect(check.exitCode).toBe(0);
    const info = await clusterInfo(BASE + 1);
    expect(info).toMatchObject({ cluster_slots_assigned: '16384', cluster_known_nodes: '3', cluster_size: '3', cluster_current_epoch: '3' });
    const lines = String(await call(BASE, 'CLUSTER', 'NODES')).trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/^[0-9a-f]{40} 127\.0\.0\.1:1400\d@2400\d (myself,)?master - 0 \d+ [123] connected \d+-\d+$/);
  });

  it('redirects keyed commands with MOVED, refuses cross-slot requests, follows with -c', async () => {
    const c = await RespClient.connect(BASE);
    try {
      expect(await c.call(['SET', 'q', '1'])).toEqual({ t: 'error', v: 'MOVED 11958 127.0.0.1:14002' });
      expect(await c.call(['GET', '{q}x'])).toEqual({ t: 'error', v: 'MOVED 11958 127.0.0.1:14002' });
      expect(await c.call(['DEL', 'w', 'q'])).toEqual({ t: 'error', v: "CROSSSLOT Keys in request don't hash to the same slot" });
      expect(await c.call(['SET', 'w', '1'])).toEqual({ t: 'simple', v: 'OK' });
      expect(await c.call(['CLUSTER', 'KEYSLOT', 'w'])).toEqual({ t: 'int', v: '3696' });
      expect(await c.call(['CLUSTER', 'COUNTKEYSINSLOT', '3696'])).toEqual({ t: 'int', v: '1' });
      expect(await c.call(['CLUSTER', 'GETKEYSINSLOT', '3696', '5'])).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'w' }] });
      expect(await c.call(['SELECT', '1'])).toEqual({ t: 'error', v: 'ERR SELECT is not allowed in cluster mode' });
    } finally {
      c.close();
    }
    const set = await redisCli('-c', '-p', String(BASE), 'SET', 'q', '134');
    expect(set.stdout).toBe('OK');
    expect((await redisCli('-c', '-p', String(BASE + 1), 'GET', 'q')).stdout).toBe('134');
    const slots = await call(BASE, 'CLUSTER', 'SLOTS') as [number, number, [string, number, string][]][];
    expect(slots.map((s) => [s[0], s[1], s[2][1]])).toEqual([[0, 5460, 14000], [5461, 10922, 14001], [10923, 16383, 14002]]);
  });

  it('answers ASK and TRYAGAIN on a migrating slot and serves ASKING on the importing side', async () => {
    const [src, dst] = [BASE + 2, BASE]; // slot 11958 ('q') lives on 14002
    const dstId = String(await call(dst, 'CLUSTER', 'MYID'));
    const srcId = String(await call(src, 'CLUSTER', 'MYID'));
    expect(await call(dst, 'CLUSTER', 'SETSLOT', '11958', 'IMPORTING', srcId)).toBe('OK');
    expect(await call(src, 'CLUSTER', 'SETSLOT', '11958', 'MIGRATING', dstId)).toBe('OK');
    expect(String(await call(src, 'CLUSTER', 'NODES'))).toContain(`[11958->-${dstId}]`);
    expect(String(await call(dst, 'CLUSTER', 'NODES'))).toContain(`[11958-<-${srcId}]`);
    const s = await RespClient.connect(src);
    const d = await RespClient.connect(dst);
    try {
      expect(await s.call(['GET', 'q'])).toEqual({ t: 'bulk', v: '134' }); // still here
      expect(await s.call(['GET', '{q}missing'])).toEqual({ t: 'error', v: 'ASK 11958 127.0.0.1:14000' });
      expect(await s.call(['MGET', 'q', '{q}missing'])).toEqual({ t: 'error', v: 'TRYAGAIN Multiple keys request during rehashing of slot' });
      expect(await d.call(['GET', '{q}new'])).toEqual({ t: 'error', v: 'MOVED 11958 127.0.0.1:14002' });
      expect(await d.call(['ASKING'])).toEqual({ t: 'simple', v: 'OK' });
      expect(await d.call(['SET', '{q}new', 'x'])).toEqual({ t: 'simple', v: 'OK' });
      expect(await d.call(['GET', '{q}new'])).toEqual({ t: 'error', v: 'MOVED 11958 127.0.0.1:14002' }); // ASKING is one-shot
      expect(await s.call(['MIGRATE', '127.0.0.1', String(dst), '', '0', '5000', 'KEYS', 'q'])).toEqual({ t: 'simple', v: 'OK' });
      expect(await s.call(['MIGRATE', '127.0.0.1', String(dst), 'q', '0', '5000'])).toEqual({ t: 'simple', v: 'NOKEY' });
    } finally {
      s.close();
      d.close();
    }
    for (const p of [dst, src, BASE + 1]) expect(await call(p, 'CLUSTER', 'SETSLOT', '11958', 'NODE', dstId)).toBe('OK');
    await waitFor('slot 11958 owned by 14000 everywhere', async () =>
      (await Promise.all(PORTS3.map((p) => call(p, 'CLUSTER', 'NODES')))).every((t) => String(t).includes(`${dstId} 127.0.0.1:14000`) && !String(t).includes('->-')));
    expect((await redisCli('-c', '-p', String(src), 'GET', 'q')).stdout).toBe('134');
    const check = await redisCli('--cluster', 'check', addr(BASE));
    expect(check.stdout).toContain('[OK] All nodes agree about slots configuration.');
    expect(check.stdout).not.toContain('[WARNING]');
  });

  // Generous timeout: 1000 sequential slot moves take 5-30 s on a loaded 2-core box.
  it('reshards 1000 slots holding keys with redis-cli, no key lost, ioredis follows', { timeout: 90_000 }, async () => {
    await writeKeys(BASE, 3000);
    const from = String(await call(BASE + 1, 'CLUSTER', 'MYID'));
    const to = String(await call(BASE + 2, 'CLUSTER', 'MYID'));
    const before = Number(await call(BASE + 1, 'CLUSTER', 'COUNTKEYSINSLOT', '5461'));
    const res = await redisCli('--cluster', 'reshard', addr(BASE), '--cluster-from', from, '--cluster-to', to, '--cluster-slots', '1000', '--cluster-yes');
    expect(res.exitCode, `${res.stdout.slice(-1500)}\n${res.stderr}`).toBe(0);
    expect(Number(await call(BASE + 2, 'CLUSTER', 'COUNTKEYSINSLOT', '5461'))).toBe(before);
    expect(Number(await call(BASE + 1, 'CLUSTER', 'COUNTKEYSINSLOT', '5461'))).toBe(0);
    await waitFor('agreement after reshard', async () => (await redisCli('--cluster', 'check', addr(BASE))).stdout.includes('[OK] All nodes agree'));
    expect(await missingKeys(BASE + 1, 3000)).toEqual([]);
    const sizes = await Promise.all(PORTS3.map((p) => call(p, 'DBSIZE')));
    expect(sizes.reduce((a: number, b) => a + Number(b), 0)).toBe(3000 + 3); // + q, w and {q}new
  });

  it('marks a killed master FAIL (cluster down) and takes it back when it restarts', async () => {
    const victim = nodes[1];
    const id = String(await call(victim.port, 'CLUSTER', 'MYID'));
    await victim.stop(); // SIGKILL; its dir (nodes.conf) stays
    await waitFor('FAIL flag and cluster down', async () => {
      const t = String(await call(BASE, 'CLUSTER', 'NODES'));
      return t.includes(`${id} 127.0.0.1:14001@24001 master,fail`) && (await clusterInfo(BASE)).cluster_state === 'fail';
    });
    const c = await RespClient.connect(BASE);
    try {
      expect(await c.call(['GET', 'key:1'])).toEqual({ t: 'error', v: 'CLUSTERDOWN The cluster is down' });
    } finally {
      c.close();
    }
    nodes[1] = await restartNode(victim);
    expect(String(await call(BASE + 1, 'CLUSTER', 'MYID'))).toBe(id); // nodes.conf kept its identity
    await waitFor('cluster_state:ok after restart', () => clusterOk(PORTS3));
  });
});
