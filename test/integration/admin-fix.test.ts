// fix (open slot, slot deleted everywhere), del-node of a killed node, add-node --replica, call and
// set-timeout, over one 5-master cluster reused by every case: real redis-server nodes, then engine
// nodes. The other open-slot cases are in admin-fix-open.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { KVCTL_BIN, tmpDir } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { startNodes, stopNodes, withRedis, clusterClient, canRun, KINDS, HOSTS, type TestNode } from '../helpers/admin.js';
import { createCluster, checkCluster, keySlot, type CreateResult } from '../../src/admin/index.js';

// One KVCTL_HOME per describe block: stopNodes (stopAll) removes the temp dirs of the block before it.
let home = '';
const kvctl = (...args: string[]) => execa(process.execPath, [KVCTL_BIN, ...args], { reject: false, env: { KVCTL_HOME: home } });

async function putTagged(addr: string, tag: string, n: number): Promise<void> {
  const c = clusterClient(addr);
  await Promise.all(Array.from({ length: n }, (_, i) => c.set(`${tag}:${i}`, `v${i}`)));
  c.disconnect();
}
async function taggedOk(addr: string, tag: string, n: number): Promise<boolean> {
  const c = clusterClient(addr);
  const vals = await Promise.all(Array.from({ length: n }, (_, i) => c.get(`${tag}:${i}`)));
  c.disconnect();
  return vals.every((v, i) => v === `v${i}`);
}

describe.each(KINDS)('fix, del-node, add-node --replica, call, set-timeout over %s nodes', (kind) => {
  const BASE = PORTS.admin + (kind === 'redis' ? 200 : 500); // 15200-15205, 15500-15505
  let nodes: TestNode[];
  let created: CreateResult;
  const seed = () => nodes[0]!.addr;
  const byAddr = (a: string) => created.masters.find((m) => m.addr === a)!;

  beforeAll(async () => {
    home = tmpDir('kvctl-home-');
    if (!canRun(kind)) return;
    nodes = await startNodes(BASE, 6, HOSTS, kind);
    created = await createCluster({ nodes: nodes.slice(0, 5).map((n) => n.addr), replicas: 0, allowSmall: true });
  });
  afterAll(stopNodes);

  it.skipIf(!canRun(kind))('fix finishes a slot left MIGRATING/IMPORTING with half its keys moved', async () => {
    const [a, b] = created.masters;
    const tag = '{fix1}';
    const slot = keySlot(tag);
    const owner = created.masters.find((m) => slot >= m.slots[0] && slot <= m.slots[1])!;
    const dest = owner === a ? b! : a!;
    await putTagged(seed(), tag, 40);
    await withRedis(dest.addr, (r) => r.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', owner.id));
    await withRedis(owner.addr, async (r) => {
      await r.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', dest.id);
      const keys = (await r.call('CLUSTER', 'GETKEYSINSLOT', slot, 20)) as string[];
      const [h, p] = [dest.addr.split(':')[0]!, dest.addr.split(':')[1]!];
      await r.call('MIGRATE', h, p, '', 0, 5000, 'KEYS', ...keys);
    });
    const check = await kvctl('cluster', 'check', seed(), '--json');
    expect(check.exitCode).toBe(1);
    expect(JSON.parse(check.stdout).openSlots.length).toBe(2);
    const fix = await kvctl('cluster', 'fix', seed(), '--yes');
    expect(fix.exitCode).toBe(0);
    expect(fix.stdout).toContain(`open slots fixed: ${slot}`);
    const after = await checkCluster(seed());
    expect(after.ok).toBe(true);
    expect(await withRedis(dest.addr, (r) => r.call('CLUSTER', 'COUNTKEYSINSLOT', slot))).toBe(40);
    expect(await taggedOk(seed(), tag, 40)).toBe(true);
  });

  it.skipIf(!canRun(kind))('fix gives a slot deleted from every node back to the master holding its keys', async () => {
    const tag = '{fix2}';
    const slot = keySlot(tag);
    await putTagged(seed(), tag, 25);
    const holder = created.masters.find((m) => slot >= m.slots[0] && slot <= m.slots[1])!;
    await Promise.all(nodes.slice(0, 5).map((n) => withRedis(n.addr, (r) => r.call('CLUSTER', 'DELSLOTS', slot).catch(() => undefined))));
    const broken = await checkCluster(seed());
    expect(broken.uncovered).toEqual([[slot, slot]]);
    const fix = await kvctl('cluster', 'fix', seed(), '--yes', '--json');
    expect(fix.exitCode).toBe(0);
    expect(JSON.parse(fix.stdout).uncoveredFixed).toEqual([slot]);
    expect((await checkCluster(seed())).ok).toBe(true);
    const owner = await withRedis(seed(), (r) => r.call('CLUSTER', 'SHARDS'));
    expect(JSON.stringify(owner)).toContain(holder.id);
    expect(await taggedOk(seed(), tag, 25)).toBe(true);
  });

  it.skipIf(!canRun(kind))('add-node --replica, then del-node of that replica after it was killed', async () => {
    const master = byAddr(nodes[0]!.addr);
    const add = await kvctl('cluster', 'add-node', nodes[5]!.addr, seed(), '--master-id', master.id.slice(0, 10), '--json');
    expect(add.stderr).toBe('');
    const added = JSON.parse(add.stdout);
    expect(added).toMatchObject({ role: 'replica', masterId: master.id });
    await nodes[5]!.proc.stop();
    const refuse = await kvctl('cluster', 'del-node', seed(), master.id);
    expect(refuse.exitCode).toBe(1);
    expect(refuse.stderr).toMatch(/^error: .* is a master with \d+ slots/);
    const missing = await kvctl('cluster', 'del-node', seed(), 'ffffffffffff');
    expect(missing.stderr.trim()).toBe("error: no node with id 'ffffffffffff' in the cluster");
    const del = await kvctl('cluster', 'del-node', seed(), added.id, '--json');
    expect(del.exitCode).toBe(0);
    expect(JSON.parse(del.stdout)).toMatchObject({ reachable: false });
    for (const n of nodes.slice(0, 5)) {
      const table = await withRedis(n.addr, (r) => r.call('CLUSTER', 'NODES')) as string;
      expect(table).not.toContain(added.id);
    }
    expect((await checkCluster(seed())).ok).toBe(true);
  });

  it.skipIf(!canRun(kind))('call runs on masters only; set-timeout changes every node', async () => {
    const call = await kvctl('cluster', 'call', seed(), 'CONFIG', 'GET', 'cluster-node-timeout', '--only-masters', '--json');
    expect(call.exitCode).toBe(0);
    const rows = JSON.parse(call.stdout);
    expect(rows).toHaveLength(5);
    const set = await kvctl('cluster', 'set-timeout', seed(), '3000');
    expect(set.exitCode).toBe(0);
    expect(set.stdout).toContain('on 5 of 5 nodes');
    const after = JSON.parse((await kvctl('cluster', 'call', seed(), 'CONFIG', 'GET', 'cluster-node-timeout', '--json')).stdout);
    expect(after.every((r: { reply: string[] }) => r.reply[1] === '3000')).toBe(true);
    const bad = await kvctl('cluster', 'set-timeout', seed(), 'soon');
    expect(bad.exitCode).toBe(2);
  });
});
