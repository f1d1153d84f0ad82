// Cluster benchmark, engine against redis-server 7.0 under the same steps, in one run:
//  1. convergence: time from the last CLUSTER MEET until every node agrees (all nodes known, no
//     handshake, the same slot map everywhere: redis-cli's "All nodes agree" signature);
//  2. failover: time from kill -9 of a master until every live node reports cluster_state:ok with
//     a replica promoted (cluster-node-timeout 1000);
//  3. the idle bus's CPU: % of a core per node (user+sys from /proc) over a few seconds of a 6-node
//     cluster doing nothing but its cluster bus (pings, pongs, gossip);
//  4. redis-benchmark --cluster SET/GET throughput on 3 masters.
// Run: npm run bench -- cluster [--quick], or npx tsx bench/cluster.ts (ports 19700-19705 and their
// bus ports, in the bench block).
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { cpuSeconds, type BenchOptions, type BenchSection, type Row } from './lib.js';
import { startEngine, startRedis, stopAll, type Proc } from '../test/helpers/procs.js';
import { RespClient } from '../test/helpers/resp.js';
import { PORTS } from '../test/helpers/ports.js';

const BASE = PORTS.bench + 700;
const FLAGS = ['--cluster-enabled', 'yes', '--cluster-node-timeout', '1000', '--repl-diskless-sync-delay', '0', '--cluster-replica-validity-factor', '0'];
type Kind = 'engine' | 'redis';

async function cmd(port: number, ...argv: string[]): Promise<string> {
  const c = await RespClient.connect(port);
  try {
    const r = await c.call(argv);
    if (r.t === 'error') throw new Error(`${argv.join(' ')} on ${port}: ${r.v}`);
    return 'v' in r ? String(r.v) : '';
  } finally {
    c.close();
  }
}

/** redis-cli's agreement signature: each master's id and slots, sorted. */
function signature(nodesText: string): string {
  return nodesText.trim().split('\n').map((l) => l.split(' ')).filter((f) => f[2].includes('master') && f.length > 8)
    .map((f) => `${f[0]}:${f.slice(8).join(',')}`).sort().join('|');
}

async function until(fn: () => Promise<boolean>, timeoutMs = 30_000, what = 'a condition'): Promise<number> {
  const t0 = performance.now();
  while (!(await fn().catch(() => false))) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - t0;
}

async function start(kind: Kind, n: number): Promise<Proc[]> {
  const s = kind === 'engine' ? startEngine : startRedis;
  return Promise.all(Array.from({ length: n }, (_, i) => s(BASE + i, { args: FLAGS })));
}

/** 6 nodes: 3 masters with a third of the slots each, then MEET; returns ms until agreement. */
async function converge(ports: number[]): Promise<number> {
  const third = Math.ceil(16384 / 3);
  for (let i = 0; i < 3; i++) await cmd(ports[i], 'CLUSTER', 'ADDSLOTSRANGE', String(i * third), String(Math.min(16383, (i + 1) * third - 1)));
  for (let i = 0; i < ports.length; i++) await cmd(ports[i], 'CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1));
  for (const p of ports.slice(1)) await cmd(p, 'CLUSTER', 'MEET', '127.0.0.1', String(ports[0]));
  return until(async () => {
    const views = await Promise.all(ports.map((p) => cmd(p, 'CLUSTER', 'NODES')));
    const sig = signature(views[0]);
    return views.every((v) => v.trim().split('\n').length === ports.length && !v.includes('handshake') && signature(v) === sig && sig.split('|').length === 3);
  }, 30_000, 'every node to agree');
}

/** Replicas 3..5 follow masters 0..2; resolves once every node is ok and sees the 3 replicas. */
async function attachReplicas(ports: number[]): Promise<void> {
  for (let i = 0; i < 3; i++) await cmd(ports[i + 3], 'CLUSTER', 'REPLICATE', await cmd(ports[i], 'CLUSTER', 'MYID'));
  await until(async () => (await Promise.all(ports.map((p) => cmd(p, 'CLUSTER', 'INFO')))).every((t) => t.includes('cluster_state:ok'))
    && (await cmd(ports[0], 'CLUSTER', 'NODES')).split('\n').filter((l) => l.includes(' slave ')).length === 3, 60_000, 'replicas attached');
}

/** Mean % of one core per node while the cluster idles for `ms`. */
async function idleBusCpu(nodes: Proc[], ms: number): Promise<number> {
  const before = nodes.map((p) => cpuSeconds(p.pid));
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const secs = (performance.now() - t0) / 1000;
  const used = nodes.map((p, i) => cpuSeconds(p.pid) - before[i]);
  return (used.reduce((a, b) => a + b, 0) / nodes.length / secs) * 100;
}

/** kill -9 master 0; ms until the others are ok with a new owner of its slots. */
async function failover(nodes: Proc[]): Promise<number> {
  const ports = nodes.map((p) => p.port);
  const live = ports.filter((p) => p !== ports[0]);
  const victim = await cmd(ports[0], 'CLUSTER', 'MYID');
  await nodes[0].stop();
  let sawFail = false;
  return until(async () => {
    const infos = await Promise.all(live.map((p) => cmd(p, 'CLUSTER', 'INFO')));
    if (infos.some((t) => t.includes('cluster_state:fail'))) sawFail = true;
    const owner = (await cmd(live[0], 'CLUSTER', 'NODES')).split('\n').find((l) => / 0-/.test(l) && l.includes('master') && !l.includes('fail'));
    return sawFail && infos.every((t) => t.includes('cluster_state:ok')) && owner !== undefined && !owner.startsWith(victim);
  }, 60_000, 'the failover');
}

function benchmark(port: number, pipeline: number, requests: number): Record<string, number> {
  const out = execFileSync('redis-benchmark', ['--cluster', '-h', '127.0.0.1', '-p', String(port), '-t', 'set,get', '-n', String(requests), '-c', '50', '-P', String(pipeline), '-r', '100000', '--csv'], { encoding: 'utf8' });
  const rps: Record<string, number> = {};
  for (const l of out.trim().split('\n')) {
    const f = l.split(',').map((x) => x.replace(/"/g, ''));
    if (f[0] === 'SET' || f[0] === 'GET') rps[f[0]] = Number(f[1]);
  }
  return rps;
}

async function run(kind: Kind, opts: BenchOptions) {
  const requests = opts.quick ? 20_000 : 200_000;
  const nodes = await start(kind, 6);
  try {
    const convergeMs = await converge(nodes.map((p) => p.port));
    opts.log(`${kind}: agreement ${convergeMs.toFixed(0)} ms after the last MEET`);
    await attachReplicas(nodes.map((p) => p.port));
    const busCpu = await idleBusCpu(nodes, opts.quick ? 3000 : 10_000);
    opts.log(`${kind}: idle bus ${busCpu.toFixed(2)}% of a core per node (6 nodes)`);
    const failoverMs = await failover(nodes);
    opts.log(`${kind}: cluster_state:ok ${failoverMs.toFixed(0)} ms after kill -9 of a master`);
    await stopAll();
    const trio = await start(kind, 3);
    const ports = trio.map((p) => p.port);
    execFileSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-yes']);
    await until(async () => (await Promise.all(ports.map((p) => cmd(p, 'CLUSTER', 'INFO')))).every((t) => t.includes('cluster_state:ok')), 60_000, 'the 3-master cluster to be ok');
    return { convergeMs, failoverMs, busCpu, p1: benchmark(ports[0], 1, requests), p16: benchmark(ports[0], 16, requests * 5) };
  } finally {
    await stopAll();
  }
}

export const clusterSection: BenchSection = {
  name: 'cluster',
  description: 'cluster convergence, failover time and --cluster throughput (3 masters)',
  async run(opts) {
    const redis = await run('redis', opts);
    const engine = await run('engine', opts);
    const rows: Row[] = [
      { metric: 'last MEET -> all nodes agree', engine: engine.convergeMs, redis: redis.convergeMs, unit: 'ms', higherIsBetter: false },
      { metric: 'kill -9 master -> cluster_state:ok', engine: engine.failoverMs, redis: redis.failoverMs, unit: 'ms', higherIsBetter: false },
      { metric: 'idle bus CPU per node (6 nodes)', engine: engine.busCpu, redis: redis.busCpu, unit: '% core', higherIsBetter: false },
    ];
    for (const p of ['p1', 'p16'] as const) {
      for (const t of ['SET', 'GET']) {
        rows.push({ metric: `--cluster ${t}${p === 'p16' ? ' -P16' : ''}`, engine: engine[p][t], redis: redis[p][t], unit: 'req/s', higherIsBetter: true });
      }
    }
    return rows;
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await clusterSection.run({ quick: process.argv.includes('--quick'), log: (m) => console.log(m), note: () => undefined });
  for (const r of rows) console.log(`${r.metric.padEnd(36)} engine ${r.engine.toFixed(0).padStart(8)}  redis ${r.redis.toFixed(0).padStart(8)} ${r.unit}  ratio ${(r.engine / r.redis).toFixed(2)}`);
}
