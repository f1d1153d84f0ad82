// Fault injection honoured by the supervisor, its one-line errors, failover: manual, a standalone node's
// reported data loss, and the programmatic API. Builtin engine. Ports 17560-17579.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { killNode, waitNode, stopNode, startNode } from '../../src/index.js';
import { statusOf } from '../../src/orchestrator/status.js';
import { cli, until } from './orchestrator-kit.js';

const BASE = 17560;
const k = cli();
const MR = 'sv-manual';
const ALONE = 'sv-alone';
afterAll(() => k.cleanup());

const kv = (...args: string[]) => k.run(...args, '--dir', k.home);
const nodeOf = async (topo: string, name: string) => (await statusOf(path.join(k.home, topo))).nodes.find((n) => n.name === name)!;

async function oneLineError(args: string[], message: string, code = 1): Promise<void> {
  const r = await kv(...args);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code, stderr: `error: ${message}` }); // execa drops the final newline
}

async function redis<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

beforeAll(async () => {
  writeFileSync(path.join(k.home, 'mr.yaml'), `name: ${MR}\nkind: master-replica\nbase-port: ${BASE}\nreplicas: 2\npersistence: none\nfailover: manual\n`
    + 'config: { repl-diskless-sync: yes, repl-diskless-sync-delay: 0 }\n');
  writeFileSync(path.join(k.home, 'alone.yaml'), `name: ${ALONE}\nkind: standalone\nbase-port: ${BASE + 10}\npersistence: none\n`);
  await k.json('up', path.join(k.home, 'mr.yaml'));
  await k.json('up', path.join(k.home, 'alone.yaml'));
}, 60_000);

describe('fault injection', () => {
  it('names what was wrong in one line', async () => {
    await oneLineError(['stop', 'nosuch'], `no node 'nosuch' in any topology in ${k.home} (nodes: ${ALONE}: redis1; ${MR}: redis1 redis2 redis3)`);
    await oneLineError(['stop', `${ALONE}/redis2`], `no node 'redis2' in topology ${ALONE} (it is a node of ${MR}); its nodes: redis1`);
    await oneLineError(['kill', 'redis1'], `node 'redis1' is in 2 topologies (${ALONE}, ${MR}): say which, e.g. ${ALONE}/redis1`, 2);
    await oneLineError(['kill', 'master'], `2 topologies are running (${ALONE}, ${MR}): say which, e.g. ${ALONE}/master`, 2);
    await oneLineError(['kill', `${MR}/master:12`], `master:SLOT is for cluster topologies; ${MR} is master-replica (use master)`, 2);
    await oneLineError(['restart', 'nope/redis1'], `no topology 'nope' in ${k.home} (known: ${ALONE}, ${MR})`);
    await oneLineError(['kill', `${MR}/redis3`, '--signal', 'FOO'], `kill ${MR}/redis3: unknown signal 'FOO' (e.g. SIGKILL, SIGTERM, SIGSEGV)`);
    await oneLineError(['wait', `${MR}/redis2`, '--role', 'master', '--timeout', '1'], `${MR}/redis2 is not master after 1 s: it is a replica of redis1`);
  }, 120_000); // eight kvctl runs: ~1 s each, several on a loaded 2-core box

  it('a stopped node stays down until started; stopping it twice is an error', async () => {
    const stopped = await k.json('stop', `${MR}/redis2`, '--dir', k.home);
    expect(stopped).toMatchObject({ topology: MR, node: 'redis2', op: 'stop', role: 'replica', state: 'stopped', how: 'shutdown' });
    await oneLineError(['stop', `${MR}/redis2`], `stop ${MR}/redis2: redis2 is already stopped (kvctl start redis2 starts it)`);
    await new Promise((r) => setTimeout(r, 1500)); // well past the supervisor's restart delay
    expect(await nodeOf(MR, 'redis2')).toMatchObject({ state: 'stopped', pid: undefined });
    await oneLineError(['start', `${MR}/redis3`], `start ${MR}/redis3: redis3 is already running (pid ${(await nodeOf(MR, 'redis3')).pid})`);
    const started = await k.json('start', `${MR}/redis2`, '--dir', k.home);
    expect(started).toMatchObject({ node: 'redis2', state: 'running' });
    expect((await k.json('wait', `${MR}/redis2`, '--role', 'replica', '--dir', k.home)).role).toBe('replica');
  }, 60_000);

  it('pause freezes a node and the supervisor resumes it', async () => {
    const p = await k.json('pause', `${MR}/redis3`, '--seconds', '1', '--dir', k.home);
    expect(p).toMatchObject({ node: 'redis3', state: 'paused' });
    expect((await nodeOf(MR, 'redis3')).state).toBe('paused');
    await until('redis3 resumed', async () => (await nodeOf(MR, 'redis3')).state === 'running', 10_000);
    expect((await nodeOf(MR, 'redis3')).note).toBe('redis3: resumed (SIGCONT) after a 1 s pause');
  });

  it('failover: manual leaves a killed master down until a replica is promoted, then restarts it as its replica', async () => {
    await redis(BASE, async (r) => {
      await r.set('before', '1');
      expect(await r.call('WAIT', '1', '5000')).toBeGreaterThanOrEqual(1);
    });
    await until('redis2 has the key', async () => (await redis(BASE + 1, (r) => r.get('before'))) === '1', 5000);
    const killed = await k.json('kill', `${MR}/master`, '--dir', k.home);
    expect(killed).toMatchObject({ node: 'redis1', signal: 'SIGKILL', role: 'master', state: 'waiting' });
    expect(killed.note).toBe('redis1 exited (SIGKILL) after ' + /after (\d+) ms/.exec(killed.note)![1]
      + ' ms: redis1 died as a master with no persistence and 2 replica(s); failover: manual, so waiting until a replica is promoted (REPLICAOF NO ONE) before restarting it as its replica');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await nodeOf(MR, 'redis1')).toMatchObject({ state: 'waiting', pid: undefined });
    await redis(BASE + 1, (r) => r.call('REPLICAOF', 'NO', 'ONE'));
    await waitNode(`${MR}/redis1`, 'replica', { dir: k.home, timeoutMs: 20_000 });
    const n = await nodeOf(MR, 'redis1');
    expect(n).toMatchObject({ role: 'replica', master: `127.0.0.1:${BASE + 1}`, link: 'up' });
    expect(n.note).toMatch(/^redis1: redis2 is master now after \d+ ms; restarted it as a replica of redis2$/);
    expect(await redis(BASE, (r) => r.get('before'))).toBe('1');
  });

  it('a standalone node without persistence restarts empty and is reported as having lost its data (programmatic API)', async () => {
    await redis(BASE + 10, async (r) => {
      for (let i = 0; i < 25; i++) await r.set(`k${i}`, 'v');
    });
    await until('the supervisor recorded the key count', async () => k.state(ALONE).nodes.redis1?.keys === 25, 5000);
    const killed = await killNode(`${ALONE}/redis1`, { dir: k.home });
    expect(killed.note).toMatch(/redis1 died as a standalone node with no persistence: restarting it empty \(its data is lost\)/);
    await waitNode(`${ALONE}/redis1`, 'master', { dir: k.home, timeoutMs: 10_000 });
    await until('data loss reported', async () => (await nodeOf(ALONE, 'redis1')).dataLost !== undefined, 5000);
    expect((await nodeOf(ALONE, 'redis1')).dataLost).toMatch(/^restarted at \S+ holding 0 of the 25 keys it had before it died$/);
    const text = await k.run('status', ALONE);
    expect(text.stdout).toMatch(/redis1 lost data: restarted at \S+ holding 0 of the 25 keys it had before it died/);
    // stop / start through the API too
    expect((await stopNode(`${ALONE}/redis1`, { dir: k.home })).state).toBe('stopped');
    expect((await startNode(`${ALONE}/redis1`, { dir: k.home })).state).toBe('running');
  });
});
