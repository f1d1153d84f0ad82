// PUBLISH reaches replicas (their subscribers hear it, chained replicas too) but not the AOF, as
// Redis's forceCommandPropagation(PROPAGATE_REPL); an engine replica of a real redis-server master
// delivers the master's PUBLISHes as well.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startEngine, startRedis, stopAll, type Proc } from '../helpers/procs.js';
import { caughtUp, closeConns, conn, until } from './replication-kit.js';

const BASE = 17100; // 17100-17109
const [MP, R1P, R2P, RMP, R4P] = [BASE, BASE + 1, BASE + 2, BASE + 3, BASE + 4];

let master: Proc;
let m: Redis, r1: Redis, r2: Redis, rm: Redis, r4: Redis;

beforeAll(async () => {
  master = await startEngine(MP, { args: ['--appendonly', 'yes', '--appendfsync', 'always', '--repl-diskless-sync-delay', '0'] });
  m = conn(MP);
  await startEngine(R1P, { args: ['--replicaof', '127.0.0.1', String(MP), '--repl-diskless-sync-delay', '0'] });
  r1 = conn(R1P);
  await startEngine(R2P, { args: ['--replicaof', '127.0.0.1', String(R1P)] });
  r2 = conn(R2P);
  await startRedis(RMP, { args: ['--repl-diskless-sync-delay', '0'] });
  rm = conn(RMP);
  await startEngine(R4P, { args: ['--replicaof', '127.0.0.1', String(RMP)] });
  r4 = conn(R4P);
});

afterAll(async () => {
  closeConns();
  await stopAll();
});

/** Subscribes a fresh connection to `channel` and collects what it receives. */
async function subscriber(port: number, channel: string): Promise<string[]> {
  const s = conn(port);
  const got: string[] = [];
  s.on('message', (ch: string, msg: string) => got.push(`${ch}:${msg}`));
  await s.subscribe(channel);
  return got;
}

function aofText(): string {
  const dir = path.join(master.dir, 'appendonlydir');
  return readdirSync(dir)
    .filter((f) => f.includes('.incr.'))
    .map((f) => readFileSync(path.join(dir, f), 'latin1'))
    .join('');
}

describe('PUBLISH propagation', () => {
  it('reaches subscribers on replicas and chained replicas, never the AOF', async () => {
    await caughtUp(m, r1);
    await caughtUp(m, r2);
    const [s1, s2, sm] = await Promise.all([subscriber(R1P, 'news'), subscriber(R2P, 'news'), subscriber(MP, 'news')]);
    expect(await m.publish('news', 'hello')).toBe(1);
    await m.set('k', 'v');
    await m.multi().set('k2', 'v2').publish('news', 'in-multi').exec();
    await m.multi().publish('news', 'only-pub-1').publish('news', 'only-pub-2').exec();
    const want = ['news:hello', 'news:in-multi', 'news:only-pub-1', 'news:only-pub-2'];
    await until(async () => s1.length >= 4 && s2.length >= 4, 'replica subscribers to hear every message');
    expect(s1).toEqual(want);
    expect(s2).toEqual(want);
    expect(sm).toEqual(want);
    await caughtUp(m, r1);
    expect(await r1.get('k2')).toBe('v2');
    const aof = aofText();
    expect(aof).toContain('k2');
    expect(aof).not.toMatch(/publish/i);
    // Publishing on a replica stays local: nothing flows back or down as a write.
    expect(await r1.publish('news', 'local')).toBe(1);
    await until(async () => s1.length === 5, 'the local message');
    expect(s1[4]).toBe('news:local');
  });

  it('an engine replica of redis-server delivers the master PUBLISH', async () => {
    await caughtUp(rm, r4);
    const got = await subscriber(R4P, 'ch');
    await rm.publish('ch', 'from-redis');
    await until(async () => got.length === 1, 'the replica subscriber to hear it');
    expect(got).toEqual(['ch:from-redis']);
  });
});
