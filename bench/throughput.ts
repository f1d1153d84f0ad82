// redis-benchmark throughput rows for the core and datatypes sections. Each test runs on its own,
// alternating redis-server and the engine for several rounds (who goes first swaps every round), and
// a row is the median of each server's rounds: one pass of all tests per server swung a ratio by up
// to 0.4 between two runs of the same tree on a 2-core box, where redis-benchmark shares the cores.
// Each test also gets a row of server CPU per request (all the server's threads, from schedstat),
// which counts only what the server itself spent and moves much less with the box's load.
import { cpuNs, median, redisBenchmark, type Row, type ServerPair } from './lib.js';

export interface ThroughputRun {
  /** Appended to the test name in the row's metric (' -P16'). */
  label: string;
  /** redis-benchmark arguments besides -t (clients, requests, pipeline, keyspace range). */
  args: string[];
}

interface Sample {
  /** redis-benchmark's name for the test ("MSET (10 keys)"). */
  name: string;
  rps: number;
  /** Server CPU microseconds per request, or NaN when the run also did other requests (the LRANGE
   * tests fill their list with LPUSH first, in the same run). */
  cpuUs: number;
}

async function sample(pid: number, port: number, test: string, args: string[]): Promise<Sample> {
  const n = Number(args[args.indexOf('-n') + 1]);
  const cpu0 = cpuNs(pid);
  const res = await redisBenchmark(port, ['-t', test, ...args]);
  const cpu = cpuNs(pid) - cpu0;
  const last = [...res].at(-1);
  if (last === undefined) throw new Error(`redis-benchmark -t ${test} printed no result for port ${port}`);
  return { name: last[0], rps: last[1], cpuUs: res.size === 1 ? cpu / 1000 / n : NaN };
}

/** Median rows for every test x run: requests per second, then server CPU µs per request. */
export async function throughputRows(pair: ServerPair, tests: string[], runs: ThroughputRun[], rounds: number, log: (m: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  const servers = [pair.redis, pair.engine];
  for (const run of runs) {
    log(`redis-benchmark -t <each of ${tests.join(',')}> ${run.args.join(' ')}, ${rounds} alternating rounds`);
    for (const test of tests) {
      const got: Sample[][] = [[], []];
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? [0, 1] : [1, 0];
        for (const i of order) got[i].push(await sample(servers[i].pid, servers[i].port, test, run.args));
      }
      const [redis, engine] = got;
      const name = redis[0].name + run.label;
      rows.push({ metric: name, engine: median(engine.map((s) => s.rps)), redis: median(redis.map((s) => s.rps)), unit: 'req/s', higherIsBetter: true });
      if (!Number.isNaN(redis[0].cpuUs)) {
        rows.push({ metric: `${name} CPU`, engine: median(engine.map((s) => s.cpuUs)), redis: median(redis.map((s) => s.cpuUs)), unit: 'µs/req', higherIsBetter: false });
      }
    }
  }
  return rows;
}
