// The engine and a real redis-server 7.0 replicate from each other: engine master -> redis replica,
// redis master -> engine replicas (disk `$len` and diskless `$EOF:` transfers). Same datasets, READONLY
// replicas, partial resyncs across implementations, and INFO replication with Redis's exact fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { PORTS } from '../helpers/ports.js';
import { hasRedisServer, startEngine, startRedis, stopAll, type Proc } from '../helpers/procs.js';
import { caughtUp, closeConns, conn, dump, info, until, workload } from './replication-kit.js';

const BASE = PORTS.replication + 100; // 13100-13119
const [EM, RR, RM, ER1, ER2] = [BASE, BASE + 1, BASE + 2, BASE + 3, BASE + 4];

const fields = (o: Record<string, string>) => Object.keys(o).map((k) => k.replace(/^slave\d+$/, 'slaveN'));

afterAll(async () => {
  closeConns();
  await stopAll();
});

describe.skipIf(!hasRedisServer())('engine <-> redis-server replication', () => {
  describe('engine master, redis-server replica', () => {
    let em: Redis, rr: Redis;
    beforeAll(async () => {
      await startEngine(EM, { args: ['--repl-diskless-sync-delay', '0'] });
      em = conn(EM);
      await workload(em, 'a');
      await startRedis(RR, { args: ['--replicaof', '127.0.0.1', String(EM)] });
      rr = conn(RR);
    });

    it('the redis replica holds the engine dataset and refuses writes', async () => {
      await workload(em, 'b');
      await caughtUp(em, rr);
      expect(await dump(RR)).toEqual(await dump(EM));
      await expect(rr.set('x', '1')).rejects.toThrow("READONLY You can't write against a read only replica.");
    });

    it('the redis replica continues with a partial resync after CLIENT KILL TYPE replica', async () => {
      const before = await info(em, 'stats');
      await em.call('client', 'kill', 'type', 'replica');
      await em.set('after-kill', '1');
      await until(async () => Number((await info(em, 'stats')).sync_partial_ok) === Number(before.sync_partial_ok) + 1, 'a partial resync');
      await caughtUp(em, rr);
      expect(await rr.get('after-kill')).toBe('1');
      expect((await info(em, 'stats')).sync_full).toBe(before.sync_full);
    });
  });

  describe('redis-server master, engine replicas', () => {
    let rm: Redis, e1: Redis, e2: Redis;
    let disk: Proc, diskless: Proc;
    beforeAll(async () => {
      await startRedis(RM, { args: ['--repl-diskless-sync', 'no'] });
      rm = conn(RM);
      await workload(rm, 'a');
      disk = await startEngine(ER1, { args: ['--replicaof', '127.0.0.1', String(RM)] });
      e1 = conn(ER1);
      await caughtUp(rm, e1);
      await rm.config('SET', 'repl-diskless-sync', 'yes');
      await rm.config('SET', 'repl-diskless-sync-delay', '0');
      diskless = await startEngine(ER2, { args: ['--replicaof', '127.0.0.1', String(RM)] });
      e2 = conn(ER2);
    });

    it('engine replicas load both RDB transfer forms and apply the stream', async () => {
      await workload(rm, 'b');
      await caughtUp(rm, e1);
      await caughtUp(rm, e2);
      const want = await dump(RM);
      expect(await dump(ER1)).toEqual(want);
      expect(await dump(ER2)).toEqual(want);
      expect(disk.output()).toMatch(/receiving \d+ bytes from master to disk/);
      expect(diskless.output()).toContain('receiving streamed RDB from master with EOF to disk');
      await expect(e1.set('x', '1')).rejects.toThrow("READONLY You can't write against a read only replica.");
      expect(await e2.get('s:b')).toBe('hello');
    });

    it('engine replicas partially resync with redis after the link drops', async () => {
      const before = await info(rm, 'stats');
      await rm.call('client', 'kill', 'type', 'replica');
      await rm.set('after-kill', '2');
      await until(async () => Number((await info(rm, 'stats')).sync_partial_ok) === Number(before.sync_partial_ok) + 2, 'two partial resyncs');
      await caughtUp(rm, e1);
      await caughtUp(rm, e2);
      expect(await e1.get('after-kill')).toBe('2');
      expect((await info(rm, 'stats')).sync_full).toBe(before.sync_full);
    });

    it('INFO replication has exactly the fields redis-server prints, for both roles', async () => {
      const redisMaster = fields(await info(rm, 'replication'));
      const engineMaster = fields(await info(conn(EM), 'replication'));
      expect([...new Set(engineMaster)]).toEqual([...new Set(redisMaster)]);
      expect(fields(await info(e1, 'replication'))).toEqual(fields(await info(conn(RR), 'replication')));
      expect(Object.keys(await info(e1, 'stats'))).toEqual(expect.arrayContaining(['sync_full', 'sync_partial_ok', 'sync_partial_err']));
    });
  });
});
