// `up` of a 9-node cluster (3 masters, 2 replicas each) through the programmatic API, on both engines:
// when it returns, every node is ok and knows every other, every replica is linked, and every master has
// its two replicas connected (the create step pipelines slots and epochs, the wait step reuses the start
// step's connections: ready must still mean all of this). Ports 16960-16968 and 16970-16978.
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { up, down, status } from '../../src/index.js';
import { RespPool, infoOf } from '../../src/orchestrator/resp.js';
import { hasRedisServer, stopAll, tmpDir } from '../helpers/procs.js';
import { alive } from './orchestrator-kit.js';

const dir = tmpDir('kvctl-up-cluster-');
afterAll(async () => {
  await down(undefined, { dir, graceMs: 1000 });
  await stopAll(); // removes dir
});

function topologyFile(name: string, basePort: number): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nkind: cluster\nbase-port: ${basePort}\nmasters: 3\ncluster: { replicas: 2, node-timeout: 5000 }\n` +
    'config: { repl-diskless-sync: yes, repl-diskless-sync-delay: 0, cluster-replica-validity-factor: 0 }\n');
  return file;
}

const engines = [
  { engine: 'builtin' as const, basePort: 16960, run: true },
  { engine: 'redis' as const, basePort: 16970, run: hasRedisServer() },
];

describe.each(engines)('up cluster ($engine)', ({ engine, basePort, run }) => {
  it.skipIf(!run)('returns only when every node is ok, every replica linked and every master has its replicas', async () => {
    const name = `c10-${engine}`;
    const progress: string[] = [];
    const h = await up({ topology: topologyFile(name, basePort), engine, dir, timeoutMs: 30_000, onProgress: (m) => progress.push(m) });
    const pool = new RespPool({ connectTimeoutMs: 1000, commandTimeoutMs: 2000 });
    try {
      expect(h.masters).toHaveLength(3);
      expect(h.replicas).toHaveLength(6);
      expect(progress.some((m) => /^Create the cluster.*: Configuring replicas/.test(m))).toBe(true);
      for (const a of [...h.masters, ...h.replicas]) {
        const [host, port] = a.split(':');
        const c = await pool.get(host!, Number(port));
        const ci = String(await c.call('CLUSTER', 'INFO'));
        expect(ci, a).toMatch(/cluster_state:ok/);
        expect(ci, a).toMatch(/cluster_known_nodes:9\b/);
        expect(ci, a).toMatch(/cluster_slots_assigned:16384\b/);
        const repl = await infoOf(c, 'replication');
        if (h.replicas.includes(a)) {
          expect(repl.role, a).toBe('slave');
          expect(repl.master_link_status, a).toBe('up');
          expect(h.masters).toContain(`${repl.master_host}:${repl.master_port}`);
        } else {
          expect(repl.role, a).toBe('master');
          expect(repl.connected_slaves, a).toBe('2');
        }
      }
    } finally {
      pool.closeAll();
    }
    const [report] = await status(name, { dir });
    const pids = report!.nodes.map((n) => n.pid!);
    expect(pids).toHaveLength(9);
    await h.stop({ purge: true });
    for (const pid of pids) expect(alive(pid)).toBe(false);
  }, 60_000);
});
