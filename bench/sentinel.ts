// Sentinel benchmark, engine sentinels against real Sentinel 7.0 in one run:
//  1. failover time: kill -9 of the master to SENTINEL GET-MASTER-ADDR-BY-NAME naming the new master,
//     down-after-milliseconds 1000, the same redis-server nodes under both kinds of sentinels
//     (three sentinels, quorum 2, Redis's default periods);
//  2. the unavailability window of `kvctl failover --coordinated` (pause of writes to the promoted
//     replica answering as a master): engine sentinels over engine nodes against real Sentinel over
//     redis-server nodes.
// Run: npm run bench -- sentinel [--quick] (ports 19500-19562).
import type { BenchOptions, BenchSection, Row } from './lib.js';
import { median } from './lib.js';
import { stopAll } from '../test/helpers/procs.js';
import { RespClient } from '../test/helpers/resp.js';
import { PORTS } from '../test/helpers/ports.js';
import { MASTER, startSentinelTopo, type Side } from '../test/integration/sentinel-kit.js';
import { coordinatedFailover } from '../src/admin/coordinated-failover.js';

const BASE = PORTS.bench + 500;

/** ms from kill -9 of the master to the first sentinel naming another master. */
async function killToNewMaster(sentinels: Side, base: number): Promise<number> {
  const t = await startSentinelTopo('redis', sentinels, base, undefined, { redisPeriods: true, downAfterMs: 1000 });
  const c = await RespClient.connect(t.sentinelPorts[0]);
  try {
    const t0 = performance.now();
    t.nodes[0].child.kill('SIGKILL');
    for (;;) {
      const r = await c.call(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER]);
      const port = r.t === 'array' && r.v ? Number((r.v[1] as { v: string }).v) : base;
      if (port !== base) return performance.now() - t0;
      if (performance.now() - t0 > 60_000) throw new Error('no failover within 60 s');
      await new Promise((res) => setTimeout(res, 5));
    }
  } finally {
    c.close();
    await stopAll();
  }
}

async function coordinatedWindow(side: Side, base: number): Promise<number> {
  const t = await startSentinelTopo(side, side, base, undefined, { redisPeriods: true, downAfterMs: 1000 });
  try {
    const r = await coordinatedFailover({ sentinel: `127.0.0.1:${t.sentinelPorts[0]}`, master: MASTER, timeoutMs: 30_000 });
    return r.unavailableMs;
  } finally {
    await stopAll();
  }
}

export const sentinelSection: BenchSection = {
  name: 'sentinel',
  description: 'kill -9 to new master (down-after 1000) and kvctl failover --coordinated window: engine sentinels against real Sentinel',
  async run(opts: BenchOptions): Promise<Row[]> {
    const runs = opts.quick ? 1 : 3;
    const fo: Record<Side, number[]> = { engine: [], redis: [] };
    const co: Record<Side, number[]> = { engine: [], redis: [] };
    for (let i = 0; i < runs; i++) {
      for (const side of ['engine', 'redis'] as Side[]) {
        fo[side].push(await killToNewMaster(side, BASE + (side === 'engine' ? 0 : 30)));
        opts.log(`kill -9 -> new master, ${side} sentinels: ${fo[side].at(-1)!.toFixed(0)} ms`);
        co[side].push(await coordinatedWindow(side, BASE + (side === 'engine' ? 0 : 30)));
        opts.log(`coordinated failover window, ${side}: ${co[side].at(-1)!.toFixed(0)} ms`);
      }
    }
    return [
      { metric: 'kill -9 master -> GET-MASTER-ADDR-BY-NAME names new master (down-after 1000, redis-server nodes)', engine: median(fo.engine), redis: median(fo.redis), unit: 'ms', higherIsBetter: false },
      { metric: 'kvctl failover --coordinated: writes unavailable (engine vs redis-server nodes+sentinels)', engine: median(co.engine), redis: median(co.redis), unit: 'ms', higherIsBetter: false },
    ];
  },
};
