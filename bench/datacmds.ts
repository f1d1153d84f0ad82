// Data commands section: redis-benchmark throughput (-c 50, plain and -P 16) of PFADD (random
// members into one HLL, so it runs dense as real counters do), PFCOUNT (cached and over a union of
// two keys, which recomputes every time) and GEOSEARCH (a radius search returning ~10 of 10k points),
// engine against redis-server in the same run; beside each throughput, the server process's CPU time
// per request (bench/lib.ts redisBenchmarkCpu), which moves far less with the box's load than
// requests per second do. Ports 19300-19301.
import { pipelineLoad, redisBenchmark, redisBenchmarkCpu, startPair, type BenchSection, type Row } from './lib.js';

const PORT = 19300;

/** Commands run as redis-benchmark custom commands; each needs the data `setup` loads first. */
const TESTS: { label: string; argv: string[] }[] = [
  { label: 'PFADD', argv: ['PFADD', 'hll', '__rand_int__'] },
  { label: 'PFCOUNT (cached)', argv: ['PFCOUNT', 'hll'] },
  { label: 'PFCOUNT 2 keys', argv: ['PFCOUNT', 'hll', 'hll2'] },
  { label: 'GEOSEARCH radius', argv: ['GEOSEARCH', 'geo', 'FROMLONLAT', '13.4', '52.5', 'BYRADIUS', '5', 'km', 'ASC', 'COUNT', '10'] },
];

/** redis-benchmark's requests/s against one server and that server's CPU microseconds per request. */
async function measure(port: number, pid: number, args: string[], requests: number): Promise<[rps: number, cpuUs: number]> {
  const { results, cpuUs } = await redisBenchmarkCpu({ port, pid }, args, requests);
  return [[...results.values()][0] ?? 0, cpuUs];
}

async function setup(port: number): Promise<void> {
  await pipelineLoad(port, 200, (i) => ['PFADD', 'hll2', ...Array.from({ length: 100 }, (_, k) => `e${i * 100 + k}`)]);
  // 10k points in a ~100 km square around Berlin.
  await pipelineLoad(port, 10_000, (i) => ['GEOADD', 'geo', String(12.9 + ((i * 7919) % 10_000) / 10_000), String(52.0 + ((i * 104_729) % 10_000) / 10_000), `p${i}`]);
}

export const datacmdsSection: BenchSection = {
  name: 'datacmds',
  description: 'PFADD, PFCOUNT and GEOSEARCH throughput',
  async run({ quick, log }) {
    const pair = await startPair(PORT);
    const rows: Row[] = [];
    try {
      await setup(pair.redis.port);
      await setup(pair.engine.port);
      // The same warm-up pass of every test on both servers, so the engine's rows are not V8 still
      // compiling (a fresh engine's first 100k PFADDs cost 15.4 µs CPU each against 12-13 warm).
      for (const t of TESTS) {
        for (const port of [pair.redis.port, pair.engine.port]) {
          await redisBenchmark(port, ['-c', '50', '-n', String(quick ? 5_000 : 50_000), '-r', '1000000', ...t.argv]);
        }
      }
      for (const p of [1, 16]) {
        const n = (quick ? 10_000 : 100_000) * (p === 16 ? 4 : 1);
        for (const t of TESTS) {
          const args = ['-c', '50', '-n', String(n), '-P', String(p), '-r', '1000000', ...t.argv];
          log(`redis-benchmark ${args.join(' ')}`);
          // One server at a time: the two cores are shared with redis-benchmark.
          const [redis, redisCpu] = await measure(pair.redis.port, pair.redis.pid, args, n);
          const [engine, engineCpu] = await measure(pair.engine.port, pair.engine.pid, args, n);
          const metric = `${t.label}${p === 16 ? ' -P16' : ''}`;
          rows.push({ metric, engine, redis, unit: 'req/s', higherIsBetter: true });
          rows.push({ metric: `${metric} CPU`, engine: Math.round(engineCpu * 10) / 10, redis: Math.round(redisCpu * 10) / 10, unit: 'µs/req', higherIsBetter: false });
        }
      }
    } finally {
      await pair.stop();
    }
    return rows;
  },
};
