// The ACK path WAIT relies on between engine nodes: a replica ACKs each applied read (written straight
// to its link's socket handle, a new writer per connection), a blocked WAIT with only such replicas
// schedules nothing of its own and is served by the ACK that arrives later, and a replica with no
// sub-replica of its own feeds only its backlog, from which a sub-replica that comes back continues.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { PORTS } from '../helpers/ports.js';
import { startEngine, stopAll, tmpDir, type Proc } from '../helpers/procs.js';
import { caughtUp, closeConns, conn as kitConn, dump, info, until } from './replication-kit.js';

const BASE = PORTS.replication + 610; // 13610-13619
const [MP, R1P, R2P] = [BASE, BASE + 1, BASE + 2];

/** A connection that quietly reconnects while its server restarts. */
const conn = (port: number): Redis => kitConn(port).on('error', () => undefined);

let m: Redis;
let r1: Redis;
let replica: Proc;
const subDir = tmpDir('kvctl-waitack-sub-');

beforeAll(async () => {
  await startEngine(MP, { args: ['--repl-diskless-sync-delay', '0'] });
  m = conn(MP);
  replica = await startEngine(R1P, { args: ['--replicaof', '127.0.0.1', String(MP), '--repl-diskless-sync-delay', '0'] });
  r1 = conn(R1P);
  await caughtUp(m, r1);
});

afterAll(async () => {
  closeConns();
  await stopAll();
  rmSync(subDir, { recursive: true, force: true });
});

/** SET then WAIT 1 with a timeout well under the replica's once-a-second ACK: only a per-read ACK makes these 1. */
async function setWaitRounds(tag: string, n: number): Promise<number[]> {
  const got: number[] = [];
  for (let i = 0; i < n; i++) {
    await m.set(`${tag}:${i}`, String(i));
    got.push(Number(await m.call('wait', '1', '700')));
  }
  return got;
}

describe('WAIT and the per-read ACK', () => {
  it('counts the replica after each write, and again after the link is killed and relinked', async () => {
    expect(await setWaitRounds('a', 20)).toEqual(Array(20).fill(1));
    const linked = Number((await info(m, 'stats')).sync_partial_ok);
    expect(await m.call('client', 'kill', 'type', 'replica')).toBe(1);
    await until(async () => Number((await info(m, 'stats')).sync_partial_ok) > linked, 'the replica to relink');
    await caughtUp(m, r1);
    expect(await setWaitRounds('b', 20)).toEqual(Array(20).fill(1));
    const mi = await info(m, 'replication');
    expect(mi.slave0).toContain(`offset=${mi.master_repl_offset},`);
  });

  it('a WAIT blocked while the replica is stopped is served by the ACK that follows SIGCONT', async () => {
    process.kill(replica.pid, 'SIGSTOP');
    try {
      await m.set('stopped', '1');
      const waiting = m.call('wait', '1', '0');
      // Not answered while the replica cannot ACK (WAIT with timeout 0 blocks until it does).
      const early = await Promise.race([waiting.then(() => 'answered'), new Promise((r) => setTimeout(() => r('blocked'), 300))]);
      expect(early).toBe('blocked');
      process.kill(replica.pid, 'SIGCONT');
      expect(await waiting).toBe(1);
    } finally {
      process.kill(replica.pid, 'SIGCONT');
    }
    expect(await r1.get('stopped')).toBe('1');
  });

  it('a WAIT for more replicas than there are times out with the count', async () => {
    await m.set('two', '1');
    const t = Date.now();
    expect(await m.call('wait', '2', '200')).toBe(1);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
    expect(await m.call('wait', '0', '0')).toBe(1);
  });
});

describe('a replica without sub-replicas', () => {
  it('keeps its backlog while it has none, so a sub-replica that comes back continues from it', async () => {
    const dir = subDir;
    let sub = await startEngine(R2P, { dir, args: ['--replicaof', '127.0.0.1', String(R1P), '--save', '3600 1'] });
    const r2 = conn(R2P);
    await m.set('before', 'x');
    await caughtUp(m, r1);
    await caughtUp(r1, r2);
    // SIGTERM: the final save records the replication ID and offset for a partial resync later.
    const exited = new Promise((r) => sub.child.once('exit', r));
    sub.child.kill('SIGTERM');
    await exited;
    await sub.stop();
    await until(async () => (await info(r1, 'replication')).connected_slaves === '0', 'the sub-replica to be gone');
    // The stream flows through r1 while it has no replica of its own.
    for (let i = 0; i < 50; i++) await m.set(`while-down:${i}`, String(i));
    await m.incr('counter');
    await caughtUp(m, r1);
    const partial = Number((await info(r1, 'stats')).sync_partial_ok);
    sub = await startEngine(R2P, { dir, args: ['--replicaof', '127.0.0.1', String(R1P), '--save', '3600 1'] });
    await caughtUp(m, r2);
    expect(Number((await info(r1, 'stats')).sync_partial_ok)).toBe(partial + 1);
    expect(sub.output()).toContain('Successful partial resynchronization with master.');
    expect(await dump(R2P)).toEqual(await dump(MP));
    expect(await r2.get('while-down:49')).toBe('49');
  });
});

describe('the stream to a replica that stops reading', () => {
  it('counts what waits in the socket against client-output-buffer-limit replica and drops the link', async () => {
    const [M2, R3] = [BASE + 3, BASE + 4];
    const master = await startEngine(M2, { args: ['--repl-diskless-sync-delay', '0', '--client-output-buffer-limit', 'replica 1mb 0 0'] });
    const m2 = conn(M2);
    const stopped = await startEngine(R3, { args: ['--replicaof', '127.0.0.1', String(M2)] });
    await caughtUp(m2, conn(R3));
    process.kill(stopped.pid, 'SIGSTOP');
    try {
      // 32 MB the stopped replica cannot take: past the socket buffers, it waits in the master.
      const big = Buffer.alloc(1024 * 1024, 'x');
      for (let i = 0; i < 32 && (await info(m2, 'replication')).connected_slaves === '1'; i++) await m2.set(`big:${i}`, big);
      await until(async () => (await info(m2, 'replication')).connected_slaves === '0', 'the replica to be dropped');
      expect(master.output()).toContain('scheduled to be closed ASAP for overcoming of output buffer limits.');
    } finally {
      process.kill(stopped.pid, 'SIGCONT');
    }
  });
});
