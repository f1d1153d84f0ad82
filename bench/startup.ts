// Spawn to the first PONG, engine against redis-server in one run (issue 14's goal: at most 4x), for
// the engine started exactly as kvctl up starts it (orchestrator/engines.ts builtinEntry: the V8
// start-up snapshot when there is a fresh one, else main.cjs), in the checkout and in an installed
// copy: dist/engine without the snapshot (the tarball ships none), every file stamped with npm's one
// mtime (1985-10-26), whose first builtinEntry() starts the background snapshot build an installed
// package does; the samples are taken once that build is done (its time is printed). Also measured in
// the same loop: main.cjs (the bundle + code cache fallback) and Node's floor: `node -e 0` to exit and a
// bare Node TCP server answering +PONG. Every server is measured the same way (bench/lib.ts
// spawnToPong: a fresh connection every 2 ms until +PONG; each round runs every case once, in turn),
// with the environment kvctl gives its nodes (childEnv: no NODE_EXTRA_CA_CERTS, malloc's huge pages; a
// GLIBC_TUNABLES=glibc.malloc.hugetlb=0 in bench's environment turns those off). It also logs each server's
// CPU until its first PONG (all threads), which a busy box disturbs far less than wall time. Ports 19010-19014.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtinEntry, childEnv } from '../src/orchestrator/engines.js';
import { snapshotState } from '../src/engine/snapshot.cjs';
import { ENGINE_NODE_FLAGS } from '../src/engine/v8-flags.cjs';
import { ROOT, tmpDir } from '../test/helpers/procs.js';
import { median, spawnToPong, type BenchSection, type Row } from './lib.js';

const PORT = 19010;
const GOAL = 4;

/** dist/engine copied as npm install leaves it (no snapshot, one old mtime); returns its engine folder. */
function installedCopy(): { engineDir: string; root: string } {
  const root = tmpDir('kvctl-bench-pkg-');
  const engineDir = path.join(root, 'dist', 'engine');
  cpSync(path.join(ROOT, 'dist', 'engine'), engineDir, { recursive: true, filter: (src) => path.basename(src) !== 'snapshot' });
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  const npmTime = new Date('1985-10-26T08:15:00Z');
  const stamp = (p: string) => {
    if (statSync(p).isDirectory()) for (const f of readdirSync(p)) stamp(path.join(p, f));
    utimesSync(p, npmTime, npmTime);
  };
  stamp(root);
  return { engineDir, root };
}

/** The first start of the installed copy: builtinEntry starts the snapshot build; ms until it is usable. */
async function lazySnapshot(engineDir: string, log: (m: string) => void): Promise<void> {
  const t0 = performance.now();
  builtinEntry(engineDir);
  while (snapshotState(engineDir).state !== 'fresh') {
    if (performance.now() - t0 > 60_000) throw new Error(`the installed copy's snapshot was not built within 60 s (${engineDir})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  log(`installed copy: first start built its snapshot in the background in ${(performance.now() - t0).toFixed(0)} ms`);
}

/** Spawn to exit of `node -e 0`: Node's own start and exit, no script. */
function nodeToExit(env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore', env });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - t0));
  });
}

const BARE_SERVER = "require('node:net').createServer((s) => s.on('data', () => s.write('+PONG\\r\\n'))).listen(Number(process.argv[1]), '127.0.0.1')";

/**
 * The same bare server as a start-up snapshot of its own (built under the engine's flags, started as
 * the engine is): the floor of the snapshot way of starting, without any of the engine in the heap.
 */
function bareSnapshot(dir: string): string[] {
  const entry = path.join(dir, 'bare-entry.cjs');
  const blob = path.join(dir, 'bare.blob');
  writeFileSync(entry, `require('node:v8').startupSnapshot.setDeserializeMainFunction(() => { process.getBuiltinModule('node:net').createServer((s) => s.on('data', () => s.write('+PONG\\r\\n'))).listen(Number(process.argv[1]), '127.0.0.1'); });\n`);
  const r = spawnSync(process.execPath, [...ENGINE_NODE_FLAGS, '--snapshot-blob', blob, '--build-snapshot', entry], { cwd: dir, env: childEnv(), stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`could not build the bare snapshot (exit ${r.status})`);
  return [...ENGINE_NODE_FLAGS, '--snapshot-blob', blob, '--'];
}

export async function startupRows(log: (m: string) => void, runs = 9): Promise<Row[]> {
  const dir = tmpDir('kvctl-bench-');
  const pkg = installedCopy();
  const env = childEnv();
  const common = ['--save', '', '--appendonly', 'no', '--dir', dir, '--bind', '127.0.0.1'];
  const bareSnap = bareSnapshot(dir);
  const cpu = { redis: [] as number[], checkout: [] as number[], installed: [] as number[], bare: [] as number[], 'bare snapshot': [] as number[] };
  const ranOn = { checkout: [] as number[], installed: [] as number[] };
  const cases = {
    redis: (p: number) => spawnToPong('redis-server', ['--port', String(p), ...common], p, undefined, cpu.redis),
    checkout: (p: number) => spawnToPong(process.execPath, [...builtinEntry(), '--port', String(p), ...common], p, env, cpu.checkout, ranOn.checkout),
    installed: (p: number) => spawnToPong(process.execPath, [...builtinEntry(pkg.engineDir), '--port', String(p), ...common], p, env, cpu.installed, ranOn.installed),
    'main.cjs': (p: number) => spawnToPong(process.execPath, [...ENGINE_NODE_FLAGS, path.join(ROOT, 'dist', 'engine', 'main.cjs'), '--port', String(p), ...common], p, env),
    'bare node server': (p: number) => spawnToPong(process.execPath, ['-e', BARE_SERVER, String(p)], p, env, cpu.bare),
    'bare server snapshot': (p: number) => spawnToPong(process.execPath, [...bareSnap, String(p)], p, env, cpu['bare snapshot']),
    'node -e 0 (to exit)': () => nodeToExit(env),
  };
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, [] as number[]])) as Record<keyof typeof cases, number[]>;
  try {
    await lazySnapshot(pkg.engineDir, log);
    const how = (args: string[]) => (args.includes('--snapshot-blob') ? 'start-up snapshot' : path.basename(args[args.length - 1]));
    log(`engine started as kvctl up starts it: checkout from ${how(builtinEntry())}, installed copy from ${how(builtinEntry(pkg.engineDir))}`);
    for (let i = 0; i < runs; i++) {
      let port = PORT;
      for (const [name, run] of Object.entries(cases)) samples[name as keyof typeof cases].push(await run(port++));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(pkg.root, { recursive: true, force: true });
  }
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
  for (const [name, xs] of Object.entries(samples)) log(`spawn to PONG, ${name} (ms): median ${median(xs).toFixed(1)}; ${fmt(xs)}`);
  // CPU of the server process until its first PONG: steadier than wall time while the box is busy.
  for (const [name, xs] of Object.entries(cpu)) log(`CPU to PONG, ${name} (ms): median ${median(xs).toFixed(1)}; ${fmt(xs)}`);
  // The same start costs more CPU on some CPUs than on others (on the project's 2-vCPU VM, ~30% more
  // on vCPU 0): a bimodal sample is where the node ran, not what it did.
  for (const where of ['checkout', 'installed'] as const) {
    const byCpu = new Map<number, number[]>();
    ranOn[where].forEach((c, i) => byCpu.set(c, [...(byCpu.get(c) ?? []), cpu[where][i]]));
    log(`CPU to PONG, ${where}, by the CPU it ran on: ${[...byCpu].sort((a, b) => a[0] - b[0]).map(([c, xs]) => `cpu${c} median ${median(xs).toFixed(1)} (n=${xs.length})`).join(', ')}`);
  }
  const cpuRatio = (xs: number[]) => `${(median(xs) / median(cpu.redis)).toFixed(2)}x`;
  log(`CPU to PONG against redis-server: checkout ${cpuRatio(cpu.checkout)}, installed ${cpuRatio(cpu.installed)}; floors: bare Node server ${cpuRatio(cpu.bare)}, bare server snapshot ${cpuRatio(cpu['bare snapshot'])}`);
  const redis = median(samples.redis);
  const rows: Row[] = [];
  for (const where of ['checkout', 'installed'] as const) {
    const engine = median(samples[where]);
    log(`${where}: ${(engine / redis).toFixed(2)}x redis-server (goal <= ${GOAL}x: ${engine <= GOAL * redis ? 'met' : 'NOT met'})`);
    rows.push({ metric: `spawn to first PONG, ${where} (median of ${runs})`, engine, redis, unit: 'ms', higherIsBetter: false });
  }
  rows.push({ metric: `spawn to first PONG, main.cjs (bundle + code cache fallback)`, engine: median(samples['main.cjs']), redis, unit: 'ms', higherIsBetter: false });
  rows.push({ metric: `Node's floor: bare net server to first PONG`, engine: median(samples['bare node server']), redis, unit: 'ms', higherIsBetter: false });
  rows.push({ metric: `snapshot floor: bare net server snapshot to first PONG`, engine: median(samples['bare server snapshot']), redis, unit: 'ms', higherIsBetter: false });
  rows.push({ metric: `Node's floor: node -e 0 to exit`, engine: median(samples['node -e 0 (to exit)']), redis, unit: 'ms', higherIsBetter: false });
  return rows;
}

export const startupSection: BenchSection = {
  name: 'startup',
  description: 'spawn to first PONG: engine as kvctl up starts it (checkout and installed copy), main.cjs and Node\'s floor, against redis-server',
  run: ({ quick, log }) => startupRows(log, quick ? 5 : 9),
};
