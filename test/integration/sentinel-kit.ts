// Sentinel test topologies with real processes: a master and two replicas (engine or redis-server)
// watched by three sentinels (engine or real Sentinel), down-after-milliseconds 2000. Every process
// is started through helpers/procs.ts and stopped by pid in afterAll (stopAll).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startEngine, startRedis, tmpDir, type Proc } from '../helpers/procs.js';
import { RespClient } from '../helpers/resp.js';

export type Side = 'engine' | 'redis';

export interface SentinelTopo {
  base: number;
  nodes: Proc[];
  sentinels: Proc[];
  sentinelPorts: number[];
  /** Restarts a data node on its port as a master with an empty dataset (a crashed node coming back). */
  restart(port: number): Promise<Proc>;
}

export const MASTER = 'mymaster';

/**
 * The tests' down-after-milliseconds. Not 1000: a real Sentinel pings and reconnects at most once a
 * second, so after a failover its new link to the promoted master can go a second without a PONG;
 * with down-after 1000 it then saw the new master down and, counting the other sentinels' still-fresh
 * votes about the old master, failed over a second time.
 */
export const DOWN_AFTER_MS = 2000;

export async function call(port: number, ...args: string[]): Promise<unknown> {
  const c = await RespClient.connect(port);
  try {
    const r = await c.call(args);
    return plain(r);
  } finally {
    c.close();
  }
}

/** The test client's typed replies as plain values. */
function plain(r: unknown): unknown {
  const x = r as { t: string; v: unknown };
  if (x.t === 'error') throw new Error(String(x.v));
  if (x.v === null || x.t === 'null') return null;
  if (x.t === 'array' || x.t === 'set' || x.t === 'push') return (x.v as unknown[]).map(plain);
  if (x.t === 'int') return Number(x.v);
  return x.v;
}

export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function fieldsOf(flat: unknown): Record<string, string> {
  const a = flat as string[];
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < a.length; i += 2) o[a[i]] = String(a[i + 1]);
  return o;
}

const startNode = (side: Side, port: number, args: string[] = []) =>
  (side === 'engine' ? startEngine : startRedis)(port, { args: ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0', ...args] });

/** Nodes on base..base+2, sentinels on base+10..base+12; ready when every sentinel sees 2 replicas and 2 sentinels. */
export async function startSentinelTopo(nodes: Side, sentinels: Side, base: number, sentinelSides?: Side[], opts: { redisPeriods?: boolean; downAfterMs?: number } = {}): Promise<SentinelTopo> {
  const procs = [await startNode(nodes, base)];
  procs.push(...(await Promise.all([1, 2].map((i) => startNode(nodes, base + i, ['--replicaof', '127.0.0.1', String(base)])))));
  const sentinelPorts = [10, 11, 12].map((i) => base + i);
  // One after another: starting many node processes at once on a busy 2-core box can take them past
  // the start timeout.
  const sps: Proc[] = [];
  for (const [i, port] of sentinelPorts.entries()) {
    const dir = tmpDir('kvctl-sentinel-');
    const conf = path.join(dir, 'sentinel.conf');
    writeFileSync(conf, [
      `sentinel monitor ${MASTER} 127.0.0.1 ${base} 2`,
      `sentinel down-after-milliseconds ${MASTER} ${opts.downAfterMs ?? DOWN_AFTER_MS}`,
      `sentinel failover-timeout ${MASTER} 10000`,
      '',
    ].join('\n'));
    const side = sentinelSides?.[i] ?? sentinels;
    sps.push(await (side === 'engine' ? startEngine : startRedis)(port, { dir, conf, args: ['--sentinel'] }));
  }
  // Shorter periods than Redis's defaults (both kinds take SENTINEL DEBUG): INFO every second and
  // an old master converted 2 s after it is back, so the tests take seconds, not tens of seconds.
  // redisPeriods (bench): keep Redis's defaults, so real Sentinel is measured as users run it.
  // A real Sentinel whose timer runs late (a loaded box) enters TILT and does nothing for 30 s: the
  // tests raise the trigger (the engine has no TILT mode and ignores it).
  if (!opts.redisPeriods) for (const p of sentinelPorts) await call(p, 'SENTINEL', 'DEBUG', 'info-period', '1000', 'publish-period', '500', 'tilt-trigger', '30000');
  for (const p of sentinelPorts) {
    await until(`sentinel ${p} sees the replicas and the other sentinels`, async () => {
      const m = fieldsOf(await call(p, 'SENTINEL', 'MASTER', MASTER));
      return m['num-slaves'] === '2' && m['num-other-sentinels'] === '2';
    });
  }
  return {
    base,
    nodes: procs,
    sentinels: sps,
    sentinelPorts,
    restart: (port) => startNode(nodes, port),
  };
}

export async function masterPort(sentinelPort: number): Promise<number> {
  const r = (await call(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER)) as string[];
  return Number(r[1]);
}

/** ROLE of a node as [role, masterPort, linkState] ('' where it does not apply). */
export async function roleOf(port: number): Promise<[string, number, string]> {
  const r = (await call(port, 'ROLE')) as unknown[];
  return r[0] === 'slave' ? ['slave', Number(r[2]), String(r[3])] : [String(r[0]), 0, ''];
}

/**
 * An application writing with ioredis, through the sentinels (an array of sentinel ports) or straight
 * to one node ({ port }, no reconnects): SET w:<i> <i> one after another, noting which were
 * acknowledged (OK) and which failed. Stop it with stop().
 */
export function startWriter(target: number[] | { port: number }) {
  const redis = Array.isArray(target)
    ? new Redis({
      sentinels: target.map((port) => ({ host: '127.0.0.1', port })),
      name: MASTER,
      retryStrategy: () => 50,
      sentinelRetryStrategy: () => 50,
      maxRetriesPerRequest: 100,
      enableOfflineQueue: true,
    })
    : new Redis({ port: target.port, host: '127.0.0.1', retryStrategy: () => null, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  const acked: number[] = [];
  let failed = 0;
  let running = true;
  const done = (async () => {
    for (let i = 0; running; i++) {
      try {
        if ((await redis.set(`w:${i}`, String(i))) === 'OK') acked.push(i);
      } catch {
        failed++;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  return {
    acked,
    get failed() { return failed; },
    async stop(): Promise<void> {
      running = false;
      await done;
      redis.disconnect();
    },
  };
}

/** The acknowledged keys missing on a node (0 lost is the point). */
export async function missing(port: number, acked: number[]): Promise<number[]> {
  const c = await RespClient.connect(port);
  try {
    const out: number[] = [];
    for (let k = 0; k < acked.length; k += 500) {
      const chunk = acked.slice(k, k + 500);
      const r = plain(await c.call(['MGET', ...chunk.map((i) => `w:${i}`)])) as (string | null)[];
      r.forEach((v, j) => { if (v !== String(chunk[j])) out.push(chunk[j]); });
    }
    return out;
  } finally {
    c.close();
  }
}
