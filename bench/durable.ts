// Durability, restart, replication and cluster-admin timings (issue 20), engine against redis-server
// in one run, as rows of the ratio table:
//  - redis-benchmark SET with appendfsync always at 1 and 8 clients (group commit), both servers up at
//    once and measured in interleaved rounds (fsyncRounds);
//  - restart after kill -9 (spawn to the first +PONG) from a 1M-key AOF (commands) and a 1M-key RDB,
//    in interleaved rounds;
//  - WAIT 1 round trip after a SET, p50/p90/p99, master with one replica, both servers in interleaved blocks;
//  - kvctl cluster reshard of 1000 slots between two of 3 masters under an ioredis write load, in
//    interleaved rounds on fresh nodes.
// Full sync of 1M keys is in the replication section. Ports 19800-19849 (bus ports 29800-29849).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Cluster } from 'ioredis';
import { ENGINE_MAIN, KVCTL_BIN, startEngine, startRedis, tmpDir, stopAll, type Proc } from '../test/helpers/procs.js';
import { RespClient } from '../test/helpers/resp.js';
import { childEnv } from '../src/orchestrator/engines.js';
import { ENGINE_NODE_FLAGS } from '../src/engine/v8-flags.cjs';
import { cpuNs, medianRatioRound, pipelineLoad, redisBenchmark, spawnToPong, type BenchOptions, type BenchSection, type Row } from './lib.js';

const BASE = 19800;
export type Kind = 'engine' | 'redis';
const startOf = (k: Kind) => (k === 'engine' ? startEngine : startRedis);

async function call(port: number, ...argv: string[]): Promise<string> {
  const c = await RespClient.connect(port);
  try {
    const r = await c.call(argv, 60_000);
    if (r.t === 'error') throw new Error(`${argv.join(' ')} on ${port}: ${r.v}`);
    return 'v' in r ? String(r.v) : '';
  } finally {
    c.close();
  }
}

async function until(fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!(await fn().catch(() => false))) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A server under the appendfsync always rows: a name and how to start it on a port. */
export interface FsyncSubject {
  name: string;
  start(port: number, args: string[]): Promise<Proc>;
}

/** Per round: rps at 1 and 8 clients, and the server's CPU µs per request at 1 client (all its threads). */
export interface FsyncRounds {
  c1: number[];
  c8: number[];
  cpu1: number[];
}

export const FSYNC_ARGS = ['--appendonly', 'yes', '--appendfsync', 'always'];

/** redis-server and this build's engine, the subjects of the durable rows. */
export const FSYNC_SERVERS: FsyncSubject[] = [
  { name: 'redis', start: (port, args) => startRedis(port, { args }) },
  { name: 'engine', start: (port, args) => startEngine(port, { args }) },
];

/**
 * redis-benchmark SET rps at 1 and 8 clients for each subject, all running at once (one port each from
 * `port`), in `rounds` rounds of short bursts: each round runs every subject's -c 1 burst, then every
 * -c 8 burst, in an order rotated each round. The disk's fsync latency drifts by a third and more
 * within seconds on the shared VM; bursts interleaved this way give every subject the same drift,
 * where one block of runs per server put it all on one side. Returns each subject's figures per round.
 */
export async function fsyncRounds(subjects: FsyncSubject[], port: number, rounds: number, quick: boolean): Promise<Map<string, FsyncRounds>> {
  const procs = await Promise.all(subjects.map((s, i) => s.start(port + i, FSYNC_ARGS)));
  const out = new Map(subjects.map((s): [string, FsyncRounds] => [s.name, { c1: [], c8: [], cpu1: [] }]));
  const n1 = quick ? 300 : 1500;
  const rps = async (p: Proc, n: number, clients: number) => (await redisBenchmark(p.port, ['-t', 'set', '-n', String(n), '-c', String(clients), '-r', '100000'])).get('SET') ?? 0;
  try {
    // The same warm-up for every subject, so the engine's figure is not V8 still compiling its hot
    // paths (with -c 8 alone, the engine's first round still came out lowest at both client counts).
    for (const p of procs) {
      await rps(p, quick ? 500 : 3000, 8);
      await rps(p, quick ? 200 : 1000, 1);
    }
    for (let r = 0; r < rounds; r++) {
      const order = procs.map((_, i) => (i + r) % procs.length);
      for (const i of order) {
        const o = out.get(subjects[i].name)!;
        const cpu0 = cpuNs(procs[i].pid);
        o.c1.push(await rps(procs[i], n1, 1));
        o.cpu1.push((cpuNs(procs[i].pid) - cpu0) / 1000 / n1);
      }
      for (const i of order) out.get(subjects[i].name)!.c8.push(await rps(procs[i], n1 * 4, 8));
    }
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
  return out;
}

export type RestartFrom = 'aof' | 'rdb';

/** The directives a restart runs with: the AOF one loads appendonlydir, the RDB one dump.rdb. */
function restartArgs(what: RestartFrom): string[] {
  return what === 'aof'
    ? ['--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--auto-aof-rewrite-percentage', '0']
    : ['--save', '', '--appendonly', 'no'];
}

/**
 * A fresh dir holding `keys` keys (AOF: as SET commands in the incr file; RDB: DEBUG POPULATE + SAVE)
 * written by a node of `kind` that was then kill -9ed.
 */
export async function killedWith(kind: Kind, port: number, what: RestartFrom, keys: number): Promise<string> {
  const dir = tmpDir('kvctl-bench-');
  const p: Proc = await startOf(kind)(port, { dir, args: [...restartArgs(what), '--enable-debug-command', 'yes'] });
  if (what === 'aof') await pipelineLoad(port, keys, (i) => ['SET', `key:${i}`, `value:${i}`]);
  else {
    await call(port, 'DEBUG', 'POPULATE', String(keys));
    await call(port, 'SAVE');
  }
  if (await call(port, 'DBSIZE') !== String(keys)) throw new Error(`${kind}: DBSIZE is not ${keys}`);
  process.kill(p.pid, 'SIGKILL');
  await p.stop();
  return dir;
}

/**
 * Spawn-to-PONG (ms) of a node restarted on `dir`, killed right after; `cpuMs` gets its CPU until
 * then. `engineMain`: another build's main.cjs (an A/B of two engine builds).
 */
export function restartOnce(kind: Kind, port: number, dir: string, what: RestartFrom, cpuMs?: number[], engineMain = ENGINE_MAIN): Promise<number> {
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...restartArgs(what)];
  return kind === 'engine'
    ? spawnToPong(process.execPath, [...ENGINE_NODE_FLAGS, engineMain, ...common], port, childEnv(), cpuMs)
    : spawnToPong('redis-server', common, port, undefined, cpuMs);
}

/** A kind's port in a block: redis-server on `base`, the engine on base + 5. */
const portOf = (kind: Kind, base: number): number => (kind === 'redis' ? base : base + 5);

/**
 * `rounds` rounds of one measurement on both kinds, who goes first swapping each round, and the round
 * holding the median engine/redis ratio: on a shared box one server measured after the other puts a
 * slow moment on one side only.
 */
async function interleaved(rounds: number, measure: (kind: Kind) => Promise<number>): Promise<{ engine: number[]; redis: number[]; at: number }> {
  const times: Record<Kind, number[]> = { redis: [], engine: [] };
  for (let r = 0; r < rounds; r++) {
    for (const kind of (r % 2 === 0 ? ['redis', 'engine'] : ['engine', 'redis']) as Kind[]) times[kind].push(await measure(kind));
  }
  return { ...times, at: medianRatioRound(times.engine, times.redis) };
}

/**
 * Restarts after kill -9 from `keys` keys, each server from a dataset it wrote itself, in interleaved
 * rounds: three restarts of one server and then three of the other read the same build's RDB row as
 * 0.95x, 1.03x and 1.31x in three runs.
 */
async function restartRounds(port: number, what: RestartFrom, keys: number, rounds: number): Promise<{ engine: number[]; redis: number[]; at: number }> {
  const dirs = { redis: await killedWith('redis', portOf('redis', port), what, keys), engine: await killedWith('engine', portOf('engine', port), what, keys) };
  return interleaved(rounds, (kind) => restartOnce(kind, portOf(kind, port), dirs[kind], what));
}

/** A SET then WAIT 1 1000 on c; returns the WAIT's round trip alone, in µs. */
async function setThenWait(c: RespClient, i: number, kind: Kind): Promise<number> {
  await c.call(['SET', `w:${i % 100}`, String(i)]);
  const t = performance.now();
  const r = await c.call(['WAIT', '1', '1000']);
  const us = (performance.now() - t) * 1000;
  if (r.t !== 'int' || r.v !== '1') throw new Error(`WAIT on ${kind}: ${JSON.stringify(r)}`);
  return us;
}

/** The q-quantile of ascending xs. */
const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];

export interface WaitFigures {
  p50: number;
  p90: number;
  p99: number;
  /** p99 of each round (a round: `block` pairs on each server, many times over). */
  roundP99: number[];
  /** p99 of the first 3,000 pairs of the warm-up (a cold server), logged, not the row. */
  coldP99: number;
}

/**
 * WAIT 1 after each SET on a master with one linked replica, for redis-server and the engine at once
 * (one master/replica pair each, ports `port`..+1 and `port`+5..+6): the same warm-up on both, then
 * blocks of `block` SET+WAIT pairs on one pair and on the other in turn (who goes first alternates),
 * so both see the same moments of a shared box; one block per server, as before, put a burst of
 * other load on one side's tail only (its p99 was 0.95x in one run and 2.00x in the next).
 */
const WAIT_WARM_UP = 20_000;

export async function waitRounds(port: number, samples: number, rounds: number, block = 25): Promise<Record<Kind, WaitFigures>> {
  const kinds: Kind[] = ['redis', 'engine'];
  const pairs = await Promise.all(kinds.map(async (kind, k) => {
    const p = port + k * 5;
    const master = await startOf(kind)(p);
    const replica = await startOf(kind)(p + 1, { args: ['--replicaof', '127.0.0.1', String(p)] });
    return { kind, master, replica };
  }));
  const clients: RespClient[] = [];
  try {
    for (const { master, replica } of pairs) {
      await until(async () => (await call(replica.port, 'INFO', 'replication')).includes('master_link_status:up'));
      clients.push(await RespClient.connect(master.port));
    }
    // The same warm-up on both servers, as the other rows: the row is a warm server's latency. A
    // fresh engine runs its first SET+WAIT pairs while V8 still compiles that path; with the engine's
    // --ticks-before-optimization=12 that lasts past 3,000 pairs (--trace-opt still showed ~120 hot
    // functions compiling), so the warm-up is 20,000 pairs, and the first 3,000's p99 is logged.
    const coldP99: number[] = [];
    for (let k = 0; k < kinds.length; k++) {
      const cold: number[] = [];
      for (let i = 0; i < WAIT_WARM_UP; i++) {
        const t = await setThenWait(clients[k], i, kinds[k]);
        if (i < 3000) cold.push(t);
      }
      coldP99.push(quantile(cold.sort((a, b) => a - b), 0.99));
    }
    const us: number[][][] = kinds.map(() => Array.from({ length: rounds }, () => []));
    const perRound = Math.ceil(samples / rounds);
    for (let r = 0; r < rounds; r++) {
      for (let b = 0, i = 0; i < perRound; b++) {
        const n = Math.min(block, perRound - i);
        for (const k of b % 2 === 0 ? [0, 1] : [1, 0]) {
          for (let j = 0; j < n; j++) us[k][r].push(await setThenWait(clients[k], i + j, kinds[k]));
        }
        i += n;
      }
    }
    const figures = (k: number): WaitFigures => {
      const all = us[k].flat().sort((a, b) => a - b);
      const roundP99 = us[k].map((xs) => quantile([...xs].sort((a, b) => a - b), 0.99));
      return { p50: quantile(all, 0.5), p90: quantile(all, 0.9), p99: quantile(all, 0.99), roundP99, coldP99: coldP99[k] };
    };
    return { redis: figures(0), engine: figures(1) };
  } finally {
    for (const c of clients) c.close();
    await Promise.all(pairs.flatMap((p) => [p.master.stop(), p.replica.stop()]));
  }
}

/** 3 masters, `keys` keys, then kvctl cluster reshard of 1000 slots from the first to the second under an ioredis SET load. */
async function reshard(kind: Kind, port: number, keys: number): Promise<number> {
  const flags = ['--cluster-enabled', 'yes', '--cluster-node-timeout', '5000'];
  const nodes = await Promise.all([0, 1, 2].map((i) => startOf(kind)(port + i, { args: flags })));
  const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
  let load: Cluster | null = null;
  try {
    execFileSync(process.execPath, [KVCTL_BIN, 'cluster', 'create', ...addrs, '--yes', '--json'], { stdio: 'ignore' });
    await until(async () => (await Promise.all(nodes.map((n) => call(n.port, 'CLUSTER', 'INFO')))).every((t) => t.includes('cluster_state:ok')));
    await Promise.all(nodes.map((n) => pipelineLoad(n.port, 1, () => ['PING']))); // connections warm
    load = new Cluster([{ host: '127.0.0.1', port }], { scaleReads: 'master' });
    for (let i = 0; i < keys; i += 1000) await Promise.all(Array.from({ length: 1000 }, (_, j) => load!.set(`k:${i + j}`, 'v')));
    let stop = false;
    let acked = 0;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        await load!.set(`load:${w}:${i}`, String(i));
        acked++;
      }
    };
    const writers = Array.from({ length: 4 }, (_, w) => writer(w));
    const from = await call(port, 'CLUSTER', 'MYID');
    const to = await call(port + 1, 'CLUSTER', 'MYID');
    const t0 = performance.now();
    const ackedBefore = acked;
    // Asynchronous: execFileSync would stop this process's event loop, so the load would write
    // nothing while the reshard runs (it did: ~25 SETs in all, none during the reshard).
    await promisify(execFile)(process.execPath, [KVCTL_BIN, 'cluster', 'reshard', addrs[0], '--from', from, '--to', to, '--slots', '1000', '--yes', '--json']);
    const ms = performance.now() - t0;
    const during = acked - ackedBefore;
    stop = true;
    await Promise.all(writers);
    if (during === 0) throw new Error('the ioredis load wrote nothing during the reshard');
    return ms;
  } finally {
    load?.disconnect();
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

export const durableSection: BenchSection = {
  name: 'durable',
  description: 'appendfsync always SET, restart after kill -9 from 1M-key AOF/RDB, WAIT 1 latency, reshard 1000 slots under load',
  async run({ quick, log }: BenchOptions): Promise<Row[]> {
    const keys = quick ? 100_000 : 1_000_000;
    const rows: Row[] = [];
    // DURABLE_ONLY=fsync,restart,wait,reshard runs some parts only (while working on one).
    const only = process.env.DURABLE_ONLY?.split(',');
    const want = (part: string) => !only || only.includes(part);
    try {
      if (want('fsync')) {
        const rounds = quick ? 3 : 7; // odd: one round holds the median ratio
        const fs1 = await fsyncRounds(FSYNC_SERVERS, BASE, rounds, quick);
        const e = fs1.get('engine')!;
        const r = fs1.get('redis')!;
        const how = `round of median ratio, ${rounds} interleaved`;
        const ratios = (a: number[], b: number[]) => a.map((x, i) => (x / b[i]).toFixed(2)).join(' ');
        log(`appendfsync always SET: engine/redis per round -c 1 ${ratios(e.c1, r.c1)}, -c 8 ${ratios(e.c8, r.c8)}; rps per round engine ${e.c1.map(Math.round).join(' ')} / ${e.c8.map(Math.round).join(' ')}, redis ${r.c1.map(Math.round).join(' ')} / ${r.c8.map(Math.round).join(' ')}`);
        const i1 = medianRatioRound(e.c1, r.c1);
        const i8 = medianRatioRound(e.c8, r.c8);
        rows.push({ metric: `appendfsync always SET -c 1, ${how}`, engine: e.c1[i1], redis: r.c1[i1], unit: 'rps', higherIsBetter: true });
        rows.push({ metric: `appendfsync always SET -c 8, ${how}`, engine: e.c8[i8], redis: r.c8[i8], unit: 'rps', higherIsBetter: true });
      }
      for (const what of ['aof', 'rdb'] as const) {
        if (!want('restart') && !want(what)) continue;
        const rounds = quick ? 1 : 5;
        const r = await restartRounds(BASE + 10, what, keys, rounds);
        log(`restart after kill -9, ${keys} keys ${what}, ${rounds} interleaved rounds: engine ${r.engine.map(Math.round).join(' ')} ms, redis ${r.redis.map(Math.round).join(' ')} ms`);
        rows.push({ metric: `restart after kill -9, ${keys / 1e6}M-key ${what.toUpperCase()}, round of median ratio, ${rounds} interleaved`, engine: r.engine[r.at], redis: r.redis[r.at], unit: 'ms', higherIsBetter: false });
      }
      if (want('wait')) {
        const rounds = quick ? 3 : 7;
        const w = await waitRounds(BASE + 20, quick ? 1500 : 14_000, rounds);
        const fmt = (f: WaitFigures) => `p50 ${f.p50.toFixed(0)} p90 ${f.p90.toFixed(0)} p99 ${f.p99.toFixed(0)} µs`;
        log(`WAIT 1, ${rounds} rounds interleaved: engine ${fmt(w.engine)}, redis ${fmt(w.redis)}; p99 per round engine ${w.engine.roundP99.map(Math.round).join(' ')}, redis ${w.redis.roundP99.map(Math.round).join(' ')}; cold (first 3,000 of the warm-up) p99 engine ${w.engine.coldP99.toFixed(0)}, redis ${w.redis.coldP99.toFixed(0)} µs`);
        for (const q of ['p50', 'p90', 'p99'] as const) {
          rows.push({ metric: `WAIT 1 after SET ${q}`, engine: w.engine[q], redis: w.redis[q], unit: 'µs', higherIsBetter: false });
        }
      }
      if (want('reshard')) {
        // One reshard swings by a fifth from run to run on a shared box: interleaved rounds on fresh
        // nodes, and the round holding the median ratio, as the fsync and restart rows.
        const rounds = quick ? 1 : 5;
        const { engine: e, redis: r, at: m } = await interleaved(rounds, (kind) => reshard(kind, portOf(kind, BASE + 30), quick ? 5_000 : 30_000));
        log(`reshard 1000 slots under load, ${rounds} interleaved rounds: engine ${e.map(Math.round).join(' ')} ms, redis ${r.map(Math.round).join(' ')} ms`);
        rows.push({ metric: `kvctl cluster reshard 1000 slots, ioredis load, round of median ratio, ${rounds} interleaved`, engine: e[m], redis: r[m], unit: 'ms', higherIsBetter: false });
      }
    } finally {
      await stopAll();
    }
    return rows;
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await durableSection.run({ quick: process.argv.includes('--quick'), log: (m) => console.log(m), note: () => undefined });
  for (const r of rows) console.log(`${r.metric.padEnd(48)} engine ${r.engine.toFixed(0).padStart(8)}  redis ${r.redis.toFixed(0).padStart(8)} ${r.unit}  ratio ${(r.engine / r.redis).toFixed(2)}`);
}
