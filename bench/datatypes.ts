// Data-type benchmark against redis-server, in one run: redis-benchmark's list/set/hash/zset tests
// (engine/redis throughput ratios, plain and -P 16), then the per-operation cost of ZADD and
// ZRANGEBYSCORE as a sorted set grows to 10k, 100k and 1M members (should stay flat: O(log n)).
// Run: npm run build && npx tsx bench/datatypes.ts [requests] [--zset-only]
// (BENCH_DATATYPES_PORT=<base> moves redis-server/engine to base and base + 1.)
import { spawn } from 'node:child_process';
import { startEngine, startRedis, stopAll } from '../test/helpers/procs.js';
import { RespClient } from '../test/helpers/resp.js';
import { PORTS } from '../test/helpers/ports.js';

const ZSET_ONLY = process.argv.includes('--zset-only');
const N = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 100_000);
const BASE = Number(process.env.BENCH_DATATYPES_PORT ?? PORTS.datatypes + 900);
const REDIS = BASE;
const ENGINE = BASE + 1;
const TESTS = 'lpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_600';

/** Pipelined runs get 4x the requests: at -P 16, N alone lasts ~0.2 s per test and swung 2x between runs. */
const requests = (pipeline: number): number => (pipeline > 1 ? N * 4 : N);

/** redis-benchmark's CSV: test name -> requests per second. */
function benchmark(port: number, pipeline: number, n = requests(pipeline)): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const args = ['-p', String(port), '-t', TESTS, '-n', String(n), '-c', '50', '-P', String(pipeline), '-r', '100000', '--csv'];
    const b = spawn('redis-benchmark', args);
    let out = '';
    b.stdout.on('data', (d: Buffer) => (out += d.toString()));
    b.on('error', reject);
    b.on('exit', () => {
      const rows = new Map<string, number>();
      for (const line of out.trim().split('\n').slice(1)) {
        const f = line.split(',').map((x) => x.replace(/"/g, ''));
        rows.set(f[0], Number(f[1]));
      }
      resolve(rows);
    });
  });
}

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

async function zsetScaling(port: number): Promise<string[]> {
  const c = await RespClient.connect(port);
  await c.call(['DEL', 'big']);
  const out: string[] = [];
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
    out.push(`${target}:${add.toFixed(2)}:${range.toFixed(2)}`);
  }
  c.close();
  return out;
}

async function main(): Promise<void> {
  await Promise.all([startRedis(REDIS), startEngine(ENGINE)]);
  try {
    // The same short warm-up pass on both servers, so the engine's first rows are not V8 still compiling.
    if (!ZSET_ONLY) for (const port of [REDIS, ENGINE]) await benchmark(port, 1, Math.ceil(N / 5));
    for (const pipeline of ZSET_ONLY ? [] : [1, 16]) {
      const r = await benchmark(REDIS, pipeline);
      const e = await benchmark(ENGINE, pipeline);
      console.log(`\nredis-benchmark -n ${requests(pipeline)} -c 50 -P ${pipeline}`);
      console.log('test'.padEnd(34) + 'redis rps'.padStart(12) + 'engine rps'.padStart(12) + 'ratio'.padStart(8));
      for (const [name, rps] of r) {
        const er = e.get(name) ?? 0;
        console.log(name.padEnd(34) + rps.toFixed(0).padStart(12) + er.toFixed(0).padStart(12) + (er / rps).toFixed(2).padStart(8));
      }
    }
    console.log('\nsorted set growth (pipelined batches of 1000; microseconds per command)');
    console.log('members'.padEnd(10) + 'redis ZADD'.padStart(12) + 'engine ZADD'.padStart(13) + 'redis RANGE'.padStart(13) + 'engine RANGE'.padStart(14));
    const rs = await zsetScaling(REDIS);
    const es = await zsetScaling(ENGINE);
    rs.forEach((row, i) => {
      const [n, ra, rr] = row.split(':');
      const [, ea, er] = es[i].split(':');
      console.log(n.padEnd(10) + ra.padStart(12) + ea.padStart(13) + rr.padStart(13) + er.padStart(14));
    });
  } finally {
    await stopAll();
  }
}

await main();
