// kvctl cluster failover NODE [--force|--takeover] on engine nodes: a replica replaces its master
// (the old master follows it), the master itself is refused with the names of its replicas, and
// flag misuse is a one-line usage error.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { ENGINE_MAIN, KVCTL_BIN, stopAll } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { call, clusterOk, removeDirs, startClusterNodes, waitFor } from './cluster-kit.js';

const BASE = PORTS.sentinel + 700; // 18700-18705, bus ports 28700-28705
const PORTS6 = Array.from({ length: 6 }, (_, i) => BASE + i);
afterAll(async () => {
  await stopAll();
  removeDirs();
});

const kvctl = (...args: string[]) => execa(process.execPath, [KVCTL_BIN, ...args], { reject: false });

async function masterOf(port: number): Promise<number> {
  const r = (await call(port, 'ROLE')) as unknown[];
  return r[0] === 'slave' ? Number(r[2]) : 0;
}

describe.skipIf(!existsSync(ENGINE_MAIN))('kvctl cluster failover', () => {
  it('promotes a replica, default and --force; refuses a master', async () => {
    await startClusterNodes(BASE, 6);
    const create = await kvctl('cluster', 'create', ...PORTS6.map((p) => `127.0.0.1:${p}`), '--replicas', '1', '--yes', '--json');
    expect(create.exitCode).toBe(0);
    await waitFor('cluster ok', () => clusterOk(PORTS6));
    const replicas = [];
    for (const p of PORTS6) if (await masterOf(p)) replicas.push(p);
    expect(replicas).toHaveLength(3);

    const [r1, r2] = replicas;
    const m1 = await masterOf(r1);
    const res = await kvctl('cluster', 'failover', `127.0.0.1:${r1}`, '--json');
    expect(res.stderr).toBe('');
    expect(JSON.parse(String(res.stdout))).toMatchObject({ node: `127.0.0.1:${r1}`, from: `127.0.0.1:${m1}`, mode: 'default' });
    await waitFor('the old master follows the new one', async () => (await masterOf(m1)) === r1);

    const m2 = await masterOf(r2);
    const forced = await kvctl('cluster', 'failover', `127.0.0.1:${r2}`, '--force');
    expect(forced.stdout).toMatch(new RegExp(`^127\\.0\\.0\\.1:${r2} replaced 127\\.0\\.0\\.1:${m2} as master in \\d+ ms \\(force\\)`));

    const onMaster = await kvctl('cluster', 'failover', `127.0.0.1:${r1}`);
    expect([onMaster.exitCode, onMaster.stderr.trim()]).toEqual([2, `error: 127.0.0.1:${r1} is a master; run cluster failover on one of its replicas (127.0.0.1:${m1})`]);
    const both = await kvctl('cluster', 'failover', `127.0.0.1:${m1}`, '--force', '--takeover');
    expect([both.exitCode, both.stderr.trim()]).toEqual([2, 'error: --force and --takeover exclude each other (allowed: one of them, or neither)']);
  }, 150_000);
});
