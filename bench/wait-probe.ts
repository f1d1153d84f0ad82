// WAIT 1 latency tail (issue 20): the bench's loop (SET, then WAIT 1 1000, one client) on a master with
// one replica, printing the percentiles, the slow WAITs' times (ms since the loop started) and the
// gaps between them, to tell periodic causes (cron, heartbeats) from GC or scheduling, and each
// process's CPU per pair, run-queue wait and preemptions over the loop (schedstat).
//   flock /work/wt/bench.lock npx tsx bench/wait-probe.ts --kind engine|redis [--replica-kind engine|redis]
//     [--n 3000] [--warm N] (N SET+WAIT pairs first, not measured) [--node-flags "--trace-gc"]
// One server kind per run: bench/durable.ts's WAIT rows compare the two in interleaved blocks.
// Ports 19890-19891.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { ENGINE_MAIN, tmpDir, waitForPort } from '../test/helpers/procs.js';
import { RespClient } from '../test/helpers/resp.js';
import { childEnv } from '../src/orchestrator/engines.js';
import { ENGINE_NODE_FLAGS } from '../src/engine/v8-flags.cjs';
import { schedOf, type Sched } from './lib.js';

const arg = (n: string, d: string) => { const i = process.argv.indexOf(n); return i >= 0 ? process.argv[i + 1]! : d; };
const KIND = arg('--kind', 'engine');
/** --replica-kind: the replica's kind when it differs (which side a tail comes from). */
const REPLICA_KIND = arg('--replica-kind', KIND);
const N = Number(arg('--n', '3000'));
const WARM = Number(arg('--warm', '0'));
/** Extra node flags for engine processes (after the engine's own ENGINE_NODE_FLAGS). */
const NODE_FLAGS = arg('--node-flags', '').split(' ').filter(Boolean);
const PORT = 19890;

const procs: { child: ChildProcess; dir: string }[] = [];
function start(port: number, extra: string[], kind = KIND): void {
  const dir = tmpDir('kvctl-wait-');
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extra];
  const child = kind === 'engine'
    ? spawn(process.execPath, [...ENGINE_NODE_FLAGS, ...NODE_FLAGS, ENGINE_MAIN, ...common], { cwd: dir, stdio: NODE_FLAGS.length ? ['ignore', 'inherit', 'inherit'] : 'ignore', env: childEnv() })
    : spawn('redis-server', common, { cwd: dir, stdio: 'ignore' });
  procs.push({ child, dir });
}
try {
  start(PORT, []);
  start(PORT + 1, ['--replicaof', '127.0.0.1', String(PORT)], REPLICA_KIND);
  await Promise.all([waitForPort(PORT), waitForPort(PORT + 1)]);
  const r = await RespClient.connect(PORT + 1);
  for (;;) {
    const info = await r.call(['INFO', 'replication']);
    if ('v' in info && String(info.v).includes('master_link_status:up')) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  r.close();
  const c = await RespClient.connect(PORT);
  for (let i = 0; i < WARM; i++) {
    await c.call(['SET', `w:${i % 100}`, String(i)]);
    await c.call(['WAIT', '1', '1000']);
  }
  const us: number[] = [];
  const at: number[] = [];
  const setUs: number[] = [];
  const pids = procs.map((p) => p.child.pid!);
  const sched0 = pids.map(schedOf);
  const t0 = performance.now();
  if (NODE_FLAGS.length) console.log('=== LOOP START');
  for (let i = 0; i < N; i++) {
    const ts = performance.now();
    await c.call(['SET', `w:${i % 100}`, String(i)]);
    const t = performance.now();
    setUs.push((t - ts) * 1000);
    const rep = await c.call(['WAIT', '1', '1000']);
    us.push((performance.now() - t) * 1000);
    at.push(t - t0);
    if (rep.t !== 'int' || rep.v !== '1') throw new Error(`WAIT: ${JSON.stringify(rep)}`);
  }
  if (NODE_FLAGS.length) console.log('=== LOOP END');
  const sched1 = pids.map(schedOf);
  c.close();
  const sorted = [...us].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.floor(sorted.length * q)]!.toFixed(0);
  console.log(`${KIND} master, ${REPLICA_KIND} replica: loop ${(performance.now() - t0).toFixed(0)} ms; WAIT µs p50 ${p(0.5)} p90 ${p(0.9)} p99 ${p(0.99)} max ${sorted[sorted.length - 1]!.toFixed(0)}`);
  const slowAt = sorted[Math.floor(sorted.length * 0.98)]!;
  const slow = us.map((u, i) => [at[i]!, u, setUs[i]!] as const).filter(([, u]) => u >= slowAt);
  // A slow WAIT after a fast SET points at the ACK path; a slow SET too, at a stalled process or box.
  console.log(`slowest 2% (>= ${slowAt.toFixed(0)} µs) as ms:waitµs/setµs: ${slow.map(([t, u, st]) => `${t.toFixed(0)}:${u.toFixed(0)}/${st.toFixed(0)}`).join(' ')}`);
  const setSorted = [...setUs].sort((a, b) => a - b);
  // A process that waits for a CPU while its reply is due makes a slow sample as surely as GC does.
  const per = (a: Sched, b: Sched) => `CPU ${((b.cpuNs - a.cpuNs) / 1000 / N).toFixed(1)} µs/pair, run-queue wait ${((b.waitNs - a.waitNs) / 1e6).toFixed(1)} ms, ${b.nonvoluntary - a.nonvoluntary} preemptions`;
  console.log(`master: ${per(sched0[0]!, sched1[0]!)}; replica: ${per(sched0[1]!, sched1[1]!)}`);
  console.log(`SET µs p50 ${setSorted[Math.floor(N / 2)]!.toFixed(0)} p99 ${setSorted[Math.floor(N * 0.99)]!.toFixed(0)}`);
} finally {
  // With --node-flags, SIGTERM first: --cpu-prof and the like write their files only on a clean exit.
  await Promise.all(procs.map(async (p) => {
    if (NODE_FLAGS.length && p.child.exitCode === null) {
      const gone = new Promise((res) => p.child.once('exit', res));
      p.child.kill('SIGTERM');
      await Promise.race([gone, new Promise((res) => setTimeout(res, 5000))]);
    }
    try { p.child.kill('SIGKILL'); } catch { /* gone */ }
    rmSync(p.dir, { recursive: true, force: true });
  }));
}
