// reshard, an interrupted reshard finished by fix, add-node and rebalance, over real redis-server
// nodes, then engine nodes, holding 10k keys (plus a hash-tagged slot with many keys), checking count
// and content.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { KVCTL_BIN, tmpDir } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { startNodes, stopNodes, fillKeys, badKeys, totalKeysOnMasters, clusterClient, withRedis, canRun, KINDS, type TestNode } from '../helpers/admin.js';
import { createCluster, checkCluster, reshard, keySlot, InterruptedError, clusterInfo } from '../../src/admin/index.js';

const N = 10_000;
const TAGGED = 300;
// One KVCTL_HOME per describe block: stopNodes (stopAll) removes the temp dirs of the block before it.
let home = '';
const kvctl = (...args: string[]) => execa(process.execPath, [KVCTL_BIN, ...args], { reject: false, env: { KVCTL_HOME: home } });
const journals = () => (existsSync(path.join(home, 'journal')) ? readdirSync(path.join(home, 'journal')).filter((f) => f.endsWith('.json')) : []);

/** A hash tag whose slot is below 100, i.e. among the first slots a reshard takes from master 0. */
const tag = (() => { for (let i = 0; ; i++) if (keySlot(`{t${i}}`) < 100) return `{t${i}}`; })();

async function taggedIntact(addr: string): Promise<boolean> {
  const c = clusterClient(addr);
  try {
    const vals = await Promise.all(Array.from({ length: TAGGED }, (_, i) => c.get(`${tag}:${i}`)));
    return vals.every((v, i) => v === `tagged-${i}`);
  } finally {
    c.disconnect();
  }
}

describe.each(KINDS)('reshard, resume, add-node and rebalance with 10k keys over %s nodes', (kind) => {
  const BASE = PORTS.admin + (kind === 'redis' ? 100 : 400); // 15100-15103, 15400-15403
  let nodes: TestNode[];
  let ids: string[];
  const seed = () => nodes[0]!.addr;

  beforeAll(async () => {
    home = tmpDir('kvctl-home-');
    process.env.KVCTL_HOME = home;
    if (!canRun(kind)) return;
    nodes = await startNodes(BASE, 4, undefined, kind);
    const res = await createCluster({ nodes: nodes.slice(0, 3).map((n) => n.addr), replicas: 0 });
    ids = res.masters.map((m) => m.id);
    await fillKeys(seed(), N);
    const c = clusterClient(seed());
    await Promise.all(Array.from({ length: TAGGED }, (_, i) => c.set(`${tag}:${i}`, `tagged-${i}`)));
    c.disconnect();
  });
  afterAll(stopNodes);

  it.skipIf(!canRun(kind))('an interrupted reshard leaves a journal and an open slot, and the next fix finishes it', async () => {
    // From the master holding the tagged slot (among its lowest, which a reshard moves first,
    // whatever ran before) to another master, counted from what it has now.
    const before = await clusterInfo(seed());
    const counts = await Promise.all(before.masters.map((m) => withRedis(m.addr, (r) => r.call('CLUSTER', 'COUNTKEYSINSLOT', keySlot(tag)))));
    const from = before.masters[counts.findIndex((c) => Number(c) > 0)]!;
    const to = before.masters.find((m) => m.id !== from.id)!;
    const ac = new AbortController();
    // Abort once 100 keys moved: the tagged slot (300 keys) is then half-way through.
    const run = reshard(seed(), {
      from: [from.id], to: to.id, slots: 100, pipeline: 10, parallel: 1, signal: ac.signal,
      onProgress: (p) => { if (p.keysMoved >= 100) ac.abort(); },
    });
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    expect(journals()).toHaveLength(1);
    const mid = await checkCluster(seed());
    expect(mid.ok).toBe(false);
    expect(mid.openSlots.map((o) => o.slot)).toContain(keySlot(tag));

    const fix = await kvctl('cluster', 'fix', seed(), '--yes', '--json');
    expect(fix.stderr).toBe('');
    expect(fix.exitCode).toBe(0);
    const out = JSON.parse(fix.stdout);
    expect(out.journalsFinished).toBe(1);
    expect(out.check.ok).toBe(true);
    expect(journals()).toHaveLength(0);
    const info = await clusterInfo(seed());
    expect(info.masters.find((m) => m.id === to.id)!.slots).toBe(to.slots + 100);
    expect(await totalKeysOnMasters(nodes)).toBe(N + TAGGED);
    expect(await badKeys(seed(), N)).toEqual([]);
    expect(await taggedIntact(seed())).toBe(true);
  });

  it.skipIf(!canRun(kind))('CLI reshard moves 1000 slots from all masters with no key lost', async () => {
    const before = (await clusterInfo(seed())).masters.find((m) => m.id === ids[1])!.slots;
    const res = await kvctl('cluster', 'reshard', seed(), '--from', 'all', '--to', ids[1]!, '--slots', '1000', '--pipeline', '50', '--yes', '--json');
    expect(res.exitCode).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.complete).toBe(true);
    expect(out.moves).toHaveLength(1000);
    expect(out.keysMoved).toBeGreaterThan(0);
    const info = await clusterInfo(seed());
    expect(info.masters.find((m) => m.id === ids[1])!.slots).toBe(before + 1000);
    expect(info.keys).toBe(N + TAGGED);
    expect(await badKeys(seed(), N)).toEqual([]);
    expect((await execa('redis-cli', ['--cluster', 'check', seed()], { reject: false })).exitCode).toBe(0);
  });

  it.skipIf(!canRun(kind))('add-node joins an empty master; rebalance --use-empty-masters evens slots without losing keys', { timeout: 60_000 }, async () => {
    const add = await kvctl('cluster', 'add-node', nodes[3]!.addr, seed(), '--json');
    expect(add.exitCode).toBe(0);
    expect(JSON.parse(add.stdout).role).toBe('master');
    const sim = JSON.parse((await kvctl('cluster', 'rebalance', seed(), '--use-empty-masters', '--simulate', '--json')).stdout);
    expect(sim.needed).toBe(true);
    expect(sim.keysMoved).toBe(0);
    const res = await kvctl('cluster', 'rebalance', seed(), '--use-empty-masters', '--pipeline', '20', '--json');
    expect(res.exitCode).toBe(0);
    const info = await clusterInfo(seed());
    expect(info.masters).toHaveLength(4);
    for (const m of info.masters) expect(Math.abs(m.slots - 4096)).toBeLessThanOrEqual(1);
    expect(info.keys).toBe(N + TAGGED);
    expect(await badKeys(seed(), N)).toEqual([]);
    expect(await taggedIntact(seed())).toBe(true);
    const again = JSON.parse((await kvctl('cluster', 'rebalance', seed(), '--use-empty-masters', '--json')).stdout);
    expect(again.needed).toBe(false);
    expect((await checkCluster(seed())).ok).toBe(true);
  });
});
