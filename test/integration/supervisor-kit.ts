// Shared by supervisor-builtin.test.ts and supervisor-redis.test.ts: the same data-safety scenarios on
// either engine. Each round writes keys confirmed with WAIT 1, breaks the current master (kvctl kill,
// kill -9 of the pid status --json reports, kvctl pause past the failure timeout), waits until the
// topology is healthy again, and requires every confirmed key on the new master and the old master back
// as a replica in sync.
import { expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { keyStrHashSlot } from '../../src/engine/cluster/crc16.js';
import { statusOf } from '../../src/orchestrator/status.js';
import { alive, cli, until, type Cli } from './orchestrator-kit.js';
import { DOWN_AFTER_MS as SENTINEL_DOWN_AFTER_MS } from './sentinel-kit.js';

export type Kind = 'cluster' | 'sentinel' | 'master-replica';

/** Small failure timeouts so a failover takes seconds (the bundled ones use 5000 ms). */
export const NODE_TIMEOUT_MS = 1000;

const COMMON = `persistence: none
config: { repl-diskless-sync: yes, repl-diskless-sync-delay: 0 }
`;

export function topologyYaml(kind: Kind, name: string, basePort: number): string {
  switch (kind) {
    case 'cluster':
      return `name: ${name}\nkind: cluster\nbase-port: ${basePort}\nmasters: 3\ncluster: { replicas: 1, node-timeout: ${NODE_TIMEOUT_MS} }\npersistence: none\n`
        + 'config: { repl-diskless-sync: yes, repl-diskless-sync-delay: 0, cluster-replica-validity-factor: 0 }\n';
    case 'sentinel':
      return `name: ${name}\nkind: sentinel\nbase-port: ${basePort}\nreplicas: 2\n${COMMON}`
        + `sentinel: { quorum: 2, down-after-milliseconds: ${SENTINEL_DOWN_AFTER_MS}, failover-timeout: 3000 }\n`;
    case 'master-replica':
      return `name: ${name}\nkind: master-replica\nbase-port: ${basePort}\nreplicas: 2\n${COMMON}`;
  }
}

function client(address: string): Redis {
  const [host, port] = address.split(':');
  const r = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  r.on('error', () => undefined);
  return r;
}

async function withClient<T>(address: string, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = client(address);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

interface StatusNode { name: string; role: string; address: string; pid?: number; state: string; master?: string; link?: string; slots?: string; note?: string; dataLost?: string }

export class Scenario {
  readonly k: Cli = cli();
  readonly name: string;
  /** Every key confirmed by WAIT 1, with its value. */
  readonly confirmed = new Map<string, string>();
  /** Cluster: every key carries this hash tag, so all live on the master of one slot. */
  readonly tag = 'sv';
  readonly slot = keyStrHashSlot('sv');
  private round = 0;

  constructor(readonly kind: Kind, readonly engine: 'builtin' | 'redis', readonly basePort: number) {
    this.name = `sv-${kind}-${engine}`;
  }

  /** NODE for "the current master" (of our slot, in a cluster). */
  get masterRef(): string {
    return this.kind === 'cluster' ? `${this.name}/master:${this.slot}` : `${this.name}/master`;
  }

  async up(): Promise<void> {
    const file = path.join(this.k.home, `${this.name}.yaml`);
    writeFileSync(file, topologyYaml(this.kind, this.name, this.basePort));
    await this.k.json('up', file, '--engine', this.engine);
  }

  async cleanup(): Promise<void> {
    await this.k.cleanup();
  }

  /** kvctl with this scenario's home. */
  async kv(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const own = ['up', 'down', 'status', 'logs'].includes(args[0]); // orchestrator-kit adds --dir to these
    return this.k.run(...args, ...(own ? [] : ['--dir', this.k.home]));
  }

  async kvJson<T = any>(...args: string[]): Promise<T> {
    const r = await this.kv(...args, '--json');
    if (r.code !== 0) throw new Error(`kvctl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** What kvctl status --json reports (through the library: a CLI run costs a second on a busy box). */
  async status(): Promise<StatusNode[]> {
    return (await statusOf(path.join(this.k.home, this.name))).nodes as StatusNode[];
  }

  /** The node that is master now, as kvctl resolves it (what kill master would hit). */
  async master(): Promise<StatusNode> {
    const st = await this.status();
    if (this.kind === 'cluster') {
      const owner = st.find((n) => n.role === 'master' && n.slots?.split(',').some((r) => {
        const [a, b] = r.split('-').map(Number);
        return this.slot >= a && this.slot <= (b ?? a);
      }));
      if (!owner) throw new Error(`no master serves slot ${this.slot}: ${JSON.stringify(st)}`);
      return owner;
    }
    const masters = st.filter((n) => n.role === 'master' && n.state === 'running');
    if (masters.length !== 1) throw new Error(`${masters.length} masters: ${masters.map((n) => n.name).join(', ')}`);
    return masters[0];
  }

  /** Writes n keys to the current master in batches, each confirmed by WAIT 1; returns how many were. */
  async writeConfirmed(n = 200): Promise<number> {
    const m = await this.master();
    this.round += 1;
    let ok = 0;
    await withClient(m.address, async (r) => {
      for (let i = 0; i < n; i += 20) {
        const batch = Array.from({ length: Math.min(20, n - i) }, (_, j) => [`{${this.tag}}:r${this.round}:${i + j}`, `v${this.round}-${i + j}`] as const);
        const p = r.pipeline();
        for (const [key, v] of batch) p.set(key, v);
        await p.exec();
        const acked = Number(await r.call('WAIT', '1', '2000'));
        if (acked >= 1) {
          for (const [key, v] of batch) this.confirmed.set(key, v);
          ok += batch.length;
        }
      }
    });
    return ok;
  }

  /** Until every node runs, the master (of our slot) has its replicas in sync, and the failure detector agrees. */
  async healthy(timeoutMs = 40_000): Promise<StatusNode> {
    let why = '';
    await until(`${this.name} healthy (${why})`, async () => {
      try {
        why = await this.unhealthy();
      } catch (e) {
        why = (e as Error).message;
      }
      return why === '';
    }, timeoutMs).catch((e: Error) => {
      throw new Error(`${e.message}: ${why}`);
    });
    return this.master();
  }

  private async unhealthy(): Promise<string> {
    const st = await this.status();
    const down = st.filter((n) => n.state !== 'running');
    if (down.length) return `${down.map((n) => `${n.name} ${n.state}`).join(', ')}`;
    const syncing = st.filter((n) => n.role === 'replica' && n.link !== 'up');
    if (syncing.length) return `${syncing.map((n) => n.name).join(', ')} not linked`;
    const m = await this.master();
    const replicas = st.filter((n) => n.role === 'replica' && n.master === m.address);
    const want = this.kind === 'cluster' ? 1 : 2;
    if (replicas.length !== want) return `${m.name} has ${replicas.length} replicas`;
    if (this.kind === 'cluster') {
      for (const n of st) {
        const info = await withClient(n.address, (r) => r.call('CLUSTER', 'INFO')) as string;
        if (!info.includes('cluster_state:ok')) return `${n.name} cluster_state not ok`;
        const nodes = await withClient(n.address, (r) => r.call('CLUSTER', 'NODES')) as string;
        if (/\bfail\??\b/.test(nodes)) return `${n.name} still flags a node as failing`;
      }
    }
    if (this.kind === 'sentinel') {
      for (const s of st.filter((n) => n.role === 'sentinel')) {
        const addr = await withClient(s.address, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as string[];
        if (addr.join(':') !== m.address) return `${s.name} names ${addr.join(':')} as master`;
        const reps = await withClient(s.address, (r) => r.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
        const flags = reps.map((x) => x[x.indexOf('flags') + 1]);
        if (flags.length !== 2 || flags.some((f) => f !== 'slave')) return `${s.name} sees replicas ${flags.join(',')}`;
      }
    }
    return '';
  }

  /** Every confirmed key, read from the current master. */
  async expectConfirmedKeys(): Promise<void> {
    const m = await this.master();
    const keys = [...this.confirmed.keys()];
    const got = await withClient(m.address, (r) => r.mget(...keys));
    const missing = keys.filter((key, i) => got[i] !== this.confirmed.get(key));
    expect({ master: m.name, missing: missing.length, of: keys.length }).toEqual({ master: m.name, missing: 0, of: keys.length });
  }

  /** The node is back, as a replica with its link up, holding every confirmed key. */
  async expectReplica(name: string): Promise<void> {
    await this.kvJson('wait', `${this.name}/${name}`, '--role', 'replica', '--timeout', '40');
    const n = (await this.status()).find((x) => x.name === name)!;
    expect({ role: n.role, link: n.link, dataLost: n.dataLost }).toEqual({ role: 'replica', link: 'up', dataLost: undefined });
    const keys = [...this.confirmed.keys()];
    await until(`${name} has every confirmed key`, async () => {
      const got = await withClient(n.address, async (r) => {
        if (this.kind === 'cluster') await r.call('READONLY'); // else a cluster replica answers MOVED
        return r.mget(...keys);
      });
      return keys.every((key, i) => got[i] === this.confirmed.get(key));
    }, 10_000);
  }
}

/** One full data-safety run: kvctl kill, kill -9 of the status pid, pause past the failure timeout. */
export async function killAndPauseRounds(s: Scenario): Promise<void> {
  await s.up();
  await s.healthy();

  // 1. kvctl kill of the current master.
  expect(await s.writeConfirmed()).toBe(200);
  const killed = await s.kvJson<{ node: string; signal: string; role: string; pid: number }>('kill', s.masterRef);
  expect(killed).toMatchObject({ signal: 'SIGKILL', role: 'master' });
  const m1 = await s.healthy();
  expect(m1.name).not.toBe(killed.node);
  await s.expectConfirmedKeys();
  await s.expectReplica(killed.node);
  const note = (await s.status()).find((n) => n.name === killed.node)!.note!;
  expect(note).toMatch(new RegExp(`^${killed.node}: .* after \\d+ ms; restarted it as a replica of ${m1.name}$`));

  // 2. kill -9 of the pid status --json reports for the master.
  expect(await s.writeConfirmed()).toBe(200);
  const victim = await s.master();
  process.kill(victim.pid!, 'SIGKILL');
  // Until the process is gone, status still reads it as the running master and its replicas as linked.
  await until(`${victim.name} (pid ${victim.pid}) gone after kill -9`, () => !alive(victim.pid!));
  const m2 = await s.healthy();
  expect(m2.name).not.toBe(victim.name);
  await s.expectConfirmedKeys();
  await s.expectReplica(victim.name);

  // 3. kvctl pause of the master well past the failure timeout: a failover, and the stale master rejoins.
  if (s.kind === 'master-replica') return; // no failure detector: a paused master is only late (tested apart)
  expect(await s.writeConfirmed()).toBe(200);
  const pauseS = s.kind === 'sentinel' ? SENTINEL_DOWN_AFTER_MS / 1000 + 5 : 5;
  const paused = await s.kvJson<{ node: string; state: string }>('pause', s.masterRef, '--seconds', String(pauseS));
  expect(paused.state).toBe('paused');
  await s.kvJson('wait', `${s.name}/${paused.node}`, '--role', 'replica', '--timeout', '40');
  const m3 = await s.healthy();
  expect(m3.name).not.toBe(paused.node);
  await s.expectConfirmedKeys();
  await s.expectReplica(paused.node);
}
