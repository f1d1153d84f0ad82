// Streams section: XADD and XREADGROUP throughput with redis-benchmark (50 clients, one request per
// round trip, then pipelined by 16), with each server's CPU time per request beside it (it moves far
// less with the box's load than requests per second do), and RSS holding 1M stream entries (absolute,
// and the growth over the idle process, which is what the entries cost), also for an engine whose
// young generation is capped (--max-semi-space-size=4: V8's semi-spaces grow to 16 MB each under
// load and never shrink, ~30 MB of the engine's growth). Ports 19760-19769.
import { redisBenchmark, redisBenchmarkCpu, rssBytes, startPair, type BenchSection, type Row } from './lib.js';
import { RespClient } from '../test/helpers/resp.js';
import { startEngine } from '../test/helpers/procs.js';

const PORT = 19760;
const ENTRIES = 1_000_000;
/** --max-semi-space-size (MB) of the capped engine: 4 costs no measurable throughput (1-2 do). */
const SEMI_SPACE = 4;

/** redis-benchmark running one custom command; requests per second. */
async function benchCommand(port: number, opts: string[], argv: string[]): Promise<number> {
  const rps = [...(await redisBenchmark(port, [...opts, ...argv])).values()][0];
  if (rps === undefined) throw new Error(`redis-benchmark ${argv.join(' ')} reported nothing`);
  return rps;
}

/** benchCommand, and the server's CPU microseconds per request over the run. */
async function benchCpu(port: number, pid: number, opts: string[], argv: string[], requests: number): Promise<[rps: number, cpuUs: number]> {
  const { results, cpuUs } = await redisBenchmarkCpu({ port, pid }, [...opts, ...argv], requests);
  const rps = [...results.values()][0];
  if (rps === undefined) throw new Error(`redis-benchmark ${argv.join(' ')} reported nothing`);
  return [rps, cpuUs];
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
    // The same warm-up on both servers (on a key of its own), so the engine's rows are not V8 still
    // compiling the stream paths: a fresh engine spends 2-3 µs more CPU per request over its first 100k.
    for (const side of ['redis', 'engine'] as const) {
      const warm = ['-c', '50', '-n', String(quick ? 5_000 : 50_000)];
      await benchCommand(pair[side].port, warm, ['XADD', 'warm', '*', 'field', 'value']);
      await call(pair[side].port, ['XGROUP', 'CREATE', 'warm', 'g', '0']);
      await benchCommand(pair[side].port, warm, ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 'warm', '>']);
    }
    for (const pipeline of [1, 16]) {
      const n = (quick ? 10_000 : 100_000) * (pipeline === 1 ? 1 : 4);
      const label = pipeline === 1 ? '' : ' -P16';
      const common = ['-c', '50', '-n', String(n), '-P', String(pipeline)];
      const key = `s${pipeline}`;
      const xadd = ['XADD', key, '*', 'field', 'value'];
      const xreadgroup = ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', key, '>'];
      type Side = { redis: number; engine: number };
      const res: Record<string, { rps: Side; cpu: Side }> = {};
      const put = (metric: string, side: keyof Side, [rps, cpu]: [number, number]) => {
        const r = (res[metric] ??= { rps: { redis: 0, engine: 0 }, cpu: { redis: 0, engine: 0 } });
        r.rps[side] = rps;
        r.cpu[side] = Math.round(cpu * 10) / 10;
      };
      // One server at a time: the two cores are shared with redis-benchmark.
      for (const side of ['redis', 'engine'] as const) {
        const { port, pid } = pair[side];
        log(`redis-benchmark ${common.join(' ')} ${xadd.join(' ')} (${side})`);
        put('XADD', side, await benchCpu(port, pid, common, xadd, n));
        await call(port, ['XGROUP', 'CREATE', key, 'g', '0']);
        log(`redis-benchmark ${common.join(' ')} ${xreadgroup.join(' ')} (${side})`);
        put('XREADGROUP', side, await benchCpu(port, pid, common, xreadgroup, n));
      }
      for (const [metric, v] of Object.entries(res)) {
        rows.push({ metric: metric + label, engine: v.rps.engine, redis: v.rps.redis, unit: 'req/s', higherIsBetter: true });
        rows.push({ metric: `${metric}${label} CPU`, engine: v.cpu.engine, redis: v.cpu.redis, unit: 'µs/req', higherIsBetter: false });
      }
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
      { metric: `RSS growth for ${m}M entries, semi-space ${SEMI_SPACE}`, engine: mb(capped), redis: redisGrowth, unit: 'MB', higherIsBetter: false },
    ];
  } finally {
    await pair.stop();
  }
}

/** The same load on an engine started with NODE_OPTIONS=--max-semi-space-size=SEMI_SPACE; its RSS growth. */
async function cappedEngineGrowth(entries: number, log: (m: string) => void): Promise<number> {
  const saved = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${saved ?? ''} --max-semi-space-size=${SEMI_SPACE}`.trim();
  const engine = await startEngine(PORT + 4).finally(() => {
    if (saved === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved;
  });
  try {
    const idle = rssBytes(engine.pid);
    log(`loading ${entries} stream entries into port ${engine.port} (--max-semi-space-size=${SEMI_SPACE})`);
    await benchCommand(engine.port, ['-c', '50', '-P', '16', '-n', String(entries)], ['XADD', 'mem', '*', 'field', 'value']);
    await new Promise((r) => setTimeout(r, 1000));
    return rssBytes(engine.pid) - idle;
  } finally {
    await engine.stop();
  }
}

export const streamsSection: BenchSection = {
  name: 'streams',
  description: 'XADD and XREADGROUP throughput and CPU per request (plain and -P 16), RSS for 1M stream entries',
  async run({ quick, log }) {
    return [...(await throughput(quick, log)), ...(await memory(quick, log))];
  },
};
