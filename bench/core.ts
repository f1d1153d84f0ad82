// Core section: redis-benchmark throughput for the basic commands (one request per round trip with 50
// clients, then pipelined by 16), time from spawn to the first PONG, and RSS holding 1M small strings.
// Ports 19000-19019.
import { rmSync } from 'node:fs';
import { childEnv } from '../src/orchestrator/engines.js';
import { ENGINE_MAIN, tmpDir } from '../test/helpers/procs.js';
import { median, pipelineLoad, redisBenchmark, rssBytes, spawnToPong, startPair, type BenchSection, type Row } from './lib.js';

const PORT = 19000;
const TESTS = 'ping_inline,ping_mbulk,set,get,incr,mset';
const KEYS = 1_000_000;

async function throughput(quick: boolean, log: (m: string) => void): Promise<Row[]> {
  const pair = await startPair(PORT);
  const rows: Row[] = [];
  try {
    const runs = [
      { label: '', args: ['-c', '50', '-n', String(quick ? 10_000 : 100_000)] },
      { label: ' -P16', args: ['-c', '50', '-P', '16', '-n', String(quick ? 100_000 : 1_000_000)] },
    ];
    for (const run of runs) {
      const args = ['-t', TESTS, '-r', '100000', ...run.args];
      log(`redis-benchmark ${args.join(' ')}`);
      // One server at a time: the two cores are shared with redis-benchmark.
      const redis = await redisBenchmark(pair.redis.port, args);
      const engine = await redisBenchmark(pair.engine.port, args);
      for (const [test, rps] of redis) rows.push({ metric: test + run.label, engine: engine.get(test) ?? 0, redis: rps, unit: 'req/s', higherIsBetter: true });
    }
  } finally {
    await pair.stop();
  }
  return rows;
}

/** Spawn to first PONG, the engine started as kvctl up starts it (childEnv: no NODE_EXTRA_CA_CERTS). */
async function startup(log: (m: string) => void): Promise<Row> {
  const dir = tmpDir('kvctl-bench-');
  const common = ['--save', '', '--appendonly', 'no', '--dir', dir, '--bind', '127.0.0.1'];
  const samples = { engine: [] as number[], redis: [] as number[] };
  for (let i = 0; i < 5; i++) {
    samples.redis.push(await spawnToPong('redis-server', ['--port', String(PORT + 10), ...common], PORT + 10));
    samples.engine.push(await spawnToPong(process.execPath, [ENGINE_MAIN, '--port', String(PORT + 11), ...common], PORT + 11, childEnv()));
  }
  log(`spawn to PONG (ms): engine ${samples.engine.map((x) => x.toFixed(0)).join(' ')}; redis ${samples.redis.map((x) => x.toFixed(0)).join(' ')}`);
  rmSync(dir, { recursive: true, force: true });
  return { metric: 'spawn to first PONG (median of 5)', engine: median(samples.engine), redis: median(samples.redis), unit: 'ms', higherIsBetter: false };
}

async function memory(quick: boolean, log: (m: string) => void): Promise<Row[]> {
  const keys = quick ? KEYS / 10 : KEYS;
  const pair = await startPair(PORT + 2);
  try {
    const idle = { engine: rssBytes(pair.engine.pid), redis: rssBytes(pair.redis.pid) };
    for (const p of [pair.redis, pair.engine]) {
      log(`loading ${keys} keys into port ${p.port}`);
      await pipelineLoad(p.port, keys, (i) => ['SET', `key:${i}`, `v${i}`]);
    }
    const full = { engine: rssBytes(pair.engine.pid), redis: rssBytes(pair.redis.pid) };
    const mb = (b: number) => Math.round(b / 1024 / 102.4) / 10;
    return [
      { metric: 'RSS idle', engine: mb(idle.engine), redis: mb(idle.redis), unit: 'MB', higherIsBetter: false },
      { metric: `RSS with ${keys / 1e6}M small strings`, engine: mb(full.engine), redis: mb(full.redis), unit: 'MB', higherIsBetter: false },
    ];
  } finally {
    await pair.stop();
  }
}

export const coreSection: BenchSection = {
  name: 'core',
  description: 'PING/SET/GET/INCR/MSET throughput (plain and -P 16), spawn-to-PONG, RSS for 1M keys',
  async run({ quick, log }) {
    return [...(await throughput(quick, log)), await startup(log), ...(await memory(quick, log))];
  },
};
