// Time from `kvctl kill` of the master (killNode, the programmatic form) to the first write the new
// master accepts, for the cluster, Sentinel and master-replica topologies, builtin engine against
// --engine redis. The topologies are the bundled ones (no persistence; cluster-node-timeout and
// down-after-milliseconds 5000 ms, which dominate), moved to ports 19600-19611 (bus 29600-29605).
// "Accepts" = a node other than the killed one answers OK to SET of a key in the killed master's slots
// (replicas answer READONLY or MOVED until promoted).
// Run with: npx tsx bench/kill.ts [runs] [--timeout-ms N]   (needs npm run build)
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { keyStrHashSlot } from '../src/engine/cluster/crc16.js';
import { killNode } from '../src/orchestrator/faults.js';
import { RespConn } from '../src/orchestrator/resp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'run.js');
const argv = process.argv.slice(2);
const flag = argv.indexOf('--timeout-ms');
const TIMEOUT_MS = flag >= 0 ? Number(argv[flag + 1]) : 5000;
const RUNS = Number(argv.find((a, i) => /^\d+$/.test(a) && argv[i - 1] !== '--timeout-ms') ?? 1);
const BASE = 19600;

type Kind = 'cluster' | 'sentinel' | 'master-replica';
const COMMON = 'persistence: none\nconfig: { repl-diskless-sync: yes, repl-diskless-sync-delay: 0 }\n';
const YAML: Record<Kind, string> = {
  cluster: `name: bk-cluster\nkind: cluster\nbase-port: ${BASE}\nmasters: 3\ncluster: { replicas: 1, node-timeout: ${TIMEOUT_MS} }\npersistence: none\n`
    + 'config: { repl-diskless-sync: yes, repl-diskless-sync-delay: 0, cluster-replica-validity-factor: 0 }\n',
  sentinel: `name: bk-sentinel\nkind: sentinel\nbase-port: ${BASE}\nreplicas: 2\n${COMMON}sentinel: { quorum: 2, down-after-milliseconds: ${TIMEOUT_MS} }\n`,
  'master-replica': `name: bk-master-replica\nkind: master-replica\nbase-port: ${BASE}\nreplicas: 2\n${COMMON}`,
};

interface UpJson { name: string; nodes: Array<{ name: string; role: string; host: string; port: number }> }

/** Sends SET to every data node but `dead` until one answers OK; the ms since t0. */
async function firstWrite(nodes: UpJson['nodes'], dead: string, key: string, t0: number, limitMs: number): Promise<number> {
  const conns = new Map<string, RespConn>();
  try {
    for (;;) {
      for (const n of nodes.filter((x) => x.name !== dead && x.role !== 'sentinel')) {
        try {
          let c = conns.get(n.name);
          if (!c) {
            c = await RespConn.connect(n.host, n.port, { connectTimeoutMs: 200, commandTimeoutMs: 500 });
            conns.set(n.name, c);
          }
          if ((await c.call('SET', key, 'x')) === 'OK') return performance.now() - t0;
        } catch (e) {
          if (!/READONLY|MOVED|CLUSTERDOWN|TRYAGAIN|ASK/.test((e as Error).message)) {
            conns.get(n.name)?.close();
            conns.delete(n.name);
          }
        }
      }
      if (performance.now() - t0 > limitMs) throw new Error(`no node accepted a write within ${limitMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    for (const c of conns.values()) c.close();
  }
}

async function once(kind: Kind, engine: string): Promise<number> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'kvctl-bench-kill-'));
  const kvctl = (...args: string[]) => execa(process.execPath, [BIN, ...args, '--dir', home], { reject: false });
  try {
    const file = path.join(home, `${kind}.yaml`);
    writeFileSync(file, YAML[kind]);
    const up = await kvctl('up', file, '--engine', engine, '--json', '--timeout', '60');
    if (up.exitCode !== 0) throw new Error(`kvctl up ${kind} --engine ${engine} failed: ${up.stderr}`);
    const u = JSON.parse(String(up.stdout)) as UpJson;
    const slot = keyStrHashSlot('bench');
    const t0 = performance.now();
    const killed = await killNode(kind === 'cluster' ? `${u.name}/master:${slot}` : `${u.name}/master`, { dir: home });
    return await firstWrite(u.nodes, killed.node, '{bench}:k', t0, TIMEOUT_MS * 6 + 20_000);
  } catch (e) {
    const log = readFileSync(path.join(home, `bk-${kind}`, 'supervisor.log'), 'utf8').trim().split('\n').slice(-4).join(' | ');
    throw new Error(`${(e as Error).message} (supervisor: ${log})`);
  } finally {
    await kvctl('down', '--purge', '--grace', '2000');
    rmSync(home, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`kvctl kill of the master -> first write accepted by the new master (no persistence; failure timeout ${TIMEOUT_MS} ms), median of ${RUNS} run(s)`);
for (const kind of (process.env.KINDS?.split(',') ?? ['cluster', 'sentinel', 'master-replica']) as Kind[]) {
  const med: Record<string, number> = {};
  for (const engine of ['builtin', 'redis']) {
    try {
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) ms.push(await once(kind, engine));
      med[engine] = median(ms);
      console.log(`  ${kind.padEnd(15)} ${engine.padEnd(8)} ${med[engine].toFixed(0).padStart(6)} ms   (${ms.map((x) => x.toFixed(0)).join(' ')})`);
    } catch (err) {
      console.log(`  ${kind.padEnd(15)} ${engine.padEnd(8)} failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (med.builtin && med.redis) console.log(`  ${kind.padEnd(15)} builtin / redis: ${(med.builtin / med.redis).toFixed(2)}x`);
}
