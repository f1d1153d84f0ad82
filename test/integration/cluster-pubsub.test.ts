import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, startRedis, stopAll, tmpDir } from '../helpers/procs.js';
import { ClientPool, RespClient, type Reply } from '../helpers/resp.js';
import { addr, clusterFlags, clusterOk, redisCli, removeDirs, startClusterNodes, waitFor } from './cluster-kit.js';
import { keyHashSlot } from '../../src/engine/cluster/crc16.js';

// Pub/sub across a cluster of engine nodes (3 masters, 1 replica each), side by side with a
// redis-server cluster of the same shape: PUBLISH reaches subscribers on every node, SSUBSCRIBE /
// SPUBLISH are slot-checked and reach the shard's master and replica, CLUSTER LINKS pairs to/from.
// (Mixed engine/redis-server clusters are tested in cluster-mixed.test.ts.)
const ENGINE = [17200, 17201, 17202, 17203, 17204, 17205];
const REDIS = [17210, 17211, 17212, 17213, 17214, 17215];

async function makeCluster(ports: number[]): Promise<void> {
  const create = await redisCli('--cluster', 'create', ...ports.map(addr), '--cluster-replicas', '1', '--cluster-yes');
  expect(create.exitCode, create.stdout + create.stderr).toBe(0);
  await waitFor('cluster_state:ok everywhere', () => clusterOk(ports), 60_000);
  // cluster_state:ok comes before every replica is attached (redis-server may attach one later).
  await waitFor('every node sees a replica per master', async () => {
    const views = await Promise.all(ports.map(async (p) => {
      const c = await RespClient.connect(p);
      const r = await c.call(['CLUSTER', 'NODES']);
      c.close();
      return String(r.t === 'bulk' ? r.v : '').split('\n').filter((l) => / (myself,)?slave /.test(l)).length;
    }));
    return views.every((n) => n === ports.length / 2);
  }, 60_000);
}

/** Master port serving the slot, and that master's replica port. */
async function shardOf(ports: number[], slot: number): Promise<{ master: number; replica: number }> {
  const c = await RespClient.connect(ports[0]);
  const r = await c.call(['CLUSTER', 'NODES']);
  c.close();
  const parsed = String(r.t === 'bulk' ? r.v : '').trim().split('\n').map((l) => l.split(' '));
  const serves = (f: string[]) => f.slice(8).some((s) => {
    const [a, b] = s.split('-').map(Number);
    return slot >= a && slot <= (b ?? a);
  });
  const owner = parsed.find((f) => f[2].includes('master') && serves(f));
  const replica = owner && parsed.find((f) => f[3] === owner[0]);
  if (!owner || !replica) throw new Error(`no master with a replica for slot ${slot} in:\n${parsed.map((f) => f.join(" ")).join("\n")}`);
  const port = (f: string[]) => Number(f[1].split('@')[0].split(':')[1]);
  return { master: port(owner), replica: port(replica) };
}

const portMap = (ports: number[]) => (r: Reply): string => {
  let s = JSON.stringify(r);
  ports.forEach((p, i) => (s = s.split(`:${p}`).join(`:node${i}`)));
  return s;
};

describe.skipIf(!hasRedisServer())('cluster pub/sub (engine nodes, redis-server alongside)', () => {
  const pool = new ClientPool();
  const connect = (port: number) => pool.connect(port);
  beforeAll(async () => {
    await startClusterNodes(ENGINE[0], ENGINE.length);
    await Promise.all(REDIS.map((p) => startRedis(p, { dir: tmpDir('kvctl-rcluster-'), args: clusterFlags() })));
    await Promise.all([makeCluster(ENGINE), makeCluster(REDIS)]);
  }, 120_000);
  afterAll(async () => {
    pool.closeAll();
    await stopAll();
    removeDirs();
  });

  it.each([['engine', ENGINE], ['redis-server', REDIS]] as const)('PUBLISH on one node reaches subscribers on every node (%s)', async (_side, ports) => {
    const subs = await Promise.all(ports.map(connect));
    for (const s of subs) expect(await s.call(['SUBSCRIBE', 'news'])).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'subscribe' }, { t: 'bulk', v: 'news' }, { t: 'int', v: '1' }] });
    const pub = await connect(ports[2]);
    // The reply counts this node's subscribers only, as Redis does.
    expect(await pub.call(['PUBLISH', 'news', 'hello'])).toEqual({ t: 'int', v: '1' });
    for (const s of subs) expect(await s.next()).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'message' }, { t: 'bulk', v: 'news' }, { t: 'bulk', v: 'hello' }] });
    const replicaPub = await connect(ports[5]);
    expect(await replicaPub.call(['PUBLISH', 'news', 'from-replica'])).toEqual({ t: 'int', v: '1' });
    for (const s of subs) expect((await s.next()).t).toBe('array');
  });

  it('sharded pub/sub: slot checks, delivery to the shard\'s master and replica, same replies as redis-server', async () => {
    const channel = 'orders';
    const slot = keyHashSlot(Buffer.from(channel));
    const transcript = async (ports: number[]) => {
      const out: string[] = [];
      const show = portMap(ports);
      const { master, replica } = await shardOf(ports, slot);
      const other = ports.find((p) => p !== master && p !== replica) as number;
      const [onMaster, onReplica, onOther, pubMaster, pubReplica, pubOther] = await Promise.all([master, replica, other, master, replica, other].map(connect));
      const log = (what: string, r: Reply) => out.push(`${what} ${show(r)}`);
      log('other: SSUBSCRIBE', await onOther.call(['SSUBSCRIBE', channel]));
      log('other: SSUBSCRIBE cross-slot', await onOther.call(['SSUBSCRIBE', channel, 'x']));
      log('master: SSUBSCRIBE', await onMaster.call(['SSUBSCRIBE', channel]));
      log('replica: SSUBSCRIBE (no READONLY needed)', await onReplica.call(['SSUBSCRIBE', channel]));
      log('PUBSUB SHARDCHANNELS on the master', await pubMaster.call(['PUBSUB', 'SHARDCHANNELS']));
      log('PUBSUB SHARDNUMSUB on the replica', await pubReplica.call(['PUBSUB', 'SHARDNUMSUB', channel, 'none']));
      log('SPUBLISH on the master', await pubMaster.call(['SPUBLISH', channel, 'paid']));
      log('master gets', await onMaster.next());
      log('replica gets', await onReplica.next());
      log('SPUBLISH on the replica', await pubReplica.call(['SPUBLISH', channel, 'shipped']));
      log('master gets', await onMaster.next());
      log('replica gets', await onReplica.next());
      log('SPUBLISH on another shard', await pubOther.call(['SPUBLISH', channel, 'no']));
      log('replica: SUNSUBSCRIBE', await onReplica.call(['SUNSUBSCRIBE', channel]));
      return out;
    };
    const [engine, redis] = [await transcript(ENGINE), await transcript(REDIS)];
    expect(engine).toEqual(redis);
    const text = engine.join('\n');
    for (const want of ['MOVED', 'CROSSSLOT', '"smessage"},{"t":"bulk","v":"orders"},{"t":"bulk","v":"paid"', '"shipped"']) expect(text).toContain(want);
  });

  it.each([['engine', ENGINE], ['redis-server', REDIS]] as const)('a slot moving to another shard unsubscribes its shard channels there (%s)', async (_side, ports) => {
    const channel = 'moving{x}';
    const slot = keyHashSlot(Buffer.from(channel));
    const { master, replica } = await shardOf(ports, slot);
    const target = ports.find((p) => p !== master && p !== replica) as number;
    const [onMaster, onReplica, t, m] = await Promise.all([master, replica, target, master].map(connect));
    expect((await onMaster.call(['SSUBSCRIBE', channel, 'moving{x}2'])).t).toBe('array');
    await onMaster.next();
    expect((await onReplica.call(['SSUBSCRIBE', channel])).t).toBe('array');
    const id = ((await t.call(['CLUSTER', 'MYID'])) as { v: string }).v;
    const from = ((await m.call(['CLUSTER', 'MYID'])) as { v: string }).v;
    // As a reshard moves it: the target imports, then takes it (bumping its config epoch), then the source.
    expect(await t.call(['CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', from])).toEqual({ t: 'simple', v: 'OK' });
    expect(await m.call(['CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', id])).toEqual({ t: 'simple', v: 'OK' });
    expect(await t.call(['CLUSTER', 'SETSLOT', String(slot), 'NODE', id])).toEqual({ t: 'simple', v: 'OK' });
    expect(await m.call(['CLUSTER', 'SETSLOT', String(slot), 'NODE', id])).toEqual({ t: 'simple', v: 'OK' });
    const unsub = (n: number, name: string) => ({ t: 'array', v: [{ t: 'bulk', v: 'sunsubscribe' }, { t: 'bulk', v: name }, { t: 'int', v: String(n) }] });
    const got = [await onMaster.next(), await onMaster.next()];
    expect(got).toContainEqual(unsub(1, channel));
    expect(got).toContainEqual(unsub(0, 'moving{x}2'));
    expect(await onReplica.next(15_000)).toEqual(unsub(0, channel));
    expect(await onMaster.call(['PING'])).toEqual({ t: 'simple', v: 'PONG' });
  });

  it('CLUSTER LINKS lists, per peer, its "to" link then its "from" link (as redis-server)', async () => {
    const shape = async (port: number) => {
      const c = await connect(port);
      await waitFor('every link up', async () => {
        const r = await c.call(['CLUSTER', 'LINKS']);
        return r.t === 'array' && (r.v ?? []).length === 10;
      });
      const r = await c.call(['CLUSTER', 'LINKS']);
      const rows = (r.t === 'array' ? r.v ?? [] : []).map((e) => {
        const v = e.t === 'array' ? e.v ?? [] : [];
        const f = new Map<string, string>();
        for (let i = 0; i + 1 < v.length; i += 2) f.set(String((v[i] as { v: string }).v), String((v[i + 1] as { v: string }).v));
        return f;
      });
      return {
        keys: [...rows[0].keys()],
        directions: rows.map((f) => f.get('direction')).join(','),
        paired: rows.every((f, i) => i % 2 === 1 || rows[i + 1].get('node') === f.get('node')),
        events: rows.map((f) => f.get('events')).join(','),
      };
    };
    const [e, r] = [await shape(ENGINE[0]), await shape(REDIS[0])];
    expect(e).toEqual(r);
    expect(r.paired).toBe(true);
  });
});
