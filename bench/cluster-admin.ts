// Benchmark: `kvctl cluster create --replicas 2` vs `redis-cli --cluster create` on 9 fresh
// redis-server nodes over 127.0.0.1-3, and reshard throughput (keys/s) of both with one pipeline.
// Run: npx tsx bench/cluster-admin.ts   (needs `npm run build` and redis-server/redis-cli on PATH)
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster, Redis } from 'ioredis';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KVCTL = path.join(ROOT, 'bin', 'run.js');
const BASE = 19000; // PORTS.bench
const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const RESHARD_SLOTS = 2000;
const KEYS = 30_000;
const PIPELINE = 10;

interface Node { addr: string; host: string; port: number; child: ChildProcess; dir: string }

async function waitPort(host: string, port: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const ok = await new Promise<boolean>((res) => {
      const s = net.connect({ host, port }, () => { s.destroy(); res(true); });
      s.once('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server on ${host}:${port} did not start`);
}

async function startNodes(count: number): Promise<Node[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    const host = HOSTS[i % HOSTS.length]!;
    const port = BASE + i;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvctl-bench-'));
    const child = spawn('redis-server', ['--port', String(port), '--bind', host, '--bind-source-addr', host,
      '--protected-mode', 'no', '--save', '', '--appendonly', 'no', '--dir', dir, '--cluster-enabled', 'yes',
      '--cluster-config-file', path.join(dir, 'nodes.conf'), '--repl-diskless-sync', 'yes',
      '--repl-diskless-sync-delay', '0'], { stdio: 'ignore' });
    await waitPort(host, port);
    return { addr: `${host}:${port}`, host, port, child, dir };
  }));
}

async function stopNodes(nodes: Node[]): Promise<void> {
  await Promise.all(nodes.map((n) => new Promise<void>((res) => {
    if (n.child.exitCode !== null) return res();
    n.child.once('exit', () => res());
    n.child.kill('SIGKILL');
  })));
  for (const n of nodes) rmSync(n.dir, { recursive: true, force: true });
}

function run(cmd: string, args: string[]): number {
  const t = performance.now();
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return performance.now() - t;
}

async function replicasLinked(nodes: Node[]): Promise<void> {
  for (;;) {
    const states = await Promise.all(nodes.map(async (n) => {
      const r = new Redis({ host: n.host, port: n.port });
      const info = String(await r.info('replication'));
      r.disconnect();
      return !info.includes('role:slave') || info.includes('master_link_status:up');
    }));
    if (states.every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function benchCreate(tool: 'kvctl' | 'redis-cli'): Promise<{ ms: number; linkedMs: number; agreedMs?: number; readyMs?: number }> {
  const nodes = await startNodes(9);
  try {
    const addrs = nodes.map((n) => n.addr);
    const t = performance.now();
    if (tool === 'kvctl') {
      const out = execFileSync(process.execPath, [KVCTL, 'cluster', 'create', ...addrs, '--replicas', '2', '--yes', '--json']);
      const ms = performance.now() - t;
      const res = JSON.parse(String(out)) as { agreedMs: number; linkedMs: number; readyMs: number };
      return { ms, agreedMs: res.agreedMs, linkedMs: res.linkedMs, readyMs: res.readyMs };
    }
    const ms = run('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '2', '--cluster-yes']);
    await replicasLinked(nodes);
    return { ms, linkedMs: performance.now() - t };
  } finally {
    await stopNodes(nodes);
  }
}

async function benchReshard(tool: 'kvctl' | 'redis-cli'): Promise<{ ms: number; keys: number }> {
  const nodes = await startNodes(3);
  try {
    execFileSync(process.execPath, [KVCTL, 'cluster', 'create', ...nodes.map((n) => n.addr), '--yes', '--json']);
    const c = new Cluster([{ host: nodes[0]!.host, port: nodes[0]!.port }]);
    for (let i = 0; i < KEYS; i += 1000) await Promise.all(Array.from({ length: 1000 }, (_, j) => c.set(`k:${i + j}`, `v${i + j}`)));
    c.disconnect();
    const id = (n: Node) => execFileSync('redis-cli', ['-h', n.host, '-p', String(n.port), 'CLUSTER', 'MYID']).toString().trim();
    const [from, to] = [id(nodes[0]!), id(nodes[1]!)];
    const keysBefore = Number(execFileSync('redis-cli', ['-h', nodes[1]!.host, '-p', String(nodes[1]!.port), 'DBSIZE']).toString());
    const ms = tool === 'kvctl'
      ? run(process.execPath, [KVCTL, 'cluster', 'reshard', nodes[0]!.addr, '--from', from, '--to', to, '--slots', String(RESHARD_SLOTS), '--pipeline', String(PIPELINE), '--yes', '--json'])
      : run('redis-cli', ['--cluster', 'reshard', nodes[0]!.addr, '--cluster-from', from, '--cluster-to', to,
        '--cluster-slots', String(RESHARD_SLOTS), '--cluster-pipeline', String(PIPELINE), '--cluster-yes']);
    const keysAfter = Number(execFileSync('redis-cli', ['-h', nodes[1]!.host, '-p', String(nodes[1]!.port), 'DBSIZE']).toString());
    return { ms, keys: keysAfter - keysBefore };
  } finally {
    await stopNodes(nodes);
  }
}

const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
process.stdout.write('cluster create --replicas 2 on 9 fresh nodes (3 hosts)\n');
const kc = await benchCreate('kvctl');
const rc = await benchCreate('redis-cli');
process.stdout.write(`  kvctl:     every node agreed after ${f(kc.agreedMs!)}, replicas linked after ${f(kc.linkedMs)}, ` +
  `cluster_state ok after ${f(kc.readyMs!)}; ${f(kc.ms)} wall incl. node startup of the CLI\n`);
process.stdout.write(`  redis-cli: ${f(rc.ms)} wall (returns once nodes agree), replicas linked after ${f(rc.linkedMs)}\n`);
process.stdout.write(`  speed-up to agreement: ${(rc.ms / kc.agreedMs!).toFixed(1)}x; to replicas linked: ${(rc.linkedMs / kc.linkedMs).toFixed(1)}x; ` +
  `CLI wall vs wall: ${(rc.ms / kc.ms).toFixed(1)}x\n`);
process.stdout.write(`reshard ${RESHARD_SLOTS} slots, ${KEYS} keys in the cluster, pipeline ${PIPELINE}\n`);
const kr = await benchReshard('kvctl');
const rr = await benchReshard('redis-cli');
const rate = (r: { ms: number; keys: number }) => Math.round(r.keys / (r.ms / 1000));
process.stdout.write(`  kvctl:     ${kr.keys} keys in ${f(kr.ms)} = ${rate(kr)} keys/s\n`);
process.stdout.write(`  redis-cli: ${rr.keys} keys in ${f(rr.ms)} = ${rate(rr)} keys/s\n`);
process.stdout.write(`  ratio:     ${(rate(kr) / rate(rr)).toFixed(1)}x\n`);
