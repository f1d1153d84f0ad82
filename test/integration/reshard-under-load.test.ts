// kvctl cluster reshard under a live ioredis load (issue 20): 3 engine masters, writers and readers
// running through the whole reshard; afterwards every acknowledged write is readable at the node
// that owns its slot, every node agrees on who owns what, and no slot is left open.
// Ports 14900-14902 (bus 24900-24902).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { KVCTL_BIN, tmpDir } from '../helpers/procs.js';
import { startNodes, stopNodes, fillKeys, clusterClient, withRedis, type TestNode } from '../helpers/admin.js';
import { createCluster, keySlot } from '../../src/admin/index.js';
import { parseClusterNodes } from '../../src/admin/cluster-view.js';

const BASE = 14900;
const SLOTS = 600;

/** slot -> owner address, as one node sees it, plus its open (migrating/importing) slots. */
async function ownership(n: TestNode): Promise<{ owners: string[]; open: number }> {
  const text = String(await withRedis(n.addr, (r) => r.call('CLUSTER', 'NODES')));
  const entries = parseClusterNodes(text);
  const owners: string[] = new Array(16384).fill('');
  for (const e of entries) for (const [a, b] of e.slots) for (let s = a; s <= b; s++) owners[s] = e.id;
  const me = entries.find((e) => e.flags.includes('myself'))!;
  return { owners, open: me.migrating.size + me.importing.size };
}

describe('kvctl cluster reshard under an ioredis load (engine)', () => {
  let nodes: TestNode[];
  let ids: string[];
  const home = tmpDir('kvctl-home-');

  beforeAll(async () => {
    nodes = await startNodes(BASE, 3, undefined, 'engine');
    ids = (await createCluster({ nodes: nodes.map((n) => n.addr), replicas: 0 })).masters.map((m) => m.id);
    await fillKeys(nodes[0]!.addr, 5000); // the moved slots hold keys before the load starts
  });
  afterAll(stopNodes);

  it(`moves ${SLOTS} slots while clients write and read; no acknowledged write is lost or misplaced`, async () => {
    const from = ids[0]!;
    const to = ids[1]!;
    const initial = (await ownership(nodes[0]!)).owners;
    const count = (owners: string[], id: string) => owners.filter((o) => o === id).length;
    const client = clusterClient(nodes[0]!.addr);
    const acked = new Map<string, string>();
    const wrong: string[] = [];
    let stop = false;
    try {
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const key = `load:${w}:${i}`;
          await client.set(key, `v${i}`);
          acked.set(key, `v${i}`);
        }
      };
      // Reads of keys already acknowledged (ASK/MOVED followed by ioredis) must see the value.
      const reader = async () => {
        while (!stop) {
          const keys = [...acked.keys()];
          if (keys.length === 0) { await new Promise((r) => setTimeout(r, 5)); continue; }
          const key = keys[Math.floor(Math.random() * keys.length)]!;
          const got = await client.get(key);
          if (got !== acked.get(key)) wrong.push(`${key}: ${got} during the reshard`);
        }
      };
      const load = [0, 1, 2, 3].map(writer).concat([reader(), reader()]);
      await new Promise((r) => setTimeout(r, 200));
      const before = acked.size;
      const res = await execa(process.execPath, [KVCTL_BIN, 'cluster', 'reshard', nodes[0]!.addr, '--from', from, '--to', to,
        '--slots', String(SLOTS), '--yes', '--json'], { reject: false, env: { KVCTL_HOME: home } });
      const during = acked.size - before;
      stop = true;
      await Promise.all(load);
      expect(res.exitCode, res.stderr).toBe(0);
      expect(JSON.parse(res.stdout).keysMoved).toBeGreaterThan(0);
      expect(during).toBeGreaterThan(0); // the load really ran while the slots moved
      expect(wrong).toEqual([]);
    } finally {
      stop = true;
      client.disconnect();
    }

    // Every node agrees on the owners, nothing is left open, and the target took SLOTS slots.
    const views = await Promise.all(nodes.map(ownership));
    for (const v of views) {
      expect(v.open).toBe(0);
      expect(v.owners).toEqual(views[0]!.owners);
    }
    const owners = views[0]!.owners;
    expect(count(owners, to)).toBe(count(initial, to) + SLOTS);
    expect(count(owners, from)).toBe(count(initial, from) - SLOTS);
    const byId = new Map(nodes.map((n, i) => [ids[i]!, n]));
    // Every acknowledged write is at its slot's owner, read there directly (no redirection).
    const keys = [...acked.keys()];
    const byOwner = new Map<string, string[]>();
    for (const k of keys) {
      const owner = owners[keySlot(k)]!;
      byOwner.set(owner, [...(byOwner.get(owner) ?? []), k]);
    }
    let checked = 0;
    for (const [owner, ks] of byOwner) {
      // One GET per key (MGET would be CROSSSLOT); an error reply (MOVED: not the owner) counts as wrong.
      const got = await withRedis(byId.get(owner)!.addr, async (r) => {
        const p = r.pipeline();
        for (const k of ks) p.get(k);
        return ((await p.exec()) ?? []).map(([err, v]) => (err ? `error ${err.message}` : v));
      });
      const missing = ks.filter((k, i) => got[i] !== acked.get(k));
      expect(missing.slice(0, 5), `${missing.length} acknowledged keys wrong at ${byId.get(owner)!.addr}`).toEqual([]);
      checked += ks.length;
    }
    expect(checked).toBe(acked.size);
  });
});
