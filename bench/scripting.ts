// Scripting section: EVALSHA of a small script (one GET, one SET) and FCALL of the same function,
// engine against redis-server, with redis-benchmark (-c 50, one request per round trip); the VM's
// instruction-count hook cost (a pure Lua loop with the hook at its normal rate vs every instruction
// is not measurable from outside, so: the same loop's time on both servers); BullMQ queue.add
// throughput. Ports PORTS.scripting + 280..299.
import { Redis } from 'ioredis';
import { redisBenchmark, startPair, type BenchSection, type Row } from './lib.js';
import { PORTS } from '../test/helpers/ports.js';

const PORT = PORTS.scripting + 280;
const SCRIPT = "local v = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], 'x') return v";
const LIB = `#!lua name=benchlib\nredis.register_function('getset', function(keys) local v = redis.call('GET', keys[1]) redis.call('SET', keys[1], 'x') return v end)`;
const LOOP = 'local s = 0 for i = 1, 20000000 do s = s + i end return s';

async function timed(c: Redis, argv: string[]): Promise<number> {
  const t0 = performance.now();
  await c.call(argv[0], ...argv.slice(1));
  return performance.now() - t0;
}

async function bullmqAdds(port: number, n: number): Promise<number> {
  const { Queue } = await import('bullmq');
  const queue = new Queue('bench', { connection: { host: '127.0.0.1', port } });
  try {
    await queue.add('warm', { i: -1 });
    const t0 = performance.now();
    const inflight: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      inflight.push(queue.add('job', { i }));
      if (inflight.length >= 50) await Promise.all(inflight.splice(0));
    }
    await Promise.all(inflight);
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await queue.close();
  }
}

export const scriptingSection: BenchSection = {
  name: 'scripting',
  description: 'EVALSHA and FCALL of a GET+SET script, a pure-Lua loop, BullMQ queue.add',
  async run({ quick, log }) {
    const pair = await startPair(PORT);
    const rows: Row[] = [];
    try {
      const n = String(quick ? 10_000 : 100_000);
      const shas: string[] = [];
      for (const p of [pair.redis, pair.engine]) {
        const c = new Redis(p.port, '127.0.0.1');
        shas.push(String(await c.script('LOAD', SCRIPT)));
        await c.function('LOAD', 'REPLACE', LIB);
        c.disconnect();
      }
      for (const [label, argv] of [
        ['EVALSHA GET+SET', ['EVALSHA', shas[0], '1', 'key:__rand_int__']],
        ['FCALL GET+SET', ['FCALL', 'getset', '1', 'key:__rand_int__']],
      ] as [string, string[]][]) {
        const args = ['-c', '50', '-n', n, '-r', '100000', ...argv];
        log(`redis-benchmark ${args.join(' ')}`);
        const redis = [...(await redisBenchmark(pair.redis.port, args)).values()][0] ?? 0;
        const engine = [...(await redisBenchmark(pair.engine.port, args)).values()][0] ?? 0;
        rows.push({ metric: label, engine, redis, unit: 'req/s', higherIsBetter: true });
      }
      const times = { engine: 0, redis: 0 };
      for (const side of ['redis', 'engine'] as const) {
        const c = new Redis(pair[side].port, '127.0.0.1');
        await timed(c, ['EVAL', LOOP, '0']);
        times[side] = await timed(c, ['EVAL', LOOP, '0']);
        c.disconnect();
      }
      rows.push({ metric: 'EVAL of a 20M-iteration Lua loop', engine: times.engine, redis: times.redis, unit: 'ms', higherIsBetter: false });
      // BullMQ needs streams (XADD): the engine has them, so a failure here is a failure, not a skip.
      const adds = quick ? 500 : 5000;
      const redis = await bullmqAdds(pair.redis.port, adds);
      const engine = await bullmqAdds(pair.engine.port, adds);
      rows.push({ metric: `BullMQ queue.add (${adds} jobs, 50 in flight)`, engine, redis, unit: 'jobs/s', higherIsBetter: true });
    } finally {
      await pair.stop();
    }
    return rows;
  },
};
