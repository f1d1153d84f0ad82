// Data-type section: redis-benchmark's list/set/hash/zset tests (engine/redis throughput, plain and
// -P 16, medians of alternating rounds: bench/throughput.ts), then the per-operation cost of ZADD and
// ZRANGEBYSCORE as a sorted set grows to 10k, 100k and 1M members (should stay flat: O(log n)).
// Ports 19020-19021.
import { RespClient } from '../test/helpers/resp.js';
import { startPair, type BenchSection, type Row } from './lib.js';
import { throughputRows } from './throughput.js';

const PORT = 19020;
/** redis-benchmark's tests of this section, in the order it runs them (bench/perf-profile.ts repeats it). */
export const DATATYPE_TESTS = ['lpush', 'lpop', 'rpop', 'sadd', 'hset', 'spop', 'zadd', 'zpopmin', 'lrange_100', 'lrange_600'];

/** Sends commands in pipelined batches; returns microseconds per command. */
async function timedBatch(c: RespClient, cmds: string[][], batch = 1000): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < cmds.length; i += batch) await Promise.all(cmds.slice(i, i + batch).map((a) => c.call(a, 120_000)));
  return ((performance.now() - t) * 1000) / cmds.length;
}

async function growTo(c: RespClient, from: number, to: number): Promise<void> {
  const cmds: string[][] = [];
  for (let i = from; i < to; i += 500) {
    const argv = ['ZADD', 'big'];
    for (let j = i; j < Math.min(to, i + 500); j++) argv.push(String(Math.random() * 1e6), `m${j}`);
    cmds.push(argv);
  }
  await timedBatch(c, cmds, 50);
}

async function zsetScaling(port: number): Promise<Array<{ size: number; add: number; range: number }>> {
  const c = await RespClient.connect(port);
  await c.call(['DEL', 'big']);
  const out: Array<{ size: number; add: number; range: number }> = [];
  let size = 0;
  for (const target of [10_000, 100_000, 1_000_000]) {
    await growTo(c, size, target);
    size = target;
    // One unmeasured batch first: right after growing by 900k members the engine's heap is still
    // collecting the growth's garbage, which is not the per-operation cost this measures.
    await timedBatch(c, Array.from({ length: 20_000 }, (_, i) => ['ZADD', 'big', String(Math.random() * 1e6), `warm${target}-${i}`]));
    const adds = Array.from({ length: 20_000 }, (_, i) => ['ZADD', 'big', String(Math.random() * 1e6), `new${target}-${i}`]);
    const ranges = Array.from({ length: 20_000 }, () => {
      const lo = Math.random() * 1e6;
      return ['ZRANGEBYSCORE', 'big', String(lo), '+inf', 'LIMIT', '0', '10'];
    });
    const add = await timedBatch(c, adds);
    const range = await timedBatch(c, ranges);
    out.push({ size: target, add, range });
  }
  c.close();
  return out;
}

export const datatypesSection: BenchSection = {
  name: 'datatypes',
  description: 'list/set/hash/zset throughput (plain and -P 16) and sorted-set scaling',
  async run({ quick, log }) {
    const n = quick ? 10_000 : 100_000;
    const pair = await startPair(PORT);
    try {
      // 4x the requests pipelined: at -P 16, n alone lasts ~0.2 s per test.
      const rows: Row[] = await throughputRows(pair, { tests: DATATYPE_TESTS, plain: n, pipelined: n * 4, rounds: quick ? 1 : 5 }, log);
      log('sorted set growth to 10k, 100k, 1M members (pipelined batches of 1000)');
      const redis = await zsetScaling(pair.redis.port);
      const engine = await zsetScaling(pair.engine.port);
      redis.forEach((r, i) => {
        const e = engine[i];
        rows.push({ metric: `ZADD at ${r.size} members`, engine: e.add, redis: r.add, unit: 'µs/op', higherIsBetter: false });
        rows.push({ metric: `ZRANGEBYSCORE LIMIT 10 at ${r.size} members`, engine: e.range, redis: r.range, unit: 'µs/op', higherIsBetter: false });
      });
      return rows;
    } finally {
      await pair.stop();
    }
  },
};
