// The start-up snapshot's warm-up also runs cluster mode (engine/warm-up-cluster.ts: two throwaway
// cluster nodes, a MEET, a slot moved with MIGRATE). Its build must leave no scratch folder, and a
// node started from it must carry nothing of those nodes: it starts alone in its own cluster, meets
// another, and moves keys to it with MIGRATE on a connection of its own.
// Ports 16900-16901 (bus 16910-16911).
import type { ChildProcess } from 'node:child_process';
import { cpSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSnapshot, snapshotState } from '../../src/engine/snapshot.cjs';
import { builtinEntry } from '../../src/orchestrator/engines.js';
import { ROOT, stopAll, tmpDir } from '../helpers/procs.js';
import { RespClient, type Reply } from '../helpers/resp.js';
import { startTraced } from '../helpers/traced-node.js';

const PORT = 16900;
const BUS = 16910;
const children: ChildProcess[] = [];

const text = (r: Reply) => ('v' in r ? String(r.v) : '');

async function waitFor(what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what} within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the start-up snapshot and cluster mode', () => {
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await stopAll();
  });

  it('is built without leaving the warm-up servers\' scratch folders behind', () => {
    const root = tmpDir('kvctl-snapcl-pkg-');
    const engineDir = path.join(root, 'dist', 'engine');
    cpSync(path.join(ROOT, 'dist', 'engine'), engineDir, { recursive: true, filter: (src) => path.basename(src) !== 'snapshot' });
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
    const scratch = tmpDir('kvctl-snapcl-tmp-');
    const before = process.env.TMPDIR;
    process.env.TMPDIR = scratch; // the builder's os.tmpdir(), where the warm-up makes its folder
    try {
      buildSnapshot(engineDir);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
    expect(snapshotState(engineDir).state).toBe('fresh');
    expect(readdirSync(scratch)).toEqual([]);
  }, 60_000);

  it('starts a node alone in its cluster that meets another and moves a slot with MIGRATE', async () => {
    const entry = builtinEntry(path.join(ROOT, 'dist', 'engine'), {});
    expect(entry).toContain('--snapshot-blob');
    const start = async (i: number) => {
      const node = await startTraced(entry, ['--cluster-enabled', 'yes', '--cluster-port', String(BUS + i), '--save', '', '--appendonly', 'no'], PORT + i);
      children.push(node.child);
      return node;
    };
    const [na, nb] = await Promise.all([start(0), start(1)]);
    const a = await RespClient.connect(PORT);
    const b = await RespClient.connect(PORT + 1);
    try {
      expect(na.stderr()).toContain('kvctl engine: snapshot');
      expect(nb.stderr()).toContain('kvctl engine: snapshot');
      const info = text(await a.call(['CLUSTER', 'INFO']));
      expect(info).toContain('cluster_state:fail');
      expect(info).toContain('cluster_known_nodes:1\r\n');
      expect(info).toContain('cluster_slots_assigned:0\r\n');
      const idA = text(await a.call(['CLUSTER', 'MYID']));
      const idB = text(await b.call(['CLUSTER', 'MYID']));
      expect(idA).toMatch(/^[0-9a-f]{40}$/);
      expect(idB).not.toBe(idA);
      expect(text(await a.call(['CLUSTER', 'NODES'])).trim().split('\n')).toHaveLength(1);

      expect(text(await a.call(['CLUSTER', 'ADDSLOTSRANGE', '0', '16383']))).toBe('OK');
      expect(text(await a.call(['CLUSTER', 'MEET', '127.0.0.1', String(PORT + 1), String(BUS + 1)]))).toBe('OK');
      await waitFor('the nodes did not meet', async () => {
        const nodes = text(await b.call(['CLUSTER', 'NODES']));
        return nodes.includes(idA) && !nodes.includes('handshake') && text(await b.call(['CLUSTER', 'INFO'])).includes('cluster_state:ok');
      });
      expect(text(await a.call(['SET', '{t}k', 'v']))).toBe('OK');
      const slot = text(await a.call(['CLUSTER', 'KEYSLOT', '{t}k']));
      expect(text(await b.call(['CLUSTER', 'SETSLOT', slot, 'IMPORTING', idA]))).toBe('OK');
      expect(text(await a.call(['CLUSTER', 'SETSLOT', slot, 'MIGRATING', idB]))).toBe('OK');
      expect(text(await a.call(['MIGRATE', '127.0.0.1', String(PORT + 1), '', '0', '5000', 'KEYS', '{t}k']))).toBe('OK');
      expect(text(await b.call(['CLUSTER', 'SETSLOT', slot, 'NODE', idB]))).toBe('OK');
      expect(text(await a.call(['CLUSTER', 'SETSLOT', slot, 'NODE', idB]))).toBe('OK');
      expect(text(await b.call(['GET', '{t}k']))).toBe('v');
      expect(text(await a.call(['GET', '{t}k']))).toBe(`MOVED ${slot} 127.0.0.1:${PORT + 1}`);
    } finally {
      a.close();
      b.close();
    }
  }, 60_000);
});
