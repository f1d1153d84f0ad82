// Replication against redis-server, side by side: full-sync time of 1M keys master -> replica
// (engine -> engine and redis -> redis), and the replication lag (master_repl_offset minus the
// replica's slave_repl_offset, sampled) while redis-benchmark writes to the master.
// Ports 13900-13909 (the replication block's bench range). `npm run bench -- replication`.
import { RespClient } from '../test/helpers/resp.js';
import { PORTS } from '../test/helpers/ports.js';
import { startEngine, startRedis, type Proc } from '../test/helpers/procs.js';
import { pipelineLoad, redisBenchmark, type BenchOptions, type BenchSection, type Row } from './lib.js';

const BASE = PORTS.replication + 900;
const ARGS = ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'];

async function replInfo(c: RespClient): Promise<Record<string, string>> {
  const r = await c.call(['INFO', 'replication'], 60_000);
  if (r.t !== 'bulk' || r.v === null) throw new Error(`INFO replication: ${JSON.stringify(r)}`);
  return Object.fromEntries(r.v.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
}

interface Measured {
  syncSeconds: number;
  setRps: number;
  maxLag: number;
  meanLag: number;
}

async function measure(start: (port: number, args: string[]) => Promise<Proc>, port: number, keys: number, writes: number, log: (m: string) => void): Promise<Measured> {
  const master = await start(port, ARGS);
  const replica = await start(port + 1, ARGS);
  try {
    await pipelineLoad(port, keys, (i) => ['SET', `key:${i}`, `value:${i}`]);
    const mc = await RespClient.connect(port);
    const rc = await RespClient.connect(port + 1);
    const t0 = performance.now();
    await rc.call(['REPLICAOF', '127.0.0.1', String(port)]);
    for (;;) {
      const i = await replInfo(rc);
      if (i.master_link_status === 'up') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const syncSeconds = (performance.now() - t0) / 1000;
    log(`full sync of ${keys} keys: ${syncSeconds.toFixed(2)} s`);
    const lags: number[] = [];
    let done = false;
    const sampler = (async () => {
      while (!done) {
        // Replica first, then master: the difference can only overstate the lag, never go negative.
        const s = await replInfo(rc);
        const m = await replInfo(mc);
        lags.push(Number(m.master_repl_offset) - Number(s.slave_repl_offset));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const rps = await redisBenchmark(port, ['-t', 'set', '-n', String(writes), '-c', '50', '-P', '16', '-r', '100000']).finally(() => (done = true));
    await sampler;
    mc.close();
    rc.close();
    const maxLag = Math.max(0, ...lags);
    const meanLag = lags.reduce((a, b) => a + b, 0) / Math.max(1, lags.length);
    log(`SET ${Math.round(rps.get('SET') ?? 0)} rps with a replica; lag max ${maxLag} B, mean ${Math.round(meanLag)} B over ${lags.length} samples`);
    return { syncSeconds, setRps: rps.get('SET') ?? 0, maxLag, meanLag };
  } finally {
    await Promise.all([master.stop(), replica.stop()]);
  }
}

export const replicationSection: BenchSection = {
  name: 'replication',
  description: 'full sync of 1M keys and replication lag under a SET load',
  async run({ quick, log }: BenchOptions): Promise<Row[]> {
    const keys = quick ? 100_000 : 1_000_000;
    const writes = quick ? 100_000 : 1_000_000;
    log('redis-server -> redis-server');
    const redis = await measure((p, a) => startRedis(p, { args: a }), BASE, keys, writes, log);
    log('engine -> engine');
    const engine = await measure((p, a) => startEngine(p, { args: a }), BASE + 2, keys, writes, log);
    return [
      { metric: `full sync ${keys / 1e6}M keys`, engine: engine.syncSeconds, redis: redis.syncSeconds, unit: 's', higherIsBetter: false },
      { metric: 'SET -P16 with a replica', engine: engine.setRps, redis: redis.setRps, unit: 'rps', higherIsBetter: true },
      { metric: 'replication lag max', engine: engine.maxLag, redis: redis.maxLag, unit: 'B', higherIsBetter: false },
      { metric: 'replication lag mean', engine: engine.meanLag, redis: redis.meanLag, unit: 'B', higherIsBetter: false },
    ];
  },
};
