// CPU an idle engine cluster node spends on its bus (issue 14): 3 masters + 3 replicas made by
// kvctl cluster create, then the on-CPU time of each node's threads (/proc/<pid>/task/*/schedstat) over a window in
// which nobody talks to the nodes. Prints ms of CPU per second per node (and the median). Run:
//   flock /work/wt/bench.lock npx tsx bench/cluster-idle-probe.ts [--timeout MS] [--seconds N]
//     [--rounds N]
// Ports 19870-19875 (bus 29870-29875).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { startEngine, stopAll, KVCTL_BIN, type Proc } from '../test/helpers/procs.js';
import { RespClient } from '../test/helpers/resp.js';

const arg = (n: string, d: string) => { const i = process.argv.indexOf(n); return i >= 0 ? process.argv[i + 1]! : d; };
const TIMEOUT = arg('--timeout', '5000');
const SECONDS = Number(arg('--seconds', '10'));
const ROUNDS = Number(arg('--rounds', '1'));
const BASE = 19870;

/**
 * [main thread, all threads] CPU ms of a process, from the scheduler's ns counters (schedstat):
 * /proc/<pid>/stat's 10 ms ticks cannot tell a few ms per second apart.
 */
function cpuMs(pid: number): [number, number] {
  const onCpu = (task: string) => Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  const all = readdirSync(`/proc/${pid}/task`).reduce((sum, t) => sum + onCpu(t), 0);
  return [onCpu(String(pid)), all];
}

async function clusterOk(port: number): Promise<boolean> {
  const c = await RespClient.connect(port);
  try { const r = await c.call(['CLUSTER', 'INFO']); return 'v' in r && String(r.v).includes('cluster_state:ok'); } finally { c.close(); }
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

let nodes: Proc[] = [];
try {
  nodes = await Promise.all(Array.from({ length: 6 }, (_, i) => startEngine(BASE + i, {
    args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', TIMEOUT, '--save', '', '--appendonly', 'no'],
  })));
  execFileSync(process.execPath, [KVCTL_BIN, 'cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--replicas', '1', '--yes', '--json'], { stdio: 'ignore' });
  for (let i = 0; !(await Promise.all(nodes.map((n) => clusterOk(n.port)))).every(Boolean); i++) {
    if (i > 1000) throw new Error('cluster not ok after 20 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 3000)); // replicas synced, start-up work done
  for (let round = 0; round < ROUNDS; round++) {
    const before = nodes.map((n) => cpuMs(n.pid));
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const used = nodes.map((n, i) => cpuMs(n.pid).map((x, j) => (x - before[i]![j]!) / SECONDS) as [number, number]);
    const perSec = used.map(([, all]) => all);
    console.log(`idle CPU ms/s per node (timeout ${TIMEOUT}): ${perSec.map((x) => x.toFixed(1)).join(' ')}; median ${median(perSec).toFixed(1)} ` +
      `(main thread ${median(used.map((x) => x[0])).toFixed(1)})`);
  }
} finally {
  await stopAll();
}
