// Spawn to the first PONG, engine against redis-server in one run (issue 14's goal: at most 4x), for
// the engine as a checkout runs it (dist/engine/main.cjs) and as an installed package does: a copy
// of dist/engine whose files all carry one old mtime, as npm pack + install leaves them (npm stamps
// every file 1985-10-26), so the bundle's freshness check takes the path an installed package takes.
// Both servers are measured the same way (bench/lib.ts spawnToPong: a fresh connection every 2 ms
// until +PONG; each sample alternates the servers), and the engine is started as kvctl up starts it
// (childEnv: no NODE_EXTRA_CA_CERTS). Ports 19010-19013.
import { cpSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { childEnv } from '../src/orchestrator/engines.js';
import { ENGINE_MAIN, ROOT, tmpDir } from '../test/helpers/procs.js';
import { median, spawnToPong, type BenchSection, type Row } from './lib.js';

const PORT = 19010;
const GOAL = 4;

/** dist/engine copied with every file stamped as npm install leaves it; returns the copy's main.cjs. */
function installedCopy(): { main: string; root: string } {
  const root = tmpDir('kvctl-bench-pkg-');
  const engine = path.join(root, 'dist', 'engine');
  cpSync(path.join(ROOT, 'dist', 'engine'), engine, { recursive: true });
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  const npmTime = new Date('1985-10-26T08:15:00Z');
  const stamp = (p: string) => {
    if (statSync(p).isDirectory()) for (const f of readdirSync(p)) stamp(path.join(p, f));
    utimesSync(p, npmTime, npmTime);
  };
  stamp(root);
  return { main: path.join(engine, 'main.cjs'), root };
}

export async function startupRows(log: (m: string) => void, runs = 9): Promise<Row[]> {
  const dir = tmpDir('kvctl-bench-');
  const pkg = installedCopy();
  const common = ['--save', '', '--appendonly', 'no', '--dir', dir, '--bind', '127.0.0.1'];
  const samples = { redis: [] as number[], checkout: [] as number[], installed: [] as number[] };
  try {
    for (let i = 0; i < runs; i++) {
      samples.redis.push(await spawnToPong('redis-server', ['--port', String(PORT), ...common], PORT));
      samples.checkout.push(await spawnToPong(process.execPath, [ENGINE_MAIN, '--port', String(PORT + 1), ...common], PORT + 1, childEnv()));
      samples.installed.push(await spawnToPong(process.execPath, [pkg.main, '--port', String(PORT + 2), ...common], PORT + 2, childEnv()));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(pkg.root, { recursive: true, force: true });
  }
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
  log(`spawn to PONG (ms): redis ${fmt(samples.redis)}; engine (checkout) ${fmt(samples.checkout)}; engine (installed copy) ${fmt(samples.installed)}`);
  const redis = median(samples.redis);
  const rows: Row[] = [];
  for (const where of ['checkout', 'installed'] as const) {
    const engine = median(samples[where]);
    log(`${where}: ${(engine / redis).toFixed(2)}x redis-server (goal <= ${GOAL}x: ${engine <= GOAL * redis ? 'met' : 'NOT met'})`);
    rows.push({ metric: `spawn to first PONG, ${where} (median of ${runs})`, engine, redis, unit: 'ms', higherIsBetter: false });
  }
  return rows;
}

export const startupSection: BenchSection = {
  name: 'startup',
  description: 'spawn to first PONG: engine (checkout and installed copy) against redis-server',
  run: ({ quick, log }) => startupRows(log, quick ? 5 : 9),
};
