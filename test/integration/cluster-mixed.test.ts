// One cluster of engine and redis-server nodes over Redis 7.0's binary cluster bus: 3 masters
// (2 engine, 1 redis-server), each with a replica of the other kind. It forms by CLUSTER MEET,
// ADDSLOTSRANGE and REPLICATE and every node agrees on CLUSTER NODES / SHARDS; PUBLISH and SPUBLISH
// cross kinds; ioredis routes over it; slots migrate both ways between kinds with every key kept;
// manual failovers and kill -9 failovers promote a replica of the other kind, and the old masters
// come back as replicas. Then kvctl cluster create over a mix of both kinds.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { hasRedisServer, KVCTL_BIN, startEngine, startRedis, stopAll, tmpDir, type Proc } from '../helpers/procs.js';
import { ClientPool, RespClient, type Reply } from '../helpers/resp.js';
import { addr, call, clusterClient, clusterFlags, clusterInfo, missingKeys, redisCli, waitFor, writeKeys } from './cluster-kit.js';
import { keyHashSlot } from '../../src/engine/cluster/crc16.js';

// E0 E1 R2 masters; R3 replicates E0, R4 replicates E1, E5 replicates R2.
const P = [14500, 14501, 14502, 14503, 14504, 14505];
const KIND = ['engine', 'engine', 'redis', 'redis', 'redis', 'engine'] as const;
const MASTER_OF = [-1, -1, -1, 0, 1, 2];
const RANGES: [number, number][] = [[0, 5460], [5461, 10922], [10923, 16383]];

const procs: Proc[] = [];
const dirs = P.map(() => tmpDir('kvctl-mixed-'));
const ids: string[] = [];

function start(i: number): Promise<Proc> {
  const opts = { dir: dirs[i], args: clusterFlags() };
  return KIND[i] === 'engine' ? startEngine(P[i], opts) : startRedis(P[i], opts);
}

const text = (r: unknown) => String(r);

interface NodeLine { id: string; addr: string; flags: string[]; master: string; epoch: string; link: string; slots: string }

async function nodes(port: number): Promise<NodeLine[]> {
  return text(await call(port, 'CLUSTER', 'NODES')).trim().split('\n').map((l) => {
    const f = l.split(' ');
    return { id: f[0], addr: f[1], flags: f[2].split(','), master: f[3], epoch: f[6], link: f[7], slots: f.slice(8).join(' ') };
  });
}

/** A node's CLUSTER NODES without what is relative to the viewer (myself) or to time. */
async function view(port: number): Promise<string> {
  const lines = (await nodes(port)).map((n) => `${n.id} ${n.addr} ${n.flags.filter((f) => f !== 'myself').join(',')} ${n.master} ${n.epoch} ${n.link} ${n.slots}`);
  return lines.sort().join('\n');
}

/** CLUSTER SHARDS reduced to slots and (id, port, role) per node, shards sorted. */
async function shards(port: number): Promise<string> {
  const c = await RespClient.connect(port);
  const r = await c.call(['CLUSTER', 'SHARDS']);
  c.close();
  const field = (kv: Reply[], name: string): Reply | undefined => {
    for (let i = 0; i + 1 < kv.length; i += 2) if ((kv[i] as { v: string }).v === name) return kv[i + 1];
    return undefined;
  };
  const arr = (x: Reply | undefined): Reply[] => (x && (x.t === 'array' || x.t === 'map') ? ((x.t === 'map' ? x.v.flat() : x.v) ?? []) : []);
  const out = arr(r).map((shard) => {
    const kv = arr(shard);
    const slots = arr(field(kv, 'slots')).map((s) => (s as { v: string }).v).join('-');
    const members = arr(field(kv, 'nodes')).map((n) => {
      const nkv = arr(n);
      const v = (k: string) => (field(nkv, k) as { v: string } | undefined)?.v;
      return `${v('id')}:${v('port')}:${v('role')}`;
    }).sort();
    return `${slots} ${members.join(' ')}`;
  });
  return out.sort().join('\n');
}

/** Every node of `ports` has the same view, in which `check` holds. */
async function agree(ports: number[], check: (lines: NodeLine[]) => boolean): Promise<boolean> {
  const views = await Promise.all(ports.map(view));
  lastViews = views;
  if (!views.every((v) => v === views[0])) return false;
  return check(await nodes(ports[0]));
}

/** The views of the last agree() (printed when a wait times out). */
let lastViews: string[] = [];

const roleOf = (lines: NodeLine[], id: string) => lines.find((n) => n.id === id);

async function clusterOkAll(ports: number[]): Promise<boolean> {
  const infos = await Promise.all(ports.map(clusterInfo));
  return infos.every((i) => i.cluster_state === 'ok');
}

/** A key whose slot is in [a, b]. */
function keyIn([a, b]: [number, number], prefix: string): string {
  for (let i = 0; ; i++) {
    const k = `${prefix}${i}`;
    const s = keyHashSlot(Buffer.from(k));
    if (s >= a && s <= b) return k;
  }
}

const pool = new ClientPool();
const connect = (port: number) => pool.connect(port);

const msg = (kind: string, ch: string, payload: string) => ({ t: 'array', v: [{ t: 'bulk', v: kind }, { t: 'bulk', v: ch }, { t: 'bulk', v: payload }] });

describe.skipIf(!hasRedisServer())('mixed engine / redis-server cluster', () => {
  beforeAll(async () => {
    procs.push(...(await Promise.all(P.map((_, i) => start(i)))));
    for (let i = 0; i < P.length; i++) ids.push(text(await call(P[i], 'CLUSTER', 'MYID')));
  }, 60_000);
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(`last views:\n${lastViews.join('\n--\n')}`);
  });
  afterAll(async () => {
    pool.closeAll();
    await stopAll();
  });

  it('forms by MEET / ADDSLOTSRANGE / REPLICATE; every node agrees on NODES, SHARDS and epochs', async () => {
    for (let i = 1; i < P.length; i++) expect(await call(P[0], 'CLUSTER', 'MEET', '127.0.0.1', String(P[i]))).toBe('OK');
    for (let i = 0; i < 3; i++) expect(await call(P[i], 'CLUSTER', 'ADDSLOTSRANGE', String(RANGES[i][0]), String(RANGES[i][1]))).toBe('OK');
    await waitFor('every node knows every other', async () => (await Promise.all(P.map(nodes))).every((l) => l.length === P.length && l.every((n) => !n.flags.includes('handshake'))), 30_000);
    for (let i = 3; i < P.length; i++) expect(await call(P[i], 'CLUSTER', 'REPLICATE', ids[MASTER_OF[i]])).toBe('OK');
    await waitFor('cluster_state:ok and one view everywhere', async () => (await clusterOkAll(P)) && agree(P, (lines) =>
      P.every((_, i) => {
        const n = roleOf(lines, ids[i]);
        if (!n || n.link !== 'connected' || n.flags.some((f) => f.startsWith('fail'))) return false;
        return i < 3 ? n.flags.includes('master') && n.slots === `${RANGES[i][0]}-${RANGES[i][1]}` : n.flags.includes('slave') && n.master === ids[MASTER_OF[i]];
      })), 60_000);
    const lines = await nodes(P[0]);
    // Each master has its own config epoch and each replica shows its master's.
    const epochs = [0, 1, 2].map((i) => roleOf(lines, ids[i])!.epoch);
    expect(new Set(epochs).size).toBe(3);
    for (let i = 3; i < P.length; i++) expect(roleOf(lines, ids[i])!.epoch).toBe(epochs[MASTER_OF[i]]);
    const infos = await Promise.all(P.map(clusterInfo));
    for (const info of infos) {
      expect(info.cluster_size).toBe('3');
      expect(info.cluster_known_nodes).toBe('6');
      expect(info.cluster_current_epoch).toBe(infos[0].cluster_current_epoch);
    }
    await waitFor('CLUSTER SHARDS equal everywhere', async () => {
      const all = await Promise.all(P.map(shards));
      return all.every((s) => s === all[0]) && all[0].split('\n').length === 3;
    });
  }, 120_000);

  it('PUBLISH on an engine node reaches a redis-server subscriber, and the reverse', async () => {
    const subs = await Promise.all(P.map(connect));
    for (const s of subs) expect((await s.call(['SUBSCRIBE', 'news'])).t).toBe('array');
    const fromEngine = await connect(P[0]);
    // The reply counts this node's subscribers, as Redis in cluster mode.
    expect(await fromEngine.call(['PUBLISH', 'news', 'from-engine'])).toEqual({ t: 'int', v: '1' });
    for (const s of subs) expect(await s.next()).toEqual(msg('message', 'news', 'from-engine'));
    const fromRedis = await connect(P[3]);
    expect(await fromRedis.call(['PUBLISH', 'news', 'from-redis'])).toEqual({ t: 'int', v: '1' });
    for (const s of subs) expect(await s.next()).toEqual(msg('message', 'news', 'from-redis'));
    // Both kinds count the bus messages under Redis's names.
    for (const p of [P[1], P[2]]) expect(Number((await clusterInfo(p)).cluster_stats_messages_publish_received)).toBeGreaterThanOrEqual(2);
  });

  it('SPUBLISH reaches SSUBSCRIBE on the shard replica of the other kind', async () => {
    for (const [master, replica] of [[0, 3], [2, 5]]) {
      const ch = keyIn(RANGES[master], 'shardch');
      const sub = await connect(P[replica]);
      expect((await sub.call(['SSUBSCRIBE', ch])).t).toBe('array');
      const pub = await connect(P[master]);
      expect(await pub.call(['SPUBLISH', ch, `via-${KIND[master]}`])).toEqual({ t: 'int', v: '0' });
      expect(await sub.next()).toEqual(msg('smessage', ch, `via-${KIND[master]}`));
      // And from the replica to a subscriber on its master.
      const onMaster = await connect(P[master]);
      expect((await onMaster.call(['SSUBSCRIBE', ch])).t).toBe('array');
      const pubReplica = await connect(P[replica]);
      expect(await pubReplica.call(['SPUBLISH', ch, 'back'])).toEqual({ t: 'int', v: '1' });
      expect(await onMaster.next()).toEqual(msg('smessage', ch, 'back'));
      expect(await sub.next()).toEqual(msg('smessage', ch, 'back'));
    }
  });

  it('CLUSTER LINKS: a to and a from link per peer on both kinds', async () => {
    for (const p of [P[0], P[2]]) {
      await waitFor(`links of ${p}`, async () => {
        const c = await RespClient.connect(p);
        const r = await c.call(['CLUSTER', 'LINKS']);
        c.close();
        const rows = (r.t === 'array' ? r.v ?? [] : []).map((e) => (e.t === 'array' ? e.v ?? [] : []).map((x) => (x as { v: string }).v));
        const pairs = rows.map((f) => `${f[1]}:${f[3]}`).sort();
        const want = ids.filter((_, i) => P[i] !== p).flatMap((id) => [`from:${id}`, `to:${id}`]).sort();
        return JSON.stringify(pairs) === JSON.stringify(want);
      });
    }
  });

  it('ioredis Cluster routes over it; slots migrate engine -> redis-server (ASK in between) and redis-server -> engine keeping every key', async () => {
    await writeKeys(P[0], 3000, 'mk');
    // By hand, engine master E0 -> redis-server master R2, one slot, half its keys moved first.
    const slot = keyHashSlot(Buffer.from(keyIn(RANGES[0], 'mk:')));
    expect(await call(P[2], 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', ids[0])).toBe('OK');
    expect(await call(P[0], 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', ids[2])).toBe('OK');
    const keys = (await call(P[0], 'CLUSTER', 'GETKEYSINSLOT', String(slot), '1000')) as string[];
    expect(keys.length).toBeGreaterThan(0);
    const half = keys.slice(0, Math.ceil(keys.length / 2));
    expect(await call(P[0], 'MIGRATE', '127.0.0.1', String(P[2]), '', '0', '5000', 'KEYS', ...half)).toBe('OK');
    const src = await connect(P[0]);
    expect(await src.call(['GET', half[0]])).toEqual({ t: 'error', v: `ASK ${slot} 127.0.0.1:${P[2]}` });
    expect(await missingKeys(P[1], 3000, 'mk')).toEqual([]); // ioredis follows the ASKs
    const rest = keys.slice(half.length);
    if (rest.length) expect(await call(P[0], 'MIGRATE', '127.0.0.1', String(P[2]), '', '0', '5000', 'KEYS', ...rest)).toBe('OK');
    for (const i of [2, 0, 1]) expect(await call(P[i], 'CLUSTER', 'SETSLOT', String(slot), 'NODE', ids[2])).toBe('OK');
    expect(Number(await call(P[2], 'CLUSTER', 'COUNTKEYSINSLOT', String(slot)))).toBe(keys.length);
    // redis-cli's reshard: 300 slots from the redis-server master to engine master E1.
    const reshard = await redisCli('--cluster', 'reshard', addr(P[2]), '--cluster-from', ids[2], '--cluster-to', ids[1], '--cluster-slots', '300', '--cluster-yes');
    expect(reshard.exitCode, reshard.stdout + reshard.stderr).toBe(0);
    const slotCount = (n: NodeLine) => n.slots.split(' ').filter(Boolean).reduce((a, r) => {
      const [x, y] = r.split('-').map(Number);
      return a + (y ?? x) - x + 1;
    }, 0);
    await waitFor('one view after the moves', () => agree(P, (lines) => slotCount(roleOf(lines, ids[1])!) === RANGES[1][1] - RANGES[1][0] + 1 + 300), 30_000);
    expect(await missingKeys(P[3], 3000, 'mk')).toEqual([]);
    const check = await redisCli('--cluster', 'check', addr(P[5]));
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('[OK] All 16384 slots covered.');
  }, 120_000);

  it('manual CLUSTER FAILOVER both ways across kinds (engine replica of a redis-server master, then back)', async () => {
    expect(await call(P[5], 'CLUSTER', 'FAILOVER')).toBe('OK');
    await waitFor('engine E5 is master, R2 its replica, everywhere', () => agree(P, (lines) => roleOf(lines, ids[5])!.flags.includes('master') && roleOf(lines, ids[2])!.master === ids[5]), 30_000);
    expect(await call(P[2], 'CLUSTER', 'FAILOVER')).toBe('OK');
    await waitFor('redis R2 is master again', () => agree(P, (lines) => roleOf(lines, ids[2])!.flags.includes('master') && roleOf(lines, ids[5])!.master === ids[2]), 30_000);
    await waitFor('cluster ok', () => clusterOkAll(P), 30_000);
    expect(await missingKeys(P[0], 3000, 'mk')).toEqual([]);
  }, 90_000);

  // kill -9 a master; its replica of the other kind is promoted. Keys acknowledged with WAIT survive.
  const killed = new Set<number>();
  it.each([
    ['an engine master (redis-server replica)', 0, 3],
    ['a redis-server master (engine replica)', 2, 5],
  ])('kill -9 of %s: the replica is promoted, the others mark it FAIL, its slots take writes', async (_what, dead, heir) => {
    const key = keyIn(RANGES[dead], `acked${dead}:`);
    const c = clusterClient(P[1]);
    try {
      const written = Array.from({ length: 50 }, (_, i) => `{${key}}${i}`);
      for (const k of written) await c.set(k, 'v');
      expect(await call(P[dead], 'WAIT', '1', '5000')).toBe(1);
      procs[dead].child.kill('SIGKILL');
      killed.add(dead);
      const alive = P.filter((_, i) => !killed.has(i));
      await waitFor('replica promoted and old master FAIL everywhere', () => agree(alive, (lines) => {
        const old = roleOf(lines, ids[dead])!;
        return old.flags.includes('fail') && roleOf(lines, ids[heir])!.flags.includes('master');
      }), 60_000);
      await waitFor('cluster ok', () => clusterOkAll(alive), 30_000);
      for (const k of written) expect(await c.get(k)).toBe('v');
      expect(await c.set(`{${key}}after`, 'x')).toBe('OK');
      expect(await call(P[heir], 'GET', `{${key}}after`)).toBe('x');
    } finally {
      c.disconnect();
    }
  }, 120_000);

  it('the killed masters restart and rejoin as replicas of the promoted nodes (UPDATE across kinds)', async () => {
    procs[0] = await start(0);
    procs[2] = await start(2);
    await waitFor('E0 follows R3 and R2 follows E5, everywhere', () => agree(P, (lines) =>
      roleOf(lines, ids[0])!.master === ids[3] && roleOf(lines, ids[2])!.master === ids[5] && lines.every((n) => !n.flags.some((f) => f.startsWith('fail')))), 60_000);
    await waitFor('cluster ok', () => clusterOkAll(P), 30_000);
    expect(await missingKeys(P[0], 3000, 'mk')).toEqual([]);
    // CLUSTER INFO counts bus messages under Redis's type names on both kinds, and they add up.
    const NAMES = /^cluster_stats_messages_(ping|pong|meet|fail|publish|publishshard|auth-req|auth-ack|update|mfstart|module)_(sent|received)$/;
    let updates = 0;
    for (const p of P) {
      const info = await clusterInfo(p);
      for (const dir of ['sent', 'received']) {
        const per = Object.keys(info).filter((k) => k.startsWith('cluster_stats_messages_') && k.endsWith(`_${dir}`) && k !== `cluster_stats_messages_${dir}`);
        for (const k of per) expect(k).toMatch(NAMES);
        const sum = per.reduce((a, k) => a + Number(info[k]), 0);
        expect(Number(info[`cluster_stats_messages_${dir}`])).toBe(sum);
      }
      updates += Number(info.cluster_stats_messages_update_received ?? 0);
    }
    expect(updates).toBeGreaterThan(0); // the restarted masters were told their slots moved on
  }, 120_000);
});

// kvctl cluster create accepts a mix of engine and redis-server nodes (it only speaks commands).
const Q = [14510, 14511, 14512, 14513, 14514, 14515];

describe.skipIf(!hasRedisServer())('kvctl cluster create over engine and redis-server nodes', () => {
  beforeAll(async () => {
    await Promise.all(Q.map((p, i) => (i % 2 === 0 ? startEngine(p, { args: clusterFlags() }) : startRedis(p, { args: clusterFlags() }))));
  }, 60_000);
  afterAll(async () => {
    await stopAll();
  });

  it('creates 3 masters with 1 replica each; every node is ok and agrees; redis-cli --cluster check passes', async () => {
    const res = await execa(process.execPath, [KVCTL_BIN, 'cluster', 'create', ...Q.map(addr), '--replicas', '1', '--yes', '--json'], { reject: false, timeout: 90_000 });
    expect(res.exitCode, res.stdout + res.stderr).toBe(0);
    await waitFor('ok and one view everywhere', async () => (await clusterOkAll(Q)) && agree(Q, (lines) =>
      lines.filter((n) => n.flags.includes('master') && n.slots !== '').length === 3 && lines.filter((n) => n.flags.includes('slave')).length === 3), 60_000);
    const check = await redisCli('--cluster', 'check', addr(Q[1]));
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('[OK] All nodes agree about slots configuration.');
    await writeKeys(Q[0], 500, 'cc');
    expect(await missingKeys(Q[3], 500, 'cc')).toEqual([]);
  }, 120_000);
});
