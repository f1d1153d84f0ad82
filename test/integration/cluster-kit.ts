// Helpers for the engine cluster tests: cluster-enabled engine nodes, redis-cli --cluster, polling
// CLUSTER INFO / NODES until a condition holds (never fixed sleeps).
import { execa } from 'execa';
import { Cluster, Redis } from 'ioredis';
import { rmSync } from 'node:fs';
import { startEngine, startRedis, tmpDir, type Proc } from '../helpers/procs.js';

export const clusterFlags = (timeoutMs = 2000): string[] => [
  '--cluster-enabled', 'yes', '--cluster-node-timeout', String(timeoutMs), '--repl-diskless-sync-delay', '0',
  '--cluster-replica-validity-factor', '0',
];

const dirs: string[] = [];

/** Starts engine nodes on consecutive ports, each in a dir that outlives the process (restarts keep nodes.conf). */
export function startClusterNodes(base: number, count: number, extra: string[] = []): Promise<Proc[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => {
    const dir = tmpDir('kvctl-cluster-');
    dirs.push(dir);
    return startEngine(base + i, { dir, args: [...clusterFlags(), ...extra] });
  }));
}

/** Starts redis-server cluster nodes on the given ports (same flags as the engine's). */
export function startRedisClusterNodes(ports: number[]): Promise<Proc[]> {
  return Promise.all(ports.map((p) => startRedis(p, { dir: tmpDir('kvctl-rcluster-'), args: clusterFlags() })));
}

export function restartNode(p: Proc): Promise<Proc> {
  return startEngine(p.port, { dir: p.dir, args: clusterFlags() });
}

/** Removes the nodes' dirs (after stopAll). */
export function removeDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export const addr = (port: number) => `127.0.0.1:${port}`;

export function redisCli(...args: string[]) {
  return execa('redis-cli', args, { reject: false, timeout: 90_000 });
}

export async function call(port: number, ...args: string[]): Promise<unknown> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    return await r.call(args[0], ...args.slice(1));
  } finally {
    r.disconnect();
  }
}

export async function clusterInfo(port: number): Promise<Record<string, string>> {
  const text = String(await call(port, 'CLUSTER', 'INFO'));
  return Object.fromEntries(text.trim().split('\r\n').map((l) => l.split(':') as [string, string]));
}

export async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      if (await fn()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** All given nodes report cluster_state:ok. */
export function clusterOk(ports: number[]): Promise<boolean> {
  return Promise.all(ports.map((p) => clusterInfo(p))).then((infos) => infos.every((i) => i.cluster_state === 'ok'));
}

export function clusterClient(port: number): Cluster {
  return new Cluster([{ host: '127.0.0.1', port }], { redisOptions: { maxRetriesPerRequest: 3 } });
}

/** Writes keys key:0..n-1 through a cluster client. */
export async function writeKeys(port: number, n: number, prefix = 'key'): Promise<void> {
  const c = clusterClient(port);
  try {
    for (let i = 0; i < n; i += 500) {
      await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, j) => c.set(`${prefix}:${i + j}`, `v${i + j}`)));
    }
  } finally {
    c.disconnect();
  }
}

/** Indexes of keys whose value is missing or wrong. */
export async function missingKeys(port: number, n: number, prefix = 'key'): Promise<number[]> {
  const c = clusterClient(port);
  const bad: number[] = [];
  try {
    for (let i = 0; i < n; i += 500) {
      const vals = await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, j) => c.get(`${prefix}:${i + j}`)));
      vals.forEach((v, j) => { if (v !== `v${i + j}`) bad.push(i + j); });
    }
  } finally {
    c.disconnect();
  }
  return bad;
}
