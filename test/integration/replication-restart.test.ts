// Replicas and dump.rdb: a full sync (`$len` and `$EOF:` transfers) leaves the master's dataset in the
// replica's dump.rdb (not with repl-diskless-load swapdb; removed with rdb-del-sync-files); a replica
// or master restarted from its dump.rdb continues the replication history with a partial resync
// (repl-id / repl-offset aux fields), but not from an AOF, which is rewritten after a full sync; a
// real redis-server master accepts the restarted engine replica's PSYNC; and a master refusing PSYNC
// gets SYNC instead.
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { PORTS } from '../helpers/ports.js';
import { hasRedisServer, startEngine, startRedis, stopAll, tmpDir, type Proc } from '../helpers/procs.js';
import { caughtUp, closeConns, conn as kitConn, dump, info, until, workload } from './replication-kit.js';

const BASE = PORTS.replication + 300; // 13300-13319
const [EM, ER1, ER2, ER3, CHECK, EM2, ER4, RM, ER5, RM2, ER6, ER7] = Array.from({ length: 12 }, (_, i) => BASE + i);

const dirs: string[] = [];
const dirFor = (name: string) => {
  const d = tmpDir(`kvctl-restart-${name}-`);
  dirs.push(d);
  return d;
};

afterAll(async () => {
  closeConns();
  await stopAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A connection that quietly reconnects while its server restarts. */
const conn = (port: number): Redis => kitConn(port).on('error', () => undefined);
const stats = async (r: Redis) => info(r, 'stats');
const replication = async (r: Redis) => info(r, 'replication');

/** SIGTERM (the final save runs when save points are set), then wait for the exit. */
async function term(p: Proc): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) {
    const exited = new Promise((r) => p.child.once('exit', r));
    p.child.kill('SIGTERM');
    await exited;
  }
  await p.stop();
}

interface Restarted {
  proc: Proc;
  before: Record<string, string>;
  after: Record<string, string>;
}

/** SIGTERM a replica, write while it is down, start it again on its dir: the master's stats around its resync. */
async function restart(master: Redis, replica: Proc, args: string[], whileDown: () => Promise<unknown>): Promise<Restarted> {
  await term(replica);
  await whileDown();
  const before = await stats(master);
  const proc = await startEngine(replica.port, { dir: replica.dir, args });
  await caughtUp(master, conn(replica.port));
  return { proc, before, after: await stats(master) };
}

/** Exactly one partial resync, no full sync. */
function expectPartial({ before, after }: Restarted): void {
  expect(Number(after.sync_partial_ok)).toBe(Number(before.sync_partial_ok) + 1);
  expect(after.sync_full).toBe(before.sync_full);
}

/** The dataset a dump.rdb holds: loaded by a standalone engine of its own. */
async function rdbDataset(file: string): Promise<Record<string, unknown>> {
  const dir = dirFor('check');
  copyFileSync(file, path.join(dir, 'dump.rdb'));
  const p = await startEngine(CHECK, { dir });
  try {
    return await dump(CHECK);
  } finally {
    await p.stop();
  }
}

describe('engine master, engine replicas and their dump.rdb', () => {
  let m: Redis;
  let diskDir: string, eofDir: string;
  let disk: Proc, eof: Proc;

  it('a full sync writes the master dataset to dump.rdb (`$len` and `$EOF:` forms), atomically', async () => {
    await startEngine(EM, { args: ['--repl-diskless-sync', 'no'] });
    m = conn(EM);
    await workload(m, 'a');
    diskDir = dirFor('disk');
    // A replica with save points: SIGTERM saves dump.rdb with the replication aux fields.
    disk = await startEngine(ER1, { dir: diskDir, args: ['--replicaof', '127.0.0.1', String(EM), '--save', '3600 1'] });
    await caughtUp(m, conn(ER1));
    await m.config('SET', 'repl-diskless-sync', 'yes');
    await m.config('SET', 'repl-diskless-sync-delay', '0');
    eofDir = dirFor('eof');
    eof = await startEngine(ER2, { dir: eofDir, args: ['--replicaof', '127.0.0.1', String(EM)] });
    await caughtUp(m, conn(ER2));
    expect(disk.output()).toMatch(/receiving \d+ bytes from master to disk/);
    expect(eof.output()).toContain('receiving streamed RDB from master with EOF to disk');
    const want = await dump(EM);
    expect(Object.keys(want).length).toBeGreaterThan(10);
    for (const dir of [diskDir, eofDir]) {
      // No temp file left behind: only the renamed dump.rdb.
      expect(readdirSync(dir).filter((f) => f.endsWith('.rdb'))).toEqual(['dump.rdb']);
      expect(await rdbDataset(path.join(dir, 'dump.rdb'))).toEqual(want);
    }
  });

  it('with repl-diskless-load swapdb the RDB is parsed from memory and no dump.rdb is written', async () => {
    const dir = dirFor('swapdb');
    const p = await startEngine(ER3, { dir, args: ['--replicaof', '127.0.0.1', String(EM), '--repl-diskless-load', 'swapdb'] });
    await caughtUp(m, conn(ER3));
    expect(p.output()).toContain('receiving streamed RDB from master with EOF to parser');
    expect(p.output()).toContain('MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
    expect(existsSync(path.join(dir, 'dump.rdb'))).toBe(false);
    expect(await dump(ER3)).toEqual(await dump(EM));
  });

  it('with rdb-del-sync-files yes a replica without persistence removes the synced dump.rdb', async () => {
    const dir = dirFor('delsync');
    const p = await startEngine(ER7, { dir, args: ['--replicaof', '127.0.0.1', String(EM), '--rdb-del-sync-files', 'yes'] });
    await caughtUp(m, conn(ER7));
    expect(p.output()).toContain('Removing the RDB file obtained from the master. This replica has persistence disabled');
    expect(readdirSync(dir).filter((f) => f.endsWith('.rdb'))).toEqual([]);
    expect(await dump(ER7)).toEqual(await dump(EM));
  });

  it('a replica restarted after SIGTERM continues with a partial resync', async () => {
    await workload(m, 'b');
    await caughtUp(m, conn(ER1));
    const old = disk;
    // Written while the replica is down: the backlog carries it.
    const res = await restart(m, disk, ['--replicaof', '127.0.0.1', String(EM), '--save', '3600 1'], () => workload(m, 'c'));
    expect(old.output()).toContain('Saving the final RDB snapshot before exiting.');
    disk = res.proc;
    expectPartial(res);
    const r1 = conn(ER1);
    expect(disk.output()).toContain('Before turning into a replica, using my own master parameters to synthesize a cached master');
    expect(disk.output()).toContain('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
    expect(await dump(ER1)).toEqual(await dump(EM));
    expect((await replication(r1)).master_replid).toBe((await replication(m)).master_replid);
  });

  it('a replica without save points restarts from the dump.rdb of its full sync, also partially', async () => {
    await workload(m, 'd');
    await caughtUp(m, conn(ER2));
    // save "": no final save, the full sync's dump.rdb (with the master's aux fields) stays.
    const res = await restart(m, eof, ['--replicaof', '127.0.0.1', String(EM)], () => m.set('while-down', '1'));
    eof = res.proc;
    expectPartial(res);
    expect(await dump(ER2)).toEqual(await dump(EM));
  });

  it('a replica with appendonly yes rewrites its AOF after a full sync, and ignores the aux fields', async () => {
    await m.config('SET', 'repl-diskless-sync', 'no');
    await term(eof);
    eof = await startEngine(ER2, { dir: eofDir, args: ['--replicaof', '127.0.0.1', String(EM), '--appendonly', 'yes'] });
    const r2 = conn(ER2);
    await caughtUp(m, r2);
    // The AOF restarts from a rewrite of the synced dataset, then follows the stream.
    await until(async () => {
      const p = await info(r2, 'persistence');
      return p.aof_rewrites === '1' && p.aof_rewrite_in_progress === '0';
    }, 'the AOF rewrite after the sync');
    await workload(m, 'e');
    await caughtUp(m, r2);
    await term(eof);
    // The AOF alone (no master) holds the whole dataset.
    eof = await startEngine(ER2, { dir: eofDir, args: ['--appendonly', 'yes'] });
    expect(await dump(ER2)).toEqual(await dump(EM));
    const { proc, before, after } = await restart(m, eof, ['--replicaof', '127.0.0.1', String(EM), '--appendonly', 'yes'], () => m.set('aof-restart', '1'));
    eof = proc;
    expect(Number(after.sync_full)).toBe(Number(before.sync_full) + 1);
    expect(after.sync_partial_ok).toBe(before.sync_partial_ok);
    expect(eof.output()).toContain('Partial resynchronization not possible (no cached master)');
    expect(await dump(ER2)).toEqual(await dump(EM));
  });
});

describe('a restarted engine master', () => {
  it('keeps its history as replid2 so its replica continues partially', async () => {
    const dir = dirFor('master');
    let mp = await startEngine(EM2, { dir, args: ['--save', '3600 1', '--repl-diskless-sync-delay', '0'] });
    let m = conn(EM2);
    await workload(m, 'a');
    await startEngine(ER4, { args: ['--replicaof', '127.0.0.1', String(EM2)] });
    const r = conn(ER4);
    await caughtUp(m, r);
    const old = await replication(m);
    await term(mp);
    mp = await startEngine(EM2, { dir, args: ['--save', '3600 1', '--repl-diskless-sync-delay', '0'] });
    m = conn(EM2);
    const now = await replication(m);
    expect(now.master_replid2).toBe(old.master_replid);
    expect(now.second_repl_offset).toBe(String(Number(old.master_repl_offset) + 1));
    expect(now.master_repl_offset).toBe(old.master_repl_offset);
    await m.set('after-restart', '1');
    await until(async () => Number((await stats(m)).sync_partial_ok) === 1, 'the replica to continue');
    await caughtUp(m, r);
    expect((await stats(m)).sync_full).toBe('0');
    expect(await r.get('after-restart')).toBe('1');
    expect(await dump(ER4)).toEqual(await dump(EM2));
  });
});

describe.skipIf(!hasRedisServer())('redis-server master, engine replica', () => {
  it('a restarted engine replica continues partially with redis-server', async () => {
    await startRedis(RM, { args: ['--repl-diskless-sync', 'no'] });
    const rm = conn(RM);
    await workload(rm, 'a');
    const dir = dirFor('interop');
    const p = await startEngine(ER5, { dir, args: ['--replicaof', '127.0.0.1', String(RM), '--save', '3600 1'] });
    await caughtUp(rm, conn(ER5));
    expect(await rdbDataset(path.join(dir, 'dump.rdb'))).toEqual(await dump(RM));
    await workload(rm, 'b');
    await caughtUp(rm, conn(ER5));
    expectPartial(await restart(rm, p, ['--replicaof', '127.0.0.1', String(RM), '--save', '3600 1'], () => workload(rm, 'c')));
    expect(await dump(ER5)).toEqual(await dump(RM));
  });

  it('falls back to SYNC when the master refuses PSYNC', async () => {
    await startRedis(RM2, { args: ['--rename-command', 'PSYNC', '', '--repl-diskless-sync-delay', '0'] });
    const rm = conn(RM2);
    await workload(rm, 'a');
    const p = await startEngine(ER6, { args: ['--replicaof', '127.0.0.1', String(RM2)] });
    const r = conn(ER6);
    await until(async () => (await replication(r)).master_link_status === 'up', 'the link');
    await rm.set('after-sync', '1');
    await until(async () => (await r.get('after-sync')) === '1', 'the stream after SYNC');
    // No periodic ACKs to a pre-PSYNC master, but REPLCONF GETACK (sent for WAIT) is answered.
    expect(await rm.call('WAIT', '1', '5000')).toBe(1);
    expect(p.output()).toContain("Master does not support PSYNC or is in error state (reply: -ERR unknown command 'PSYNC'");
    expect(p.output()).toContain('Retrying with SYNC...');
    expect(await dump(ER6)).toEqual(await dump(RM2));
  });
});
