// Streams section: XADD and XREADGROUP throughput with redis-benchmark (50 clients, one request per
// round trip, then pipelined by 16), and RSS holding 1M stream entries (absolute, and the growth over
// the idle process, which is what the entries cost), also for an engine whose young generation is
// capped (--max-semi-space-size=2: V8's semi-spaces grow to 16 MB each under load and never shrink,
// ~30 MB of the engine's growth). Ports 19760-19769.
import { redisBenchmark, rssBytes, startPair, type BenchSection, type Row } from './lib.js';
import { RespClient } from '../test/helpers/resp.js';
import { startEngine } from '../test/helpers/procs.js';

const PORT = 19760;
const ENTRIES = 1_000_000;

/** redis-benchmark running one custom command; requests per second. */
async function benchCommand(port: number, opts: string[], argv: string[]): Promise<number> {
  const rps = [...(await redisBenchmark(port, [...opts, ...argv])).values()][0];
  if (rps === undefined) throw new Error(`redis-benchmark ${argv.join(' ')} reported nothing`);
  return rps;
}

async function call(port: number, argv: string[]): Promise<void> {
  const c = await RespClient.connect(port);
  try {
    const r = await c.call(argv, 120_000);
    if (r.t === 'error') throw new Error(`${argv.join(' ')}: ${r.v}`);
  } finally {
    c.close();
  }
}

async function throughput(quick: boolean, log: (m: string) => void): Promise<Row[]> {
  const pair = await startPair(PORT);
  const rows: Row[] = [];
  try {
    for (const pipeline of [1, 16]) {
      const n = String((quick ? 10_000 : 100_000) * (pipeline === 1 ? 1 : 4));
      const label = pipeline === 1 ? '' : ' -P16';
      const common = ['-c', '50', '-n', n, '-P', String(pipeline)];
      const key = `s${pipeline}`;
      const xadd = ['XADD', key, '*', 'field', 'value'];
      const xreadgroup = ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', key, '>'];
      const res: Record<string, { redis: number; engine: number }> = {};
      // One server at a time: the two cores are shared with redis-benchmark.
      for (const side of ['redis', 'engine'] as const) {
        const port = pair[side].port;
        log(`redis-benchmark ${common.join(' ')} ${xadd.join(' ')} (${side})`);
        const a = await benchCommand(port, common, xadd);
        await call(port, ['XGROUP', 'CREATE', key, 'g', '0']);
        log(`redis-benchmark ${common.join(' ')} ${xreadgroup.join(' ')} (${side})`);
        const b = await benchCommand(port, common, xreadgroup);
        (res.XADD ??= { redis: 0, engine: 0 })[side] = a;
        (res.XREADGROUP ??= { redis: 0, engine: 0 })[side] = b;
      }
      for (const [metric, v] of Object.entries(res)) rows.push({ metric: metric + label, engine: v.engine, redis: v.redis, unit: 'req/s', higherIsBetter: true });
    }
  } finally {
    await pair.stop();
  }
  return rows;
}

async function memory(quick: boolean, log: (m: string) => void): Promise<Row[]> {
  const entries = quick ? ENTRIES / 10 : ENTRIES;
  const pair = await startPair(PORT + 2);
  try {
    const idle = { engine: rssBytes(pair.engine.pid), redis: rssBytes(pair.redis.pid) };
    for (const p of [pair.redis, pair.engine]) {
      log(`loading ${entries} stream entries into port ${p.port}`);
      await benchCommand(p.port, ['-c', '50', '-P', '16', '-n', String(entries)], ['XADD', 'mem', '*', 'field', 'value']);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const full = { engine: rssBytes(pair.engine.pid), redis: rssBytes(pair.redis.pid) };
    const capped = await cappedEngineGrowth(entries, log);
    const mb = (b: number) => Math.round(b / 1024 / 102.4) / 10;
    const m = entries / 1e6;
    const redisGrowth = mb(full.redis - idle.redis);
    return [
      { metric: `RSS with ${m}M stream entries`, engine: mb(full.engine), redis: mb(full.redis), unit: 'MB', higherIsBetter: false },
      { metric: `RSS growth for ${m}M stream entries`, engine: mb(full.engine - idle.engine), redis: redisGrowth, unit: 'MB', higherIsBetter: false },
      { metric: `RSS growth for ${m}M entries, semi-space 2`, engine: mb(capped), redis: redisGrowth, unit: 'MB', higherIsBetter: false },
    ];
  } finally {
    await pair.stop();
  }
}

/** The same load on an engine started with NODE_OPTIONS=--max-semi-space-size=2; its RSS growth. */
async function cappedEngineGrowth(entries: number, log: (m: string) => void): Promise<number> {
  const saved = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${saved ?? ''} --max-semi-space-size=2`.trim();
  const engine = await startEngine(PORT + 4).finally(() => {
    if (saved === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved;
  });
  try {
    const idle = rssBytes(engine.pid);
    log(`loading ${entries} stream entries into port ${engine.port} (--max-semi-space-size=2)`);
    await benchCommand(engine.port, ['-c', '50', '-P', '16', '-n', String(entries)], ['XADD', 'mem', '*', 'field', 'value']);
    await new Promise((r) => setTimeout(r, 1000));
    return rssBytes(engine.pid) - idle;
  } finally {
    await engine.stop();
  }
}

export const streamsSection: BenchSection = {
  name: 'streams',
  description: 'XADD and XREADGROUP throughput (plain and -P 16), RSS for 1M stream entries',
  async run({ quick, log }) {
    return [...(await throughput(quick, log)), ...(await memory(quick, log))];
  },
};
