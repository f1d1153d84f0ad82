// The package as users get it: `npm pack` (of the dist/ that pretest just built), install the tarball
// into an empty folder, then `npx kvctl up master-replica`, `up cluster` and `down` with a PATH that
// holds Node (and npm's sh) but no Redis binaries. Nothing may be left running. Ports 16840-16855 and
// 16950-16955 (cluster replicas), bus ports +10000.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { which } from '../../src/orchestrator/engines.js';
import { ROOT, tmpDir, stopAll } from '../helpers/procs.js';
import { alive } from './orchestrator-kit.js';
import { RespClient } from '../helpers/resp.js';

const run = promisify(execFile);
const MR_PORT = 16840;
const CLUSTER_PORT = 16850;

interface PackResult { filename: string; files: { path: string }[] }

const work = tmpDir('kvctl-tarball-');
const app = path.join(work, 'app');
const bin = path.join(work, 'bin');
const home = path.join(app, '.kvctl');
let packed: PackResult;
/** Every supervisor and node pid the installed kvctl recorded, for the final check and cleanup. */
const pids = new Set<number>();

/** `npx kvctl ...` in the install folder with the Redis-free PATH; never throws, returns the outcome. */
async function npxKvctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return npxKvctlWith({}, ...args);
}

async function npxKvctlWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(path.join(bin, 'npx'), ['--no-install', 'kvctl', ...args, '--dir', home], {
      cwd: app,
      env: { PATH: bin, HOME: process.env.HOME, NO_COLOR: '1', KVCTL_ENGINE_TRACE_START: '1', ...env },
      timeout: 90_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string; message: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr || err.message };
  }
}

function recordPids(): void {
  if (!existsSync(home)) return;
  for (const d of readdirSync(home)) {
    const f = path.join(home, d, 'state.json');
    if (!existsSync(f)) continue;
    const s = JSON.parse(readFileSync(f, 'utf8')) as { supervisor: { pid: number }; nodes: Record<string, { pid?: number }> };
    pids.add(s.supervisor.pid);
    for (const n of Object.values(s.nodes)) if (n.pid) pids.add(n.pid);
  }
}

async function up(topology: string, basePort: number): Promise<{ engine: string; nodes: { pid: number }[]; masters: string[]; replicas: string[] }> {
  const r = await npxKvctl('up', topology, '--base-port', String(basePort), '--timeout', '60', '--json');
  recordPids();
  expect(r.stderr, `kvctl up ${topology}`).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('the npm tarball, installed', () => {
  beforeAll(async () => {
    // dist/ is what `npm test`'s pretest built; --ignore-scripts so pack does not build it again.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, timeout: 60_000 });
    packed = (JSON.parse(stdout) as PackResult[])[0];
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'kvctl-install-check', private: true }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, packed.filename)], { cwd: app, timeout: 120_000 });
    // Node, npm/npx and the sh npx runs bins with: nothing else, so no redis-server / redis-sentinel.
    mkdirSync(bin);
    for (const tool of ['node', 'npm', 'npx', 'sh']) {
      const at = which(tool) ?? (tool === 'sh' ? '/bin/sh' : undefined);
      if (!at) throw new Error(`${tool} is not on PATH`);
      symlinkSync(realpathSync(at), path.join(bin, tool));
    }
  }, 180_000);

  afterAll(async () => {
    recordPids();
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    await stopAll();
  });

  it('holds the built files, a LICENSE and no source maps, dev tooling or data files', () => {
    const files = packed.files.map((f) => f.path);
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/run.js', 'oclif.manifest.json', 'dist/engine/main.cjs', 'dist/engine/main.bundle.js', 'dist/engine/main.bundle.cache', 'dist/engine/main.bundle.json', 'dist/orchestrator/supervisor/daemon.js', 'dist/cli.bundle.js', 'dist/cli.bundle.cache', 'dist/cli.bundle.json', 'dist/lib/cli-bundle.cjs', 'topologies/cluster.yaml', 'templates/redis.conf.hbs']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /\.map$|\.rdb$|\.aof$|^src\/|^test\/|^bench\/|^bin\/dev/.test(f))).toEqual([]);
    // The start-up snapshot only loads in the Node that made it: an installed package builds its own.
    expect(files.filter((f) => f.startsWith('dist/engine/snapshot/'))).toEqual([]);
    expect(files).toContain('dist/orchestrator/topology/schema-validate.cjs');
    // The oclif manifest lists exactly the command files shipped (a clean build leaves none stale).
    const manifest = JSON.parse(readFileSync(path.join(app, 'node_modules', 'kvctl', 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
    const shipped = files.filter((f) => /^dist\/commands\/.+\.js$/.test(f)).map((f) => f.slice('dist/commands/'.length, -3).replace(/\/index$/, '').replaceAll('/', ':')).sort();
    expect(Object.keys(manifest.commands).sort()).toEqual(shipped);
  });

  it('declares as runtime dependencies only what the shipped code imports', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const code = packed.files.filter((f) => /\.(c|m)?js$/.test(f.path)).map((f) => readFileSync(path.join(app, 'node_modules', 'kvctl', f.path), 'utf8')).join('\n');
    const unused = Object.keys(pkg.dependencies).filter((d) => !new RegExp(`(?:from |import\\(|require\\w*\\()['"]${d}(/[^'"]*)?['"]`).test(code));
    expect(unused).toEqual([]);
  });

  it('runs up master-replica, up cluster and down with Node but no Redis on PATH, leaving nothing running', async () => {
    expect(which('redis-server', bin)).toBeUndefined();
    expect(which('redis-sentinel', bin)).toBeUndefined();

    // The installed CLI starts from its bundle (cli-bundle.cts), its content key matching after install.
    const st = await npxKvctlWith({ KVCTL_CLI_TRACE_START: '1' }, 'status', '--json');
    expect(st.stderr).toBe('kvctl cli: bundle, code cache accepted\n');
    expect(JSON.parse(st.stdout)).toEqual([]);

    const mr = await up('master-replica', MR_PORT);
    expect(mr.engine).toBe('builtin');
    expect(mr.masters).toEqual([`127.0.0.1:${MR_PORT}`]);
    expect(mr.replicas).toHaveLength(2);

    // The first start of the installed package: nodes start from the bundle with V8's code cache
    // (content-keyed freshness) while its start-up snapshot is built in the background.
    const logsOf = (topology: string) => readdirSync(path.join(home, topology), { withFileTypes: true }).filter((d) => d.isDirectory())
      .map((d) => readFileSync(path.join(home, topology, d.name, 'redis.log'), 'utf8'));
    expect(logsOf('master-replica').filter((l) => l.includes('kvctl engine: bundle, code cache accepted'))).toHaveLength(3);
    const engineDir = path.join(app, 'node_modules', 'kvctl', 'dist', 'engine');
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && !existsSync(path.join(engineDir, 'snapshot', `engine-${process.version}-${process.platform}-${process.arch}.json`))) {
      await new Promise((r) => setTimeout(r, 100));
    }

    // Once built, every node starts from it.
    const cluster = await up('cluster', CLUSTER_PORT);
    expect(cluster.nodes).toHaveLength(9);
    expect(cluster.masters).toHaveLength(3);
    expect(cluster.replicas).toHaveLength(6);
    expect(logsOf('cluster').filter((l) => l.includes('kvctl engine: snapshot'))).toHaveLength(9);
    // Each node runs with kvctl's child environment (engines.ts childEnv), malloc's huge pages included.
    for (const n of cluster.nodes) expect(readFileSync(`/proc/${n.pid}/environ`, 'utf8').split('\0')).toContain('GLIBC_TUNABLES=glibc.malloc.hugetlb=1');
    // Subsystems loaded on first use (the Lua VM from the package's node_modules, the COMMAND DOCS
    // chunk beside the installed bundle), from the bundle (master-replica) and from the snapshot (cluster).
    for (const [port, how] of [[MR_PORT, 'bundle'], [Number(cluster.masters[0].split(':')[1]), 'snapshot']] as const) {
      const c = await RespClient.connect(port);
      try {
        expect(await c.call(['EVAL', 'return 7', '0']), how).toEqual({ t: 'int', v: '7' });
        expect(JSON.stringify(await c.call(['COMMAND', 'DOCS', 'get'])), how).toContain('"Get the value of a key"');
      } finally {
        c.close();
      }
    }

    expect(pids.size).toBe(2 + 3 + 9); // two supervisors and their nodes
    const down = await npxKvctl('down', '--purge', '--json');
    expect(down.code, down.stderr).toBe(0);
    expect((JSON.parse(down.stdout) as { name: string; supervisor: string }[]).map((t) => `${t.name}:${t.supervisor}`).sort()).toEqual(['cluster:stopped', 'master-replica:stopped']);
    expect([...pids].filter(alive)).toEqual([]);
  }, 240_000);
});
