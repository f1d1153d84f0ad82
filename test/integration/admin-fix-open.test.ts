// fix's open-slot cases as redis-cli's clusterManagerFixOpenSlot tells them apart, each slot broken by
// hand on one 4-master cluster (real redis-server nodes, then engine nodes): importing only (with and
// without stray keys, or reopened by a restart), migrating with several importers, migrating only
// (keys moved or not), and no owner with keys on several masters (slot still open, or uncovered).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTS } from '../helpers/ports.js';
import { startNodes, stopNodes, restartNode, withRedis, clusterClient, canRun, KINDS, HOSTS, type TestNode } from '../helpers/admin.js';
import { createCluster, checkCluster, fixCluster, keySlot, type CreatedMaster } from '../../src/admin/index.js';
import { waitUntil } from '../../src/admin/agreement.js';
import { parseClusterNodes } from '../../src/admin/cluster-view.js';

describe.each(KINDS)('fix open slots over %s nodes', (kind) => {
  const BASE = PORTS.admin + (kind === 'redis' ? 600 : 700); // 15600-15603, 15700-15703
  let nodes: TestNode[];
  let A: CreatedMaster, B: CreatedMaster, C: CreatedMaster, D: CreatedMaster;
  const seed = () => nodes[0]!.addr;
  let tags = 0;
  /** A fresh hash tag whose slot master m owns. */
  const tagOn = (m: CreatedMaster) => {
    for (;;) {
      const t = `{open${tags++}}`;
      if (keySlot(t) >= m.slots[0] && keySlot(t) <= m.slots[1]) return { tag: t, slot: keySlot(t) };
    }
  };
  const setslot = (m: CreatedMaster, ...args: (string | number)[]) => withRedis(m.addr, (r) => r.call('CLUSTER', 'SETSLOT', ...args));
  const count = (m: CreatedMaster, slot: number) => withRedis(m.addr, (r) => r.call('CLUSTER', 'COUNTKEYSINSLOT', slot));
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  async function put(tag: string, from: number, to: number): Promise<void> {
    const c = clusterClient(seed());
    await Promise.all(range(from, to).map((i) => c.set(`${tag}:${i}`, `v${i}`)));
    c.disconnect();
  }
  /** Writes keys straight into a master that imports the slot (ASKING), as a redirected client would. */
  const putAsking = (m: CreatedMaster, tag: string, from: number, to: number) => withRedis(m.addr, async (r) => {
    for (const i of range(from, to)) {
      await r.call('ASKING');
      await r.call('SET', `${tag}:${i}`, `v${i}`);
    }
  });
  /** Migrates n keys of the slot from src to dst (both sides must have the slot open). */
  const migrate = (src: CreatedMaster, dst: CreatedMaster, slot: number, n: number) => withRedis(src.addr, async (r) => {
    const keys = (await r.call('CLUSTER', 'GETKEYSINSLOT', slot, n)) as string[];
    const [h, p] = [dst.addr.slice(0, dst.addr.lastIndexOf(':')), dst.addr.slice(dst.addr.lastIndexOf(':') + 1)];
    await r.call('MIGRATE', h, p, '', 0, 5000, 'KEYS', ...keys);
  });
  /** The cluster is clean again, owner alone owns the slot and holds its n keys, all readable. */
  async function expectSettled(slot: number, owner: CreatedMaster, tag: string, n: number): Promise<void> {
    const report = await checkCluster(seed());
    expect(report.problems).toEqual([]);
    const table = parseClusterNodes(String(await withRedis(seed(), (r) => r.call('CLUSTER', 'NODES'))));
    const owners = table.filter((e) => e.slots.some(([a, b]) => slot >= a && slot <= b)).map((e) => e.id);
    expect(owners).toEqual([owner.id]);
    for (const m of [A, B, C, D]) expect(await count(m, slot)).toBe(m === owner ? n : 0);
    const c = clusterClient(seed());
    const vals = await Promise.all(range(0, n).map((i) => c.get(`${tag}:${i}`)));
    c.disconnect();
    expect(vals).toEqual(range(0, n).map((i) => `v${i}`));
  }
  async function fixOpen(slot: number, openNodes: number): Promise<void> {
    const before = await checkCluster(seed());
    expect(before.openSlots.filter((o) => o.slot === slot)).toHaveLength(openNodes);
    const res = await fixCluster(seed());
    expect(res.openSlotsFixed).toEqual(openNodes ? [slot] : []);
  }

  beforeAll(async () => {
    if (!canRun(kind)) return;
    nodes = await startNodes(BASE, 4, HOSTS, kind);
    [A, B, C, D] = (await createCluster({ nodes: nodes.map((n) => n.addr), replicas: 0, allowSmall: true })).masters as CreatedMaster[];
  });
  afterAll(stopNodes);

  it.skipIf(!canRun(kind))('case 2: importing only, on two masters, one with stray keys: keys go to the owner', async () => {
    const { tag, slot } = tagOn(A);
    await put(tag, 0, 20);
    await setslot(B, slot, 'IMPORTING', A.id);
    await setslot(C, slot, 'IMPORTING', A.id);
    await putAsking(B, tag, 20, 30);
    await fixOpen(slot, 2);
    await expectSettled(slot, A, tag, 30);
  });

  it.skipIf(!canRun(kind))('case 2 after a restart: stray keys loaded from dump.rdb reopen the slot as importing', async () => {
    const { tag, slot } = tagOn(A);
    await put(tag, 0, 20);
    await setslot(B, slot, 'IMPORTING', A.id);
    await putAsking(B, tag, 20, 25);
    await setslot(B, slot, 'STABLE');
    expect((await checkCluster(seed())).ok).toBe(true); // keys on a non-owner are invisible to check
    await withRedis(B.addr, (r) => r.call('SAVE'));
    await restartNode(nodes.find((n) => n.addr === B.addr)!);
    // As Redis's verifyClusterConfigWithData: the keys stay reachable (ASKING) and fix can see them.
    const opened = await checkCluster(seed());
    expect(opened.openSlots).toEqual([{ slot, node: B.addr, state: 'importing', peer: A.id }]);
    // MIGRATE needs the restarted node's cluster_state ok (redis-server waits 2 s after start-up).
    await waitUntil(15_000, async () => (String(await withRedis(B.addr, (r) => r.call('CLUSTER', 'INFO'))).includes('cluster_state:ok') ? [] : ['down']),
      async () => new Error(`${B.addr} stays down after its restart`), 50);
    await fixOpen(slot, 1);
    await expectSettled(slot, A, tag, 25);
  });

  it.skipIf(!canRun(kind))('case 3: migrating with its target and another master importing: the move finishes', async () => {
    const { tag, slot } = tagOn(A);
    await put(tag, 0, 40);
    await setslot(B, slot, 'IMPORTING', A.id);
    await setslot(C, slot, 'IMPORTING', A.id);
    await setslot(A, slot, 'MIGRATING', B.id);
    await migrate(A, B, slot, 15);
    await fixOpen(slot, 3);
    await expectSettled(slot, B, tag, 40);
  });

  it.skipIf(!canRun(kind))('case 3: migrating towards a master that does not import: every side is closed', async () => {
    const { tag, slot } = tagOn(A);
    await put(tag, 0, 10);
    await setslot(C, slot, 'IMPORTING', A.id);
    await setslot(D, slot, 'IMPORTING', A.id);
    await setslot(A, slot, 'MIGRATING', B.id);
    await fixOpen(slot, 3);
    await expectSettled(slot, A, tag, 10);
  });

  it.skipIf(!canRun(kind))('case 4: migrating only, no key moved: the slot is closed on its owner', async () => {
    const { tag, slot } = tagOn(B);
    await put(tag, 0, 10);
    await setslot(B, slot, 'MIGRATING', C.id);
    await fixOpen(slot, 1);
    await expectSettled(slot, B, tag, 10);
  });

  it.skipIf(!canRun(kind))('case 4: migrating only, keys already on a target that closed its import: the move finishes', async () => {
    const { tag, slot } = tagOn(B);
    await put(tag, 0, 30);
    await setslot(C, slot, 'IMPORTING', B.id);
    await setslot(B, slot, 'MIGRATING', C.id);
    await migrate(B, C, slot, 10);
    await setslot(C, slot, 'STABLE');
    await fixOpen(slot, 1);
    await expectSettled(slot, C, tag, 30);
  });

  /**
   * A slot half moved from A to B (15 keys left on A, 5 on B), then deleted from every node: B's
   * import ends with DELSLOTS, A's migrating state stays (as in Redis) unless closed first.
   */
  async function noOwner(closeOnA: boolean) {
    const { tag, slot } = tagOn(A);
    await put(tag, 0, 20);
    await setslot(B, slot, 'IMPORTING', A.id);
    await setslot(A, slot, 'MIGRATING', B.id);
    await migrate(A, B, slot, 5);
    if (closeOnA) await setslot(A, slot, 'STABLE');
    await Promise.all([A, B, C, D].map((m) => withRedis(m.addr, (r) => r.call('CLUSTER', 'DELSLOTS', slot))));
    const report = await checkCluster(seed());
    expect(report.uncovered).toEqual([[slot, slot]]);
    expect(report.openSlots.map((o) => `${o.node} ${o.state}`)).toEqual(closeOnA ? [] : [`${A.addr} migrating`]);
    return { tag, slot };
  }

  it.skipIf(!canRun(kind))('no owner, keys on two masters, one still migrating: the one with most keys gets them all', async () => {
    const { tag, slot } = await noOwner(false);
    const res = await fixCluster(seed());
    expect(res.openSlotsFixed).toEqual([slot]);
    expect(res.keysMoved).toBe(5);
    await expectSettled(slot, A, tag, 20);
  });

  it.skipIf(!canRun(kind))('no owner, keys on two masters, nothing open (uncovered): the one with most keys gets them all', async () => {
    const { tag, slot } = await noOwner(true);
    const res = await fixCluster(seed());
    expect(res.uncoveredFixed).toEqual([slot]);
    expect(res.keysMoved).toBe(5);
    await expectSettled(slot, A, tag, 20);
  });
});
