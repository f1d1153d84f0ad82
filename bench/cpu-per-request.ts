// CPU time per request of the server process (utime + stime from /proc/<pid>/stat around a fixed
// redis-benchmark run), engine against redis-server, median of alternating rounds. On a shared box this
// moves far less than wall-clock ratios do (it counts what the server itself spent), so it is the
// figure to compare before/after an optimisation. Also reads RSS idle and after the load.
// Run under the shared lock: flock /work/wt/bench.lock npx tsx bench/cpu-per-request.ts
//   [--tests set,get,...] [--rounds 3] [-P 16] [-n 100000] [-r 100000] (keys and set/hash members) [--node-flags "--max-semi-space-size=2"]
//   [--prof DIR] (engine --cpu-prof into DIR) [--engine-only] [--tests none] [--engine-main PATH]
//   [--base-main PATH [--base-flags "..."]] (a third server "base": another build or V8 flags)
//   [--prefill N] (first N untimed requests of each test -P 16 on every server: GET then reads
//   existing keys, INCR updates them, as in the core section where SET runs before GET)
//   [--stream-rss N] (then XADD N entries, -c 50 -P 16, and print RSS growth: the memory side of
//   --max-semi-space-size)
//   [--commands "name=CMD ARG...;..."] (custom commands, timed like the -t tests after them, in
//   that order: e.g. SADD of members already present against SPOP of a missing key splits a data
//   type's own cost from the request path's) [--port N] (first of the ports; default 19900)
//   [--cluster yes|both] (cluster-enabled yes, the node owning every slot through CLUSTER
//   ADDSLOTSRANGE 0 16383; both: a cluster twin "<name>-c" of each server beside the plain one, so
//   the cost of cluster mode per request is read in one run)
// Ports 19900-19905 (the bench block) unless --port; cluster bus ports are those + 10000.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ENGINE_MAIN } from '../test/helpers/procs.js';
import { ENGINE_NODE_FLAGS } from '../src/engine/v8-flags.cjs';
import { childEnv } from '../src/orchestrator/engines.js';
import { median, rssBytes } from './lib.js';

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const PORT = Number(flag('--port', '19900'));
const TESTS = flag('--tests', 'ping_inline,ping_mbulk,set,get,incr,mset,lpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100').split(',').filter((t) => t !== 'none');
/** --commands: test name -> the command and its arguments, as redis-benchmark takes a custom command. */
const COMMANDS = new Map(
  flag('--commands', '')
    .split(';')
    .filter((e) => e.includes('='))
    .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1).split(' ').filter(Boolean)] as const),
);
const ALL_TESTS = [...TESTS, ...COMMANDS.keys()];
const ROUNDS = Number(flag('--rounds', '3'));
/** redis-benchmark's -r: how many distinct keys (and set/hash members) __rand_int__ draws from. */
const KEYSPACE = flag('-r', '100000');
const PIPELINE = flag('-P', '1');
const N = Number(flag('-n', PIPELINE === '1' ? '50000' : '200000'));
/** Node flags of the engine: by default the ones kvctl starts nodes with (engine/v8-flags.cts); `--node-flags ''` for none. */
const NODE_FLAGS = flag('--node-flags', ENGINE_NODE_FLAGS.join(' ')).split(' ').filter(Boolean);
/** Absolute: the servers run in temporary directories, removed when they stop. */
const PROF = process.argv.includes('--prof') ? path.resolve(flag('--prof', '')) : '';
const ENGINE_ONLY = process.argv.includes('--engine-only');
const STREAM_RSS = Number(flag('--stream-rss', '0'));
const PREFILL = Number(flag('--prefill', '0'));
/** Another build's main.cjs (a before/after comparison against a copy of an older dist/). */
const MAIN = path.resolve(flag('--engine-main', ENGINE_MAIN));
/** --base-main PATH: also run that build as "base" (port 19902), alternated with the others. */
const BASE_MAIN = process.argv.includes('--base-main') ? path.resolve(flag('--base-main', '')) : '';
/** --base-flags "...": node flags for "base" instead of --node-flags (the same build under two V8 settings). */
const BASE_FLAGS = process.argv.includes('--base-flags') ? flag('--base-flags', '').split(' ').filter(Boolean) : NODE_FLAGS;
/** --cluster yes: every server in cluster mode; both: each server plain and in cluster mode. */
const CLUSTER = flag('--cluster', 'no');
if (!['no', 'yes', 'both'].includes(CLUSTER)) throw new Error(`--cluster ${CLUSTER}: yes, both or no`);

interface Server {
  name: string;
  pid: number;
  child: ChildProcess;
  port: number;
  dir: string;
}

/** utime + stime of a process, in microseconds (clock ticks of 10 ms). */
function cpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing listening on ${port}`);
}

async function start(name: string, port: number, main = MAIN, nodeFlags = NODE_FLAGS, cluster = false): Promise<Server> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `kvctl-cpu-${name}-`));
  const conf = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  if (cluster) conf.push('--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, 'nodes.conf'));
  const child = name.startsWith('redis')
    ? spawn('redis-server', conf, { cwd: dir, stdio: 'ignore' })
    : spawn(process.execPath, [...nodeFlags, ...(PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : []), main, ...conf], { cwd: dir, stdio: 'ignore', env: childEnv() });
  await waitPort(port);
  if (cluster) await ownAllSlots(port);
  return { name, pid: child.pid ?? -1, child, port, dir };
}

function cli(port: number, ...args: string[]): string {
  return spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' }).stdout;
}

/** A one-node cluster: every slot here, then wait for cluster_state:ok (keyed commands answer CLUSTERDOWN before). */
async function ownAllSlots(port: number): Promise<void> {
  const added = cli(port, 'CLUSTER', 'ADDSLOTSRANGE', '0', '16383').trim();
  if (added !== 'OK') throw new Error(`CLUSTER ADDSLOTSRANGE on ${port}: ${added}`);
  for (let i = 0; i < 400; i++) {
    if (cli(port, 'CLUSTER', 'INFO').includes('cluster_state:ok')) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`cluster_state not ok on ${port}`);
}

async function stop(s: Server): Promise<void> {
  const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
  // SHUTDOWN NOSAVE: a clean exit, so --cpu-prof writes its profile.
  await new Promise<void>((resolve) => {
    const c = net.connect({ port: s.port, host: '127.0.0.1' }, () => c.write('SHUTDOWN NOSAVE\r\n'));
    c.on('close', () => resolve());
    c.on('error', () => resolve());
  });
  const t = setTimeout(() => { try { process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
  await exited;
  clearTimeout(t);
  rmSync(s.dir, { recursive: true, force: true });
}

/** A -t test, or a --commands entry by its name, with the run's -n/-c/-P/-r. */
function benchTest(port: number, test: string): Promise<number> {
  const run = ['-n', String(N), '-c', '50', '-P', PIPELINE, '-r', KEYSPACE];
  const command = COMMANDS.get(test);
  return bench(port, test, command ? [...run, ...command] : []);
}

function bench(port: number, test: string, custom: string[] = []): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = custom.length > 0
      ? ['-h', '127.0.0.1', '-p', String(port), '--csv', ...custom]
      : ['-h', '127.0.0.1', '-p', String(port), '--csv', '-t', test, '-n', String(N), '-c', '50', '-P', PIPELINE, '-r', KEYSPACE];
    const b = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    b.stdout.on('data', (d: Buffer) => (out += d.toString()));
    b.on('error', reject);
    b.on('exit', () => {
      const line = out.trim().split('\n')[1] ?? '';
      resolve(Number(line.split(',')[1]?.replace(/"/g, '') ?? 0));
    });
  });
}

async function main(): Promise<void> {
  const servers: Server[] = [];
  try {
    const modes = CLUSTER === 'both' ? [false, true] : [CLUSTER === 'yes'];
    for (const cluster of modes) {
      const suffix = CLUSTER === 'both' && cluster ? '-c' : '';
      const at = cluster && CLUSTER === 'both' ? PORT + 3 : PORT;
      if (!ENGINE_ONLY) servers.push(await start(`redis${suffix}`, at, MAIN, NODE_FLAGS, cluster));
      servers.push(await start(`engine${suffix}`, at + 1, MAIN, NODE_FLAGS, cluster));
      if (BASE_MAIN) servers.push(await start(`base${suffix}`, at + 2, BASE_MAIN, BASE_FLAGS, cluster));
    }
    await measure(servers);
  } finally {
    for (const s of servers) await stop(s);
  }
}

async function measure(servers: Server[]): Promise<void> {
  const idle = servers.map((s) => rssBytes(s.pid));
  if (PREFILL > 0) {
    for (const s of servers) await bench(s.port, '', ['-t', ['set', ...TESTS].join(','), '-n', String(PREFILL), '-c', '50', '-P', '16', '-r', KEYSPACE]);
  }
  const us = new Map<string, number[]>();
  const rps = new Map<string, number[]>();
  {
    for (let r = 0; r < ROUNDS; r++) {
      for (const test of ALL_TESTS) {
        // Alternate which server goes first, so a load change on the box hits both alike.
        const order = r % 2 === 0 ? servers : [...servers].reverse();
        for (const s of order) {
          const c0 = cpuUs(s.pid);
          const got = await benchTest(s.port, test);
          const per = (cpuUs(s.pid) - c0) / N;
          const k = `${test}|${s.name}`;
          us.set(k, [...(us.get(k) ?? []), per]);
          rps.set(k, [...(rps.get(k) ?? []), got]);
        }
      }
    }
    const loaded = servers.map((s) => rssBytes(s.pid));
    console.log(`CPU us/request, median of ${ROUNDS} alternating rounds, -c 50 -P ${PIPELINE} -n ${N}${NODE_FLAGS.length ? ', engine ' + NODE_FLAGS.join(' ') : ''}${BASE_MAIN ? ', base ' + (BASE_FLAGS.join(' ') || BASE_MAIN) : ''}; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const cols = servers.map((s) => s.name);
    // cpu e/r: redis's CPU per request over the engine's (the throughput ratio a CPU-bound server would
    // reach), for each engine server against the redis-server of its mode.
    const pairs = ENGINE_ONLY ? [] : cols.filter((n) => n.startsWith('engine')).map((e) => [e, e.replace('engine', 'redis')] as const);
    const pairHead = pairs.map(([e]) => `cpu ${e.replace('engine', 'e')}/r`.padStart(11) + `rps ${e.replace('engine', 'e')}/r`.padStart(11)).join('');
    console.log('test'.padEnd(14) + cols.map((n) => `${n} us`.padStart(11)).join('') + cols.map((n) => `${n} rps`.padStart(12)).join('') + pairHead);
    for (const test of ALL_TESTS) {
      const u = cols.map((n) => median(us.get(`${test}|${n}`) ?? [0]));
      const q = cols.map((n) => median(rps.get(`${test}|${n}`) ?? [0]));
      const ratios = pairs.map(([e, r]) => {
        const ie = cols.indexOf(e);
        const ir = cols.indexOf(r);
        return (u[ir] / u[ie]).toFixed(2).padStart(11) + (q[ie] / q[ir]).toFixed(2).padStart(11);
      }).join('');
      console.log(test.padEnd(14) + u.map((x) => x.toFixed(2).padStart(11)).join('') + q.map((x) => x.toFixed(0).padStart(12)).join('') + ratios);
    }
    servers.forEach((s, i) => console.log(`${s.name} RSS idle ${(idle[i] / 1048576).toFixed(1)} MB, after load ${(loaded[i] / 1048576).toFixed(1)} MB`));
    if (STREAM_RSS > 0) {
      for (const s of servers) {
        const before = rssBytes(s.pid);
        await bench(s.port, '', ['-c', '50', '-P', '16', '-n', String(STREAM_RSS), 'XADD', 'mem', '*', 'field', 'value']);
        await new Promise((r) => setTimeout(r, 1000));
        const after = rssBytes(s.pid);
        console.log(`${s.name} ${STREAM_RSS} stream entries: RSS ${(before / 1048576).toFixed(1)} -> ${(after / 1048576).toFixed(1)} MB (growth ${((after - before) / 1048576).toFixed(1)} MB)`);
      }
    }
  }
}

await main();
