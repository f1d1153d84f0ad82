// Where one server's CPU goes on one redis-benchmark test, in the state the datatypes section leaves
// it in: `perf record` of the server (the engine with --perf-prof, so its JIT frames get names) during
// a plain run of the test, after the section's ten tests have run once each at its -n. Prints the
// server's CPU µs per request and perf's flat profile (kernel, libc, node and JS frames together:
// --cpu-prof samples wall time, idle included, and shows no kernel time). The perf data stays in the
// printed directory for `perf annotate -i DIR/perf.jit.data` (the engine) or `DIR/perf.data` (redis).
// Needs perf, and kernel.perf_event_paranoid <= 2 for a process of one's own. Take the bench lock:
//   flock /work/wt/bench.lock npx tsx bench/perf-profile.ts [--server engine|redis] [--test zadd]
//     [-n 200000] [-P 16] (the measured run pipelined) [--port 19940] [--engine-main PATH] [--top 60]
// Port 19940 unless --port (the bench block).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ENGINE_MAIN, waitForAnswer } from '../test/helpers/procs.js';
import { ENGINE_NODE_FLAGS } from '../src/engine/v8-flags.cjs';
import { childEnv } from '../src/orchestrator/engines.js';
import { DATATYPE_TESTS } from './datatypes.js';
import { redisBenchmark, redisBenchmarkCpu } from './lib.js';

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const SERVER = flag('--server', 'engine');
const TEST = flag('--test', 'zadd');
const N = Number(flag('-n', '200000'));
const PORT = Number(flag('--port', '19940'));
const MAIN = path.resolve(flag('--engine-main', ENGINE_MAIN));
const TOP = Number(flag('--top', '60'));
/** -P: the measured run's pipeline depth (the runs before it stay plain, as in the section). */
const PIPELINE = flag('-P', '1');
/** As the datatypes section runs redis-benchmark: -r 100000 -c 50, plain. */
const COMMON = ['-r', '100000', '-c', '50'];

/** Runs a command to its end; rejects on a non-zero exit, with its stderr. */
function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim()}`))));
  });
}

function startServer(dir: string): ChildProcess {
  const conf = ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  if (SERVER === 'redis') return spawn('redis-server', conf, { cwd: dir, stdio: 'ignore' });
  // --perf-prof writes the JIT's code map (jit-<pid>.dump) into the working directory, for perf inject.
  const flags = [...ENGINE_NODE_FLAGS, '--perf-prof', '--interpreted-frames-native-stack'];
  return spawn(process.execPath, [...flags, MAIN, ...conf], { cwd: dir, stdio: 'ignore', env: childEnv() });
}

async function shutdown(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve) => {
    const c = net.connect({ port: PORT, host: '127.0.0.1' }, () => c.write('SHUTDOWN NOSAVE\r\n'));
    c.on('close', () => resolve());
    c.on('error', () => resolve());
  });
  const t = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

async function main(): Promise<void> {
  if (SERVER !== 'engine' && SERVER !== 'redis') throw new Error('--server is engine or redis');
  const dir = mkdtempSync(path.join(os.tmpdir(), `kvctl-perf-${SERVER}-`));
  // Before any server starts: without perf there is nothing to do.
  await run('perf', ['--version'], dir);
  const child = startServer(dir);
  child.once('error', (e) => console.error(`${SERVER}: ${e.message}`));
  const pid = child.pid ?? -1;
  try {
    await waitForAnswer(PORT);
    // The datatypes section's order: its warm-up pass, then each test at its -n (its first round).
    await redisBenchmark(PORT, ['-t', DATATYPE_TESTS.join(','), ...COMMON, '-n', '20000']);
    for (const t of DATATYPE_TESTS) await redisBenchmark(PORT, ['-t', t, ...COMMON, '-n', '100000']);
    const data = path.join(dir, 'perf.data');
    const perf = spawn('perf', ['record', '-F', '2000', '-g', ...(SERVER === 'engine' ? ['-k', 'mono'] : []), '-p', String(pid), '-o', data], { stdio: 'ignore' });
    const recorded = new Promise<void>((r) => perf.once('exit', () => r()));
    await new Promise((r) => setTimeout(r, 500));
    const { results, cpuUs } = await redisBenchmarkCpu({ port: PORT, pid }, ['-t', TEST, ...COMMON, '-P', PIPELINE, '-n', String(N)], N);
    perf.kill('SIGINT');
    await recorded;
    let report = data;
    if (SERVER === 'engine') {
      report = path.join(dir, 'perf.jit.data');
      await run('perf', ['inject', '--jit', '-i', data, '-o', report], dir);
    }
    const flat = await run('perf', ['report', '-i', report, '--no-children', '--sort', 'dso,symbol', '-g', 'none', '--stdio'], dir);
    const lines = flat.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.trimEnd());
    writeFileSync(path.join(dir, 'flat.txt'), lines.join('\n') + '\n');
    const share = (re: RegExp) => lines.filter((l) => re.test(l)).reduce((s, l) => s + parseFloat(l), 0);
    console.log(`${SERVER} ${TEST}: ${[...results.values()][0]?.toFixed(0)} req/s, ${cpuUs.toFixed(2)} CPU µs/request`);
    console.log(`kernel ${share(/\[kernel/).toFixed(1)}%, JS ${share(/ JS:/).toFixed(1)}% of samples; profile in ${dir}`);
    for (const l of lines.slice(0, TOP)) console.log(l.replace(/\s{2,}/g, '  ').slice(0, 160));
  } finally {
    await shutdown(child);
  }
}

await main();
