// Where a reshard's time goes (issue 20): the bench's scenario (3 masters, 30k keys, 1000 slots from
// the first to the second under a 4-writer ioredis SET load) on one engine, printing wall time, the
// CPU each node and the CLI spent (a node's split between its main thread and the others: V8's compiler
// and GC workers), and the load's acked writes during the reshard. Run under the lock:
//   flock /work/wt/bench.lock npx tsx bench/reshard-probe.ts --kind engine|redis [--keys N] [--no-load]
//     [--rounds N] (successive reshards on the same nodes: the later ones run warm JIT code)
//     [--prof DIR] (engine nodes and the CLI with --cpu-prof; prints the reshard's window in µs)
//     [--perf] (perf record of each node, last round only: on-CPU samples, JIT threads included) [--strace] (strace -c)
//     [--node-flags "..."] (e.g. "--trace-opt --trace-deopt"; after the engine's own V8 flags, so
//     "--ticks-before-optimization=3" sets one back) [--root DIR] (another checkout's build)
//     [--snapshot] (engine nodes started as kvctl up starts them: builtinEntry, the start-up snapshot;
//     else main.cjs, as the durable bench's reshard row)
//     [--cli-args "..."] (more reshard flags, e.g. "--parallel 8")
//     [--timeline] (the CLI traces its commands, KVCTL_RESP_TRACE: each phase's span and latencies)
//     [--jit] (engine nodes with --trace-opt --trace-deopt: per node, what TurboFan compiled and what
//     deoptimized during the reshard; the changed V8 flags make the nodes reject the code cache)
//     [--cmdstats] (per node, the last round's INFO commandstats and bus messages: calls and usec per
//     command, messages sent/received by type; both kinds of node count the same way)
// Ports 19880-19889 (bus 29880-29889).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { Cluster } from 'ioredis';
import path from 'node:path';
import { ENGINE_MAIN as OWN_MAIN, KVCTL_BIN as OWN_BIN, tmpDir, waitForPort } from '../test/helpers/procs.js';
import { RespClient } from '../test/helpers/resp.js';
import { builtinEntry, childEnv } from '../src/orchestrator/engines.js';
import { ENGINE_NODE_FLAGS } from '../src/engine/v8-flags.cjs';
import { timeline } from './reshard-timeline.js';
import { jitSummary } from './reshard-jit.js';

const arg = (n: string, d: string) => { const i = process.argv.indexOf(n); return i >= 0 ? process.argv[i + 1]! : d; };
const KIND = arg('--kind', 'engine');
const PROF = arg('--prof', '');
const KEYS = Number(arg('--keys', '30000'));
const LOAD = !process.argv.includes('--no-load');
const STRACE = process.argv.includes('--strace');
const TIMELINE = process.argv.includes('--timeline');
const CMDSTATS = process.argv.includes('--cmdstats');
const CLI_ARGS = arg('--cli-args', '').split(' ').filter(Boolean);
/** --perf: perf record (on-CPU samples, JIT symbols from --perf-basic-prof) of each node during the reshard. */
const PERF = process.argv.includes('--perf');
/** --node-flags "...": V8/node flags for the engine nodes (e.g. --trace-opt). */
const JIT = process.argv.includes('--jit');
const NODE_FLAGS = [...arg('--node-flags', '').split(' ').filter(Boolean), ...(JIT ? ['--trace-opt', '--trace-deopt'] : [])];
const BASE = 19880;
/** --root DIR: another checkout's build (its dist/engine/main.cjs and bin/run.js), for before/after. */
const ROOT = arg('--root', '');
const ENGINE_MAIN = ROOT ? path.join(ROOT, 'dist', 'engine', 'main.cjs') : OWN_MAIN;
const KVCTL_BIN = ROOT ? path.join(ROOT, 'bin', 'run.js') : OWN_BIN;
const ROUNDS = Number(arg('--rounds', '1'));
// Without --snapshot: as the durable bench's startEngine, the engine's V8 flags then main.cjs.
// --node-flags go after the engine's flags, so they can also set one of those back (V8: the last wins).
const ENTRY = process.argv.includes('--snapshot') ? builtinEntry(path.dirname(ENGINE_MAIN), childEnv()) : [...ENGINE_NODE_FLAGS, ENGINE_MAIN];
ENTRY.splice(ENGINE_NODE_FLAGS.length, 0, ...NODE_FLAGS);
if (process.argv.includes('--snapshot') && !ENTRY.includes('--snapshot-blob')) throw new Error('--snapshot: no fresh start-up snapshot (npm run build)');

/** utime + stime in ms from a /proc stat file (a process's or one thread's). */
function statCpuMs(file: string): number {
  const stat = readFileSync(file, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

const cpuMs = (pid: number) => statCpuMs(`/proc/${pid}/stat`);

/**
 * CPU ms of each thread of a node by thread id. Node 20 names them all "node": the main (JS) thread
 * has the process's id; the next ones, started before any script runs, are the V8 platform's workers
 * (TurboFan jobs, concurrent GC); libuv's pool threads come later, on the first fs call.
 */
function threadCpuMs(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try { out.set(Number(tid), statCpuMs(`/proc/${pid}/task/${tid}/stat`)); } catch { /* the thread ended */ }
  }
  return out;
}

/** "main ms | other threads' ms, busiest first" between two threadCpuMs readings. */
function threadSplit(pid: number, a: Map<number, number>, b: Map<number, number>): string {
  const d = [...b].map(([tid, ms]) => ({ tid, ms: ms - (a.get(tid) ?? 0) }));
  const others = d.filter((x) => x.tid !== pid && x.ms > 0).sort((x, y) => y.ms - x.ms);
  return `${d.find((x) => x.tid === pid)?.ms ?? 0} | ${others.map((x) => `${x.tid - pid}:${x.ms}`).join(' ') || '-'}`;
}

/** CLUSTER INFO's cluster_stats_messages_<type>_<sent|received> counters. */
function busCounts(info: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of info.matchAll(/cluster_stats_messages_(\w+?)_(sent|received):(\d+)/g)) out.set(`${m[1]} ${m[2]}`, Number(m[3]));
  return out;
}

async function call(port: number, ...argv: string[]): Promise<string> {
  const c = await RespClient.connect(port);
  try { const r = await c.call(argv, 60_000); return 'v' in r ? String(r.v) : ''; } finally { c.close(); }
}

const flags = ['--cluster-enabled', 'yes', '--cluster-node-timeout', '5000', '--save', '', '--appendonly', 'no'];
const procs: { child: ChildProcess; port: number; dir: string; pid: number }[] = [];
/** --jit: each node's stdout lines with their arrival time (performance.now()). */
const jitLines: { at: number; line: string }[][] = [];
for (let i = 0; i < 3; i++) {
  const port = BASE + i;
  const dir = tmpDir('kvctl-probe-');
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...flags];
  const child = KIND === 'engine'
    ? spawn(process.execPath, [...(PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : []), ...(PERF ? ['--perf-basic-prof'] : []), ...ENTRY, ...common], { cwd: dir, stdio: JIT ? ['ignore', 'pipe', 'ignore'] : NODE_FLAGS.length ? ['ignore', 'inherit', 'ignore'] : 'ignore', env: childEnv() })
    : spawn('redis-server', common, { cwd: dir, stdio: 'ignore' });
  procs.push({ child, port, dir, pid: child.pid! });
  const lines: { at: number; line: string }[] = [];
  jitLines.push(lines);
  let rest = '';
  child.stdout?.on('data', (d: Buffer) => {
    const parts = (rest + d.toString('latin1')).split('\n');
    rest = parts.pop()!;
    for (const line of parts) lines.push({ at: performance.now(), line });
  });
}
let strace: ChildProcess[] = [];
try {
  await Promise.all(procs.map((p) => waitForPort(p.port)));
  await Promise.all(procs.map((p) => call(p.port, 'PING')));
  const cpuReady = procs.map((p) => cpuMs(p.pid));
  const addrs = procs.map((p) => `127.0.0.1:${p.port}`);
  spawnSync(process.execPath, [KVCTL_BIN, 'cluster', 'create', ...addrs, '--yes', '--json'], { stdio: 'ignore' });
  for (;;) {
    const infos = await Promise.all(procs.map((p) => call(p.port, 'CLUSTER', 'INFO')));
    if (infos.every((t) => t.includes('cluster_state:ok'))) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(`${KIND} node CPU ms to ready ${cpuReady.join(' / ')}; through create ${procs.map((p, i) => cpuMs(p.pid) - cpuReady[i]!).join(' / ')}`);
  const load = new Cluster([{ host: '127.0.0.1', port: BASE }], { scaleReads: 'master' });
  for (let i = 0; i < KEYS; i += 1000) await Promise.all(Array.from({ length: 1000 }, (_, j) => load.set(`k:${i + j}`, 'v')));
  let stop = false;
  let acked = 0;
  // A write the cluster refuses is counted and shown, and the writer goes on (it used to stop the writer).
  const refused = new Map<string, number>();
  const writers = LOAD ? Array.from({ length: 4 }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      try {
        await load.set(`load:${w}:${i}`, String(i));
        acked++;
      } catch (e) {
        const m = (e as Error).message;
        refused.set(m, (refused.get(m) ?? 0) + 1);
      }
    }
  }) : [];
  const from = await call(BASE, 'CLUSTER', 'MYID');
  const to = await call(BASE + 1, 'CLUSTER', 'MYID');
  if (STRACE) {
    strace = procs.map((p) => spawn('strace', ['-c', '-f', '-p', String(p.pid), '-o', `/tmp/reshard-strace-${KIND}-${p.port}.txt`], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 300));
  }
  // --rounds N: N successive reshards of 1000 slots on the same nodes (the later ones run warm code).
  for (let round = 0; round < ROUNDS; round++) {
    const lastRound = round === ROUNDS - 1;
    // The last round only: the earlier ones are there to warm the code up.
    if (PERF && lastRound) {
      strace = procs.map((p) => spawn('perf', ['record', '-e', 'cpu-clock', '-F', '4000', '-g', '-p', String(p.pid), '-o', `/tmp/reshard-perf-${KIND}-${p.port}.data`], { stdio: 'ignore' }));
      await new Promise((r) => setTimeout(r, 500));
    }
    const bus0 = CMDSTATS && lastRound ? await Promise.all(procs.map(async (p) => { await call(p.port, 'CONFIG', 'RESETSTAT'); return busCounts(await call(p.port, 'CLUSTER', 'INFO')); })) : [];
    const cpu0 = procs.map((p) => cpuMs(p.pid));
    const threads0 = KIND === 'engine' ? procs.map((p) => threadCpuMs(p.pid)) : [];
    const ackedAtStart = acked;
    if (NODE_FLAGS.length && !JIT) console.log('=== RESHARD START');
    const t0 = performance.now();
    const h0 = process.hrtime.bigint() / 1000n;
    // Asynchronous, so the load keeps running while the CLI works (spawnSync would freeze it).
    const traceDir = TIMELINE ? tmpDir('kvctl-trace-') : '';
    const cli = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      const child = spawn('/usr/bin/time', ['-f', '%U %S', process.execPath, ...(PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : []), KVCTL_BIN, 'cluster', 'reshard', addrs[0]!, '--from', from, '--to', to, '--slots', '1000', '--yes', '--json', ...CLI_ARGS],
        { env: TIMELINE ? { ...process.env, KVCTL_RESP_TRACE: path.join(traceDir, 'trace') } : process.env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('close', () => resolve({ stdout, stderr }));
    });
    const ackedAtEnd = acked;
    if (NODE_FLAGS.length && !JIT) console.log('=== RESHARD END');
    const ms = performance.now() - t0;
    const h1 = process.hrtime.bigint() / 1000n;
    const cpu1 = procs.map((p) => cpuMs(p.pid));
    const threads1 = KIND === 'engine' ? procs.map((p) => threadCpuMs(p.pid)) : [];
    const [u, s] = cli.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    const res = JSON.parse(cli.stdout) as { keysMoved: number };
    console.log(`${KIND} round ${round + 1}: reshard ${ms.toFixed(0)} ms, keys ${res.keysMoved}; node CPU ms ${cpu0.map((c, i) => cpu1[i]! - c).join(' / ')}; CLI CPU ${((u! + s!) * 1000).toFixed(0)} ms; load acked during the reshard ${ackedAtEnd - ackedAtStart} (${((ackedAtEnd - ackedAtStart) / ms * 1000).toFixed(0)}/s)`);
    if (refused.size > 0) console.log(`  load writes refused: ${[...refused].map(([m, n]) => `${n}x ${m}`).join('; ')}`);
    refused.clear();
    if (KIND === 'engine') {
      const split = procs.map((p, i) => threadSplit(p.pid, threads0[i]!, threads1[i]!));
      console.log(`  node CPU ms, main thread | others (tid - pid: ms): ${split.join(' / ')}`);
    }
    if (CMDSTATS && lastRound) {
      for (const [i, p] of procs.entries()) {
        const stats = (await call(p.port, 'INFO', 'commandstats')).split('\r\n').filter((l) => l.startsWith('cmdstat_'))
          .map((l) => /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(l)!).map((m) => `${m[1]} ${m[2]}x ${m[3]}µs`);
        const bus1 = busCounts(await call(p.port, 'CLUSTER', 'INFO'));
        const bus = [...bus1].map(([k, v]) => [k, v - (bus0[i]!.get(k) ?? 0)] as const).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`);
        console.log(`  ${['source', 'target', 'other'][i]}: ${stats.join(', ')}\n    bus: ${bus.join(', ')}`);
      }
    }
    if (PROF) console.log(`window µs ${h0} ${h1}; pids ${procs.map((p) => `${p.port}=${p.pid}`).join(' ')}`);
    if (JIT) {
      procs.forEach((_, i) => {
        const during = jitLines[i]!.filter((x) => x.at >= t0 && x.at <= t0 + ms).map((x) => x.line);
        for (const l of jitSummary(during, ['source', 'target', 'other'][i]!)) console.log(l);
      });
    }
    if (TIMELINE) {
      const roles = new Map(['source', 'target', 'other'].map((r, i) => [addrs[i]!, r]));
      for (const f of readdirSync(traceDir)) for (const l of timeline(path.join(traceDir, f), ms, roles)) console.log(l);
      rmSync(traceDir, { recursive: true, force: true });
    }
  }
  stop = true;
  await Promise.all(writers);
  for (const s of strace) s.kill('SIGINT');
  await Promise.all(strace.map((s) => new Promise((r) => s.once('exit', r))));
  load.disconnect();
} finally {
  await new Promise((r) => setTimeout(r, 200));
  for (const p of procs) {
    if (KIND === 'engine' && PROF) { await call(p.port, 'SHUTDOWN', 'NOSAVE').catch(() => undefined); await new Promise((r) => setTimeout(r, 300)); }
    try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(p.dir, { recursive: true, force: true });
  }
}
