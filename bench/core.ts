// Core section: redis-benchmark throughput for the basic commands (one request per round trip with 50
// clients, then pipelined by 16; medians of alternating rounds, bench/throughput.ts), time from spawn
// to the first PONG (bench/startup.ts, also its own section), and RSS holding 1M small strings.
// Ports 19000-19019.
import { pipelineLoad, rssBytes, startPair, type BenchSection, type Row } from './lib.js';
import { startupRows } from './startup.js';
import { throughputRows } from './throughput.js';

const PORT = 19000;
const TESTS = ['ping_inline', 'ping_mbulk', 'set', 'get', 'incr', 'mset'];
const KEYS = 1_000_000;

async function throughput(quick: boolean, log: (m: string) => void): Promise<Row[]> {
  const pair = await startPair(PORT);
  try {
    return await throughputRows(pair, { tests: TESTS, plain: quick ? 10_000 : 100_000, pipelined: quick ? 100_000 : 1_000_000, rounds: quick ? 1 : 5 }, log);
  } finally {
    await pair.stop();
  }
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
    return [...(await throughput(quick, log)), ...(await startupRows(log, quick ? 5 : 9)), ...(await memory(quick, log))];
  },
};
