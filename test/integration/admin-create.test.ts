// cluster create/check/nodes/info over 9 nodes spread over three loopback "hosts": real redis-server 7
// nodes, then engine nodes (redis-cli --cluster check must accept both).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { KVCTL_BIN, startEngine, startRedis } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { startNodes, stopNodes, resetNodes, withRedis, canRun, KINDS, HOSTS, type TestNode } from '../helpers/admin.js';
import { createCluster, checkCluster } from '../../src/admin/index.js';

const host = (a: string) => a.slice(0, a.lastIndexOf(':'));
const kvctl = (...args: string[]) => execa(process.execPath, [KVCTL_BIN, ...args], { reject: false });

describe.each(KINDS)('cluster create on 9 %s nodes over 3 hosts', (kind) => {
  const BASE = PORTS.admin + (kind === 'redis' ? 0 : 300); // 15000-15099, 15300-15399
  let nodes: TestNode[];
  /** --replicas of the cluster the 9 nodes form now; null before the first create. */
  let current: number | null = null;
  const create = async (replicas: number) => {
    await resetNodes(nodes);
    current = null;
    const res = await createCluster({ nodes: nodes.map((n) => n.addr), replicas });
    current = replicas;
    return res;
  };
  /** Each test states the cluster it needs, so none depends on the one before it. */
  const clusterWith = async (replicas: number) => { if (current !== replicas) await create(replicas); };
  beforeAll(async () => { if (canRun(kind)) nodes = await startNodes(BASE, 9, HOSTS, kind); });
  afterAll(stopNodes);

  for (const replicas of [0, 1, 2]) {
    it.skipIf(!canRun(kind))(`creates with --replicas ${replicas}: no replica on its master's host, redis-cli check accepts`, async () => {
      const res = await create(replicas);
      expect(res.masters).toHaveLength(Math.floor(9 / (replicas + 1)));
      expect(res.masters.flatMap((m) => [m, ...m.replicas])).toHaveLength(9);
      expect(res.score).toBe(0);
      for (const m of res.masters) {
        expect(m.replicas.length).toBeGreaterThanOrEqual(replicas);
        for (const r of m.replicas) expect(host(r.addr)).not.toBe(host(m.addr));
        expect(new Set(m.replicas.map((r) => host(r.addr))).size).toBe(m.replicas.length);
        // The node's own view agrees with the plan.
        const role = await withRedis(m.replicas[0]?.addr ?? m.addr, (r) => r.call('ROLE')) as unknown[];
        expect(role[0]).toBe(replicas ? 'slave' : 'master');
      }
      const cli = await execa('redis-cli', ['--cluster', 'check', nodes[0]!.addr], { reject: false });
      expect(cli.stdout).toContain('[OK] All 16384 slots covered.');
      expect(cli.stdout).toContain('[OK] All nodes agree about slots configuration.');
      expect(cli.exitCode).toBe(0);
      const report = await checkCluster(nodes[4]!.addr);
      expect(report.ok).toBe(true);
      expect(report.nodes).toBe(9);
    });
  }

  it.skipIf(!canRun(kind))('CLI: nodes table, --raw, info --json and check --json on a --replicas 2 cluster', async () => {
    await clusterWith(2);
    const table = await kvctl('cluster', 'nodes', nodes[0]!.addr);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`master.*127\\.0\\.0\\.\\d:${BASE}`));
    expect(table.stdout.match(/replica/g)?.length).toBe(6);
    const raw = await kvctl('cluster', 'nodes', nodes[0]!.addr, '--raw');
    expect(raw.stdout.trim().split('\n')).toHaveLength(9);
    const info = JSON.parse((await kvctl('cluster', 'info', nodes[1]!.addr, '--json')).stdout);
    expect(info.masters).toHaveLength(3);
    expect(info.slots).toBe(16384);
    expect(info.masters.every((m: { replicas: number }) => m.replicas === 2)).toBe(true);
    const check = await kvctl('cluster', 'check', nodes[2]!.addr, '--json');
    expect(check.exitCode).toBe(0);
    expect(JSON.parse(check.stdout).ok).toBe(true);
  });

  it.skipIf(!canRun(kind))('CLI: refuses already-clustered, non-cluster and unreachable nodes and too few masters with one line', async () => {
    if (current === null) await clusterWith(2);
    const inCluster = await kvctl('cluster', 'create', nodes[0]!.addr, nodes[1]!.addr, nodes[2]!.addr, '--yes');
    expect(inCluster.exitCode).toBe(1);
    expect(inCluster.stderr).toMatch(/^error: .*already part of a cluster/);
    expect(inCluster.stderr.trim().split('\n')).toHaveLength(1);
    const down = await kvctl('cluster', 'check', `127.0.0.1:${BASE + 99}`);
    expect(down.exitCode).toBe(1);
    expect(down.stderr.trim()).toBe(`error: cannot connect to 127.0.0.1:${BASE + 99}: connection refused (is the node running?)`);
    const plain = await (kind === 'redis' ? startRedis : startEngine)(BASE + 90);
    const notCluster = await kvctl('cluster', 'check', `127.0.0.1:${BASE + 90}`);
    expect(notCluster.stderr.trim()).toBe(`error: 127.0.0.1:${BASE + 90} is not a cluster node (cluster-enabled is no)`);
    await plain.stop();
    const usage = await kvctl('cluster', 'create', nodes[0]!.addr, '--replicas', '0', '--yes');
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toMatch(/at least 3 are needed/);
  });
});
