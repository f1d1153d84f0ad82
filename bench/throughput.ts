// redis-benchmark throughput rows for the core and datatypes sections. Each test runs on its own,
// alternating redis-server and the engine for several rounds (who goes first swaps every round), and
// a row is the round whose engine/redis ratio is the median (lib.ts medianRatioRound): one pass of
// all tests per server swung a ratio by up to 0.4 between two runs of the same tree on a 2-core box,
// where redis-benchmark shares the cores, and each side's own median can pair a quiet moment with a
// busy one. Each test also gets a row of server CPU per request, which counts only what the server
// itself spent and moves much less with the box's load.
import { medianRatioRound, redisBenchmark, redisBenchmarkCpu, type Row, type ServerPair } from './lib.js';

export interface ThroughputSpec {
  /** redis-benchmark -t names. */
  tests: string[];
  /** Requests per run with one request per round trip, and pipelined by 16. */
  plain: number;
  pipelined: number;
  rounds: number;
}

/** Arguments of every run: 50 clients over 100k random keys, as the bench has always measured. */
const COMMON = ['-r', '100000', '-c', '50'];

interface Sample {
  /** redis-benchmark's name for the test ("MSET (10 keys)"). */
  name: string;
  rps: number;
  /** Server CPU microseconds per request, or NaN when the run also did other requests (the LRANGE
   * tests fill their list with LPUSH first, in the same run). */
  cpuUs: number;
}

async function sample(server: { port: number; pid: number }, test: string, args: string[], n: number): Promise<Sample> {
  const { results, cpuUs } = await redisBenchmarkCpu(server, ['-t', test, ...args], n);
  const last = [...results].at(-1);
  if (last === undefined) throw new Error(`redis-benchmark -t ${test} printed no result for port ${server.port}`);
  return { name: last[0], rps: last[1], cpuUs: results.size === 1 ? cpuUs : NaN };
}

/** Median rows for every test, plain then -P 16: requests per second, then server CPU µs per request. */
export async function throughputRows(pair: ServerPair, spec: ThroughputSpec, log: (m: string) => void): Promise<Row[]> {
  const servers = [pair.redis, pair.engine];
  // The same short warm-up pass on both servers, so the engine's first rows are not V8 still compiling.
  for (const s of servers) await redisBenchmark(s.port, ['-t', spec.tests.join(','), ...COMMON, '-n', String(Math.ceil(spec.plain / 5))]);
  const rows: Row[] = [];
  for (const [label, n, pipeline] of [['', spec.plain, []], [' -P16', spec.pipelined, ['-P', '16']]] as const) {
    const args = [...COMMON, ...pipeline, '-n', String(n)];
    log(`redis-benchmark -t <each of ${spec.tests.join(',')}> ${args.join(' ')}, ${spec.rounds} alternating rounds`);
    for (const test of spec.tests) {
      const got: Sample[][] = [[], []];
      for (let r = 0; r < spec.rounds; r++) {
        for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) got[i].push(await sample(servers[i], test, args, n));
      }
      const [redis, engine] = got;
      const name = redis[0].name + label;
      const rps = (xs: Sample[]) => xs.map((s) => s.rps);
      const cpu = (xs: Sample[]) => xs.map((s) => s.cpuUs);
      const ratios = (e: number[], r: number[]) => e.map((x, i) => (x / r[i]).toFixed(2)).join(' ');
      log(`  ${name}: engine/redis per round ${ratios(rps(engine), rps(redis))} (rps engine ${rps(engine).map(Math.round).join(' ')}, redis ${rps(redis).map(Math.round).join(' ')})`);
      const at = medianRatioRound(rps(engine), rps(redis));
      rows.push({ metric: name, engine: engine[at].rps, redis: redis[at].rps, unit: 'req/s', higherIsBetter: true });
      if (!Number.isNaN(redis[0].cpuUs)) {
        const c = medianRatioRound(cpu(engine), cpu(redis));
        rows.push({ metric: `${name} CPU`, engine: engine[c].cpuUs, redis: redis[c].cpuUs, unit: 'µs/req', higherIsBetter: false });
      }
    }
  }
  return rows;
}
