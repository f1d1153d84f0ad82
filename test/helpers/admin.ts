// Helpers for the cluster admin tests: fresh cluster-enabled nodes (real redis-server or the bundled
// engine) on chosen loopback hosts, a reset between scenarios (cheaper than new processes), and key
// fill/verify through ioredis.
import { Cluster, Redis } from 'ioredis';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { hasRedisServer, startEngine, startRedis, stopAll, tmpDir, type Proc } from './procs.js';

/** Which server the admin tests run over: real redis-server 7 or the bundled engine. */
export type NodeKind = 'redis' | 'engine';
export const KINDS: NodeKind[] = ['redis', 'engine'];
/** Skip redis-server cases where the binary is missing; the engine is always there (dist/). */
export const canRun = (kind: NodeKind) => kind === 'engine' || hasRedisServer();

export interface TestNode {
  addr: string;
  host: string;
  port: number;
  kind: NodeKind;
  proc: Proc;
}

export const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];

export function clusterArgs(dir: string, port: number): string[] {
  return [
    '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${port}.conf`),
    '--cluster-node-timeout', '2000', '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0',
    '--cluster-replica-validity-factor', '0', '--protected-mode', 'no',
  ];
}

/** Node dirs (nodes.conf, dump.rdb): they outlive the process so that a restart finds them. */
const dirs: string[] = [];

function startOne(kind: NodeKind, port: number, host: string, dir: string): Promise<Proc> {
  const start = kind === 'engine' ? startEngine : startRedis;
  // Outgoing connections must leave from the node's own address, as on a separate host.
  return start(port, { host, dir, args: [...clusterArgs(dir, port), '--bind-source-addr', host] });
}

/** Starts count nodes of the given kind from basePort, host i % hosts.length for node i. */
export async function startNodes(basePort: number, count: number, hosts = HOSTS.slice(0, 1), kind: NodeKind = 'redis'): Promise<TestNode[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    const port = basePort + i;
    const host = hosts[i % hosts.length]!;
    const dir = tmpDir('kvctl-admin-');
    dirs.push(dir);
    return { addr: `${host}:${port}`, host, port, kind, proc: await startOne(kind, port, host, dir) };
  }));
}

/** Kills a node and starts it again on its dir (same nodes.conf and dump.rdb), as after a crash. */
export async function restartNode(n: TestNode): Promise<void> {
  await n.proc.stop();
  n.proc = await startOne(n.kind, n.port, n.host, n.proc.dir);
}

/** Stops every process the file started and removes the nodes' dirs (afterAll). */
export async function stopNodes(): Promise<void> {
  await stopAll();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export async function withRedis<T>(addr: string, fn: (r: Redis) => Promise<T>): Promise<T> {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  const r = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

/** Empties and forgets everything so the same processes can form a new cluster. */
export async function resetNodes(nodes: TestNode[]): Promise<void> {
  await Promise.all(nodes.map((n) => withRedis(n.addr, async (r) => {
    await r.call('FLUSHALL').catch(() => undefined); // replicas refuse; reset empties them anyway
    await r.call('CLUSTER', 'RESET', 'HARD');
  })));
}

export function clusterClient(addr: string): Cluster {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  return new Cluster([{ host, port }], { redisOptions: { maxRetriesPerRequest: 3 } });
}

export const keyName = (i: number) => `key:${i}`;
export const valueOf = (i: number) => `value-${i}-${'x'.repeat(i % 50)}`;

/** Writes n keys through a cluster client, in parallel chunks. */
export async function fillKeys(addr: string, n: number): Promise<void> {
  const c = clusterClient(addr);
  try {
    for (let i = 0; i < n; i += 500) {
      await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, j) => c.set(keyName(i + j), valueOf(i + j))));
    }
  } finally {
    c.disconnect();
  }
}

/** Keys whose value is missing or wrong (read through a cluster client, which follows MOVED/ASK). */
export async function badKeys(addr: string, n: number): Promise<number[]> {
  const c = clusterClient(addr);
  const bad: number[] = [];
  try {
    for (let i = 0; i < n; i += 500) {
      const vals = await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, j) => c.get(keyName(i + j))));
      vals.forEach((v, j) => { if (v !== valueOf(i + j)) bad.push(i + j); });
    }
  } finally {
    c.disconnect();
  }
  return bad;
}

/** Sum of DBSIZE over the masters, read directly from each node. */
export async function totalKeysOnMasters(nodes: TestNode[]): Promise<number> {
  const sizes = await Promise.all(nodes.map((n) => withRedis(n.addr, async (r) => {
    const role = String(await r.call('ROLE').then((x) => (x as unknown[])[0]));
    return role === 'master' ? Number(await r.call('DBSIZE')) : 0;
  })));
  return sizes.reduce((a, b) => a + b, 0);
}
