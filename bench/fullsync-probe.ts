// Full sync of a 1M-key master to an empty replica (issue 20), two engine builds side by side: each
// round, for each build in turn, the replica drops its data (REPLICAOF NO ONE, FLUSHALL) and syncs
// again from the same master; ms from REPLICAOF until master_link_status:up (INFO polled every 5 ms).
// The bench's `replication` row is one such sync per run and moves by ±0.5 s between runs; this
// takes medians, with the CPU time master and replica spent on each sync (steadier than the wall time
// on a shared machine: it shows which side a change moved). Masters and replicas of one build are the
// same build.
// Run: npm run build && npx tsx bench/fullsync-probe.ts --before OTHER/dist/engine/main.cjs [--rounds N]
// Ports 19880-19883 (the durable bench block).
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { startEngine, stopAll, ENGINE_MAIN } from '../test/helpers/procs.js';
import { RespClient } from '../test/helpers/resp.js';
import { cpuNs, median, pipelineLoad } from './lib.js';

const { values } = parseArgs({ options: { before: { type: 'string' }, rounds: { type: 'string', default: '5' }, keys: { type: 'string', default: '1000000' } } });
const ROUNDS = Number(values.rounds);
const KEYS = Number(values.keys);
const ARGS = ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'];

async function linkUp(rc: RespClient): Promise<void> {
  for (;;) {
    const r = await rc.call(['INFO', 'replication']);
    if (r.t === 'bulk' && String(r.v).includes('master_link_status:up')) return;
    await new Promise((res) => setTimeout(res, 5));
  }
}

const builds = [{ name: 'after', main: ENGINE_MAIN }, ...(values.before ? [{ name: 'before', main: values.before }] : [])];
const pairs = [];
let port = 19880;
for (const b of builds) {
  const master = await startEngine(port, { args: ARGS, main: b.main });
  const replica = await startEngine(port + 1, { args: ARGS, main: b.main });
  await pipelineLoad(port, KEYS, (i) => ['SET', `key:${i}`, `value:${i}`]);
  const cpu = { master: [] as number[], replica: [] as number[] };
  pairs.push({ ...b, port, pids: { master: master.pid, replica: replica.pid }, cpu, rc: await RespClient.connect(port + 1), times: [] as number[] });
  port += 2;
}
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const p of r % 2 === 0 ? pairs : [...pairs].reverse()) {
      await p.rc.call(['REPLICAOF', 'NO', 'ONE']);
      await p.rc.call(['FLUSHALL']);
      const m0 = cpuNs(p.pids.master);
      const r0 = cpuNs(p.pids.replica);
      const t0 = performance.now();
      await p.rc.call(['REPLICAOF', '127.0.0.1', String(p.port)]);
      await linkUp(p.rc);
      p.times.push(Math.round(performance.now() - t0));
      p.cpu.master.push(Math.round((cpuNs(p.pids.master) - m0) / 1e6));
      p.cpu.replica.push(Math.round((cpuNs(p.pids.replica) - r0) / 1e6));
    }
  }
  for (const p of pairs) {
    console.log(`${p.name}: full sync of ${KEYS} keys, median ${median(p.times)} ms [${p.times.join(' ')}]  (${p.main})`);
    console.log(`  CPU per sync: master ${median(p.cpu.master)} ms [${p.cpu.master.join(' ')}], replica ${median(p.cpu.replica)} ms [${p.cpu.replica.join(' ')}]`);
  }
} finally {
  for (const p of pairs) p.rc.close();
  await stopAll();
}
