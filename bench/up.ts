// Time from `kvctl up master-replica` (goal: builtin < 1 s) and `kvctl up cluster` (9 nodes, create,
// replicas linked, cluster_state ok) to ready, and of `kvctl failover mymaster` on the sentinel
// topology (SENTINEL FAILOVER until the new master answers): builtin engine against --engine redis.
// Run with: npx tsx bench/up.ts [runs]   (needs npm run build; uses ports 19100-19108, the bench block)
// KVCTL_CLI_NO_BUNDLE=1 in the environment runs every kvctl up / failover without the CLI bundle (the
// modules one by one), for an A/B of the CLI's start-up; the status line always measures both.
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'run.js');
const RUNS = Number(process.argv[2] ?? 5);
const PORT = 19100;

interface Sample { wallMs: number; readyMs: number; steps: Map<string, number> }

/** KVCTL_UP_TIMING's stderr lines (commands/up.ts): ms per step, progress lines (indented) left out. */
function stepsOf(stderr: string): Map<string, number> {
  const steps = new Map<string, number>();
  for (const m of stderr.matchAll(/^kvctl up timing: (\S.*?) (\d+) ms \(at/gm)) steps.set(m[1], Number(m[2]));
  return steps;
}

async function once(topology: string, engine: string, home: string): Promise<Sample> {
  const t0 = performance.now();
  const r = await execa(process.execPath, [BIN, 'up', topology, '--engine', engine, '--base-port', String(PORT), '--dir', home, '--json', '--timeout', '15'], { reject: false, env: { KVCTL_UP_TIMING: '1' } });
  const wallMs = performance.now() - t0;
  try {
    if (r.exitCode !== 0) throw new Error(`kvctl up --engine ${engine} failed: ${r.stderr}`);
    return { wallMs, readyMs: (JSON.parse(String(r.stdout)) as { readyMs: number }).readyMs, steps: stepsOf(String(r.stderr)) };
  } finally {
    await execa(process.execPath, [BIN, 'down', '--dir', home, '--purge', '--grace', '2000'], { reject: false });
  }
}

/** `kvctl failover mymaster` on a fresh sentinel topology: the command's own ms (Sentinel's work). */
async function failoverOnce(engine: string, home: string): Promise<number> {
  const kvctl = (...args: string[]) => execa(process.execPath, [BIN, ...args], { reject: false });
  try {
    const up = await kvctl('up', 'sentinel', '--engine', engine, '--base-port', String(PORT), '--dir', home, '--json', '--timeout', '30');
    if (up.exitCode !== 0) throw new Error(`kvctl up sentinel --engine ${engine} failed: ${up.stderr}`);
    const sentinel = (JSON.parse(String(up.stdout)) as { sentinels: string[] }).sentinels[0]!;
    const fo = await kvctl('failover', 'mymaster', '--sentinel', sentinel, '--timeout', '30', '--json');
    if (fo.exitCode !== 0) throw new Error(`kvctl failover (${engine}) failed: ${fo.stderr}`);
    return (JSON.parse(String(fo.stdout)) as { ms: number }).ms;
  } finally {
    await kvctl('down', '--dir', home, '--purge', '--grace', '2000');
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Series { wall: number; ready: number; steps: string }

async function series(topology: string, engine: string, runs: number): Promise<Series | string> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'kvctl-bench-'));
  try {
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) samples.push(await once(topology, engine, home));
    // Median per step: where the time goes (cli load = Node + oclif + the command's modules).
    const steps = [...samples[0].steps.keys()].map((k) => `${k} ${median(samples.map((s) => s.steps.get(k) ?? 0)).toFixed(0)}`).join(', ');
    return { wall: median(samples.map((s) => s.wallMs)), ready: median(samples.map((s) => s.readyMs)), steps };
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

for (const [topology, runs] of [['master-replica', RUNS], ['cluster', Math.min(RUNS, 3)]] as const) {
  const results: Record<string, Series | string> = {};
  for (const engine of ['builtin', 'redis']) results[engine] = await series(topology, engine, runs);
  console.log(`kvctl up ${topology} -> ready, median of ${runs} runs (wall = whole CLI process, ready = up's own clock)`);
  for (const [engine, r] of Object.entries(results)) {
    console.log(typeof r === 'string'
      ? `  ${engine.padEnd(8)} failed: ${r}`
      : `  ${engine.padEnd(8)} wall ${r.wall.toFixed(0).padStart(5)} ms   ready ${r.ready.toFixed(0).padStart(5)} ms   steps (ms, median): ${r.steps}`);
  }
  const b = results.builtin;
  const rd = results.redis;
  if (typeof b !== 'string' && typeof rd !== 'string') {
    const limit = topology === 'master-replica' ? 1000 : 1500; // issue 14: up cluster (9 builtin nodes) <= 1.5 s wall
    const goal = `; goal builtin <= ${limit} ms wall: ${b.wall <= limit ? 'met' : 'NOT met'}`;
    console.log(`  builtin / redis: ${(b.wall / rd.wall).toFixed(2)}x wall, ${(b.ready / rd.ready).toFixed(2)}x ready${goal}`);
  }
}

{
  // The CLI's own start-up, which every kvctl command pays: `kvctl status --json` with nothing running
  // (oclif, the command, the RESP client; it imported ioredis until issue 14), from the CLI bundle
  // (bin/run.js's default) and from the modules (KVCTL_CLI_NO_BUNDLE=1), alternating.
  const home = mkdtempSync(path.join(os.tmpdir(), 'kvctl-bench-'));
  const ms = { bundle: [] as number[], modules: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    for (const [how, env] of [['bundle', { KVCTL_CLI_NO_BUNDLE: undefined }], ['modules', { KVCTL_CLI_NO_BUNDLE: '1' }]] as const) {
      const t0 = performance.now();
      await execa(process.execPath, [BIN, 'status', '--json', '--dir', home], { reject: false, env });
      ms[how].push(performance.now() - t0);
    }
  }
  rmSync(home, { recursive: true, force: true });
  console.log(`kvctl status --json (nothing running: the CLI's start-up), median of ${RUNS} runs`);
  for (const [how, xs] of Object.entries(ms)) console.log(`  ${how.padEnd(8)} ${median(xs).toFixed(0).padStart(5)} ms   (${xs.map((x) => x.toFixed(0)).join(' ')})`);
}

{
  const runs = Math.min(RUNS, 3);
  const out: string[] = [];
  for (const engine of ['builtin', 'redis']) {
    const home = mkdtempSync(path.join(os.tmpdir(), 'kvctl-bench-'));
    try {
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) ms.push(await failoverOnce(engine, home));
      out.push(`  ${engine.padEnd(8)} ${median(ms).toFixed(0).padStart(5)} ms   (${ms.map((x) => x.toFixed(0)).join(' ')})`);
    } catch (err) {
      out.push(`  ${engine.padEnd(8)} failed: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
  console.log(`kvctl failover mymaster (sentinel topology, SENTINEL FAILOVER until the new master answers), median of ${runs} runs`);
  for (const l of out) console.log(l);
}
