// Engine master with engine replicas (diskless and disk-based full sync, a chained replica): equal
// datasets, READONLY replicas, partial resync after the link drops, full sync once the backlog is
// overrun, WAIT, and promotion with REPLICAOF NO ONE keeping replid2 for the other replicas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { PORTS } from '../helpers/ports.js';
import { startEngine, stopAll, type Proc } from '../helpers/procs.js';
import { caughtUp, closeConns, conn, dump, info, until, workload } from './replication-kit.js';

const BASE = PORTS.replication; // 13000-13019
const [MP, R1P, R2P, R3P] = [BASE, BASE + 1, BASE + 2, BASE + 3];
const DEAD = BASE + 19; // nothing listens here

let master: Proc, chained: Proc;
let m: Redis, r1: Redis, r2: Redis, r3: Redis;

const stats = async (r: Redis) => info(r, 'stats');

beforeAll(async () => {
  master = await startEngine(MP, { args: ['--repl-diskless-sync-delay', '0', '--enable-debug-command', 'yes'] });
  m = conn(MP);
  await workload(m, 'a'); // data that only a full sync can carry
  await Promise.all([
    // r1 serves its own replica (r3) with a disk-based `$len` RDB.
    startEngine(R1P, { args: ['--replicaof', '127.0.0.1', String(MP), '--repl-diskless-sync', 'no'] }),
    startEngine(R2P, { args: ['--replicaof', '127.0.0.1', String(MP)] }),
  ]);
  r1 = conn(R1P);
  r2 = conn(R2P);
  chained = await startEngine(R3P, { args: ['--replicaof', '127.0.0.1', String(R1P)] });
  r3 = conn(R3P);
});

afterAll(async () => {
  closeConns();
  await stopAll();
});

describe('engine master, engine replicas', () => {
  it('full sync then the stream give every replica, chained too, the master dataset', async () => {
    await workload(m, 'b');
    await caughtUp(m, r1);
    await caughtUp(m, r2);
    await caughtUp(m, r3); // through r1: same offsets as the master
    const want = await dump(MP);
    expect(Object.keys(want).length).toBeGreaterThan(20);
    expect(await dump(R1P)).toEqual(want);
    expect(await dump(R2P)).toEqual(want);
    expect(await dump(R3P)).toEqual(want);
    expect(master.output()).toContain('Starting BGSAVE for SYNC with target: replicas sockets');
    expect(master.output()).toContain('Synchronization with replica 127.0.0.1:13001 succeeded');
    expect(chained.output()).toMatch(/MASTER <-> REPLICA sync: receiving \d+ bytes from master to disk/);
    expect(chained.output()).toContain('MASTER <-> REPLICA sync: Finished with success');
  });

  it('replicas serve reads and refuse writes with READONLY', async () => {
    expect(await r2.get('s:a')).toBe('hello');
    await expect(r2.set('x', '1')).rejects.toThrow("READONLY You can't write against a read only replica.");
    await expect(r3.del('s:a')).rejects.toThrow('READONLY');
    await expect(r2.multi().set('x', '1').exec()).rejects.toThrow();
  });

  it('INFO replication and ROLE describe both sides as Redis does', async () => {
    const mi = await info(m, 'replication');
    expect(mi.role).toBe('master');
    expect(mi.connected_slaves).toBe('2');
    expect(mi.slave0).toMatch(/^ip=127\.0\.0\.1,port=1300[12],state=online,offset=\d+,lag=\d+$/);
    expect(mi.repl_backlog_active).toBe('1');
    const si = await info(r1, 'replication');
    expect(si).toMatchObject({ role: 'slave', master_host: '127.0.0.1', master_port: String(MP), master_link_status: 'up', master_replid: mi.master_replid, connected_slaves: '1' });
    expect(await r2.call('role')).toEqual(['slave', '127.0.0.1', MP, 'connected', expect.any(Number)]);
    const role = (await m.call('role')) as [string, number, string[][]];
    expect(role[0]).toBe('master');
    expect(role[2].map((x) => x[1]).sort()).toEqual([String(R1P), String(R2P)]);
  });

  it('keys expiring on the master reach the replicas as DEL', async () => {
    await m.call('debug', 'set-active-expire', '0'); // only the GET below may expire it
    await m.set('short', 'x', 'PX', 200);
    await caughtUp(m, r2);
    await until(async () => (await r2.get('short')) === null, 'the key to expire'); // logically, on the replica
    const stored = await r2.dbsize();
    expect(await m.get('short')).toBeNull(); // the master expires it and propagates DEL
    await caughtUp(m, r2);
    expect(await r2.dbsize()).toBe(stored - 1);
    await m.call('debug', 'set-active-expire', '1');
  });

  it('WAIT counts the replicas that acknowledged the last write', async () => {
    await m.set('w', '1');
    expect(await m.call('wait', '2', '5000')).toBe(2);
    expect(await m.call('wait', '3', '200')).toBe(2);
    await expect(r1.call('wait', '1', '0')).rejects.toThrow('ERR WAIT cannot be used with replica instances');
  });

  it('a dropped link resumes with a partial resync', async () => {
    const before = await stats(m);
    await m.call('client', 'kill', 'type', 'replica');
    await m.set('after-kill', 'yes');
    await until(async () => Number((await stats(m)).sync_partial_ok) >= Number(before.sync_partial_ok) + 2, 'two partial resyncs');
    await caughtUp(m, r1);
    await caughtUp(m, r2);
    expect(await r2.get('after-kill')).toBe('yes');
    expect((await stats(m)).sync_full).toBe(before.sync_full);
    expect(master.output()).toMatch(/Partial resynchronization request from 127\.0\.0\.1:1300[12] accepted/);
  });

  it('a replica whose offset left the backlog gets a full sync', async () => {
    await m.config('SET', 'repl-backlog-size', '16384');
    await r2.call('replicaof', '127.0.0.1', String(DEAD)); // r2 keeps its place in the history
    await until(async () => (await info(m, 'replication')).connected_slaves === '1', 'r2 to leave');
    const before = await stats(m);
    for (let i = 0; i < 40; i++) await m.set(`fill:${i}`, 'x'.repeat(1000));
    await r2.call('replicaof', '127.0.0.1', String(MP));
    await until(async () => Number((await stats(m)).sync_full) === Number(before.sync_full) + 1, 'a full sync');
    await caughtUp(m, r2);
    expect(master.output()).toContain('Unable to partial resync with replica 127.0.0.1:13002 for lack of backlog');
    expect(await dump(R2P)).toEqual(await dump(MP));
  });

  it('after REPLICAOF NO ONE the promoted node keeps replid2 and the other replica partially resyncs', async () => {
    await caughtUp(m, r1);
    await caughtUp(m, r2);
    const old = await info(m, 'replication');
    // Counted before the promotion: r3 (r1's replica) is disconnected by it and may psync again at once.
    const before = await stats(r1);
    await r1.call('replicaof', 'no', 'one');
    const promoted = await info(r1, 'replication');
    expect(promoted.role).toBe('master');
    expect(promoted.master_replid2).toBe(old.master_replid);
    expect(promoted.second_repl_offset).toBe(String(Number(old.master_repl_offset) + 1));
    expect(promoted.master_replid).not.toBe(old.master_replid);
    await r2.call('replicaof', '127.0.0.1', String(R1P));
    await r1.set('on-new-master', '1');
    await caughtUp(r1, r2);
    await caughtUp(r1, r3); // r3 was r1's replica all along: it reconnects and continues too
    const after = await stats(r1);
    expect(Number(after.sync_partial_ok)).toBeGreaterThanOrEqual(Number(before.sync_partial_ok) + 2);
    expect(after.sync_full).toBe(before.sync_full);
    expect(await r2.get('on-new-master')).toBe('1');
    expect(await r3.get('on-new-master')).toBe('1');
    expect(await r1.set('writable', 'yes')).toBe('OK');
  });
});
