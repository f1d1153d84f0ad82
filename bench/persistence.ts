// Persistence benchmark against redis-server, in one run: SAVE and load time for 1M keys (ratio), and
// GET p99 under redis-benchmark load with and without a BGSAVE + BGREWRITEAOF running.
// Run: npm run build && npx tsx bench/persistence.ts [keys]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startEngine, startRedis, stopAll, tmpDir, type Proc } from '../test/helpers/procs.js';
import { RespClient } from '../test/helpers/resp.js';
import { PORTS } from '../test/helpers/ports.js';

const KEYS = Number(process.argv[2] ?? 1_000_000);
const P = PORTS.persistence + 900;

async function timed(c: RespClient, argv: string[]): Promise<number> {
  const t = performance.now();
  const r = await c.call(argv, 600_000);
  if (r.t === 'error') throw new Error(`${argv.join(' ')}: ${r.v}`);
  return (performance.now() - t) / 1000;
}

function loadSeconds(p: Proc): number {
  const m = /DB loaded from disk: ([\d.]+) seconds/.exec(p.output() + (fs.existsSync(path.join(p.dir, 'log')) ? fs.readFileSync(path.join(p.dir, 'log'), 'utf8') : ''));
  if (!m) throw new Error(`no load line in output of ${p.pid}`);
  return Number(m[1]);
}

async function waitReady(c: RespClient): Promise<void> {
  for (;;) {
    const r = (await c.call(['INFO', 'persistence'], 60_000)) as { v: string };
    if (typeof r.v === 'string' && /^loading:0\r$/m.test(r.v) && r.v.includes('rdb_bgsave_in_progress:0') && r.v.includes('aof_rewrite_in_progress:0')) return;
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** redis-benchmark GET for `n` requests; returns p99 in ms (its CSV output). */
function benchGet(port: number, n: number): Promise<{ rps: number; p99: number }> {
  return new Promise((resolve, reject) => {
    const b = spawn('redis-benchmark', ['-p', String(port), '-t', 'get', '-n', String(n), '-c', '50', '-r', String(KEYS), '--csv']);
    let out = '';
    b.stdout.on('data', (d: Buffer) => (out += d.toString()));
    b.on('exit', () => {
      const line = out.trim().split('\n').find((l) => l.startsWith('"GET"'));
      if (!line) return reject(new Error(`redis-benchmark output: ${out}`));
      const f = line.split(',').map((x) => Number(x.replace(/"/g, '')));
      resolve({ rps: f[1], p99: f[6] });
    });
  });
}

async function latency(port: number, withJobs: boolean): Promise<{ rps: number; p99: number }> {
  const c = await RespClient.connect(port);
  await waitReady(c);
  let done = false;
  const run = benchGet(port, 300_000).finally(() => (done = true));
  let jobs = 0;
  // keep a background job running for the whole benchmark, alternating BGSAVE and BGREWRITEAOF
  const loop = (async () => {
    while (withJobs && !done) {
      await waitReady(c);
      if (done) break;
      const r = await c.call([jobs % 2 ? 'BGREWRITEAOF' : 'BGSAVE'], 60_000);
      if (r.t === 'error') throw new Error(r.v);
      jobs++;
    }
  })();
  const res = await run;
  await loop;
  c.close();
  if (withJobs) process.stdout.write(`    (${jobs} background jobs started during the run)\n`);
  return res;
}

async function main(): Promise<void> {
  const rdir = tmpDir('kvctl-bench-');
  const redis = await startRedis(P, { dir: rdir, args: ['--logfile', 'log', '--enable-debug-command', 'yes'] });
  const rc = await RespClient.connect(P);
  await timed(rc, ['DEBUG', 'POPULATE', String(KEYS)]);
  const redisSave = await timed(rc, ['SAVE']);
  rc.close();
  const edir = tmpDir('kvctl-bench-');
  fs.copyFileSync(path.join(rdir, 'dump.rdb'), path.join(edir, 'dump.rdb'));
  await redis.stop();
  const redis2 = await startRedis(P, { dir: rdir, args: ['--logfile', 'log'] });
  const rc2 = await RespClient.connect(P);
  await waitReady(rc2);
  const redisLoad = loadSeconds(redis2);
  const engine = await startEngine(P + 1, { dir: edir });
  const ec = await RespClient.connect(P + 1);
  await waitReady(ec);
  const engineLoad = loadSeconds(engine);
  const engineSave = await timed(ec, ['SAVE']);
  execFileSync('redis-check-rdb', [path.join(edir, 'dump.rdb')]);
  const size = fs.statSync(path.join(edir, 'dump.rdb')).size;
  ec.close();
  rc2.close();
  const r2 = (a: number, b: number) => (a / b).toFixed(2);
  process.stdout.write(`persistence, ${KEYS} keys (dump.rdb ${(size / 1e6).toFixed(1)} MB)\n`);
  process.stdout.write(`  SAVE: engine ${engineSave.toFixed(3)} s, redis-server ${redisSave.toFixed(3)} s, ratio ${r2(engineSave, redisSave)}\n`);
  process.stdout.write(`  load: engine ${engineLoad.toFixed(3)} s, redis-server ${redisLoad.toFixed(3)} s, ratio ${r2(engineLoad, redisLoad)}\n`);
  for (const [name, port] of [['engine', P + 1], ['redis-server', P]] as const) {
    const idle = await latency(port, false);
    const busy = await latency(port, true);
    process.stdout.write(`  GET p99 ${name}: idle ${idle.p99} ms (${idle.rps} rps), during BGSAVE/BGREWRITEAOF ${busy.p99} ms (${busy.rps} rps), ratio ${r2(busy.p99, idle.p99)}\n`);
  }
}

main()
  .catch((e: Error) => {
    process.stderr.write(`${e.stack}\n`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
