// Real processes for tests: spawn redis-server or the bundled engine on a loopback port, wait until it
// answers PING, and always stop it by pid (never by name).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, which } from '../../src/orchestrator/engines.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ENGINE_MAIN = path.join(ROOT, 'dist', 'engine', 'main.cjs');
export const KVCTL_BIN = path.join(ROOT, 'bin', 'run.js');

export interface Proc {
  port: number;
  pid: number;
  dir: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout/stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

const live = new Set<Proc>();

/** Temp dirs made by this test file, removed by stopAll. */
const tmpDirs: string[] = [];

/** Kill every process a test file started and forgot, then remove its temp dirs (call from afterAll). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()));
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function tmpDir(prefix = 'kvctl-test-'): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}

/** Resolves when a TCP connect to host:port succeeds, rejects after timeoutMs. */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** True when nothing listens on the port (used to refuse stale ports early). */
export async function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

function startProc(cmd: string, args: string[], port: number, dir: string, ownDir: boolean, host = '127.0.0.1', env?: NodeJS.ProcessEnv): Promise<Proc> {
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proc: Proc = {
    port,
    pid: child.pid ?? -1,
    dir,
    child,
    output: () => out,
    async stop() {
      live.delete(proc);
      if (child.exitCode === null && child.signalCode === null) {
        try { process.kill(proc.pid, 'SIGKILL'); } catch { /* already gone */ }
        await exited;
      }
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(proc);
  return waitForPort(port, host).then(
    () => proc,
    async (err: Error) => {
      await proc.stop();
      throw new Error(`${cmd} ${args.join(' ')} did not start: ${err.message}\n${out}`);
    },
  );
}

export interface StartOpts {
  /** Working directory; a fresh temp dir (removed on stop) when omitted. */
  dir?: string;
  /** Extra redis.conf directives as flags, e.g. ['--appendonly', 'yes']. */
  args?: string[];
  /** A config file to pass first. */
  conf?: string;
  /** Loopback address to bind and wait on (default 127.0.0.1); 127.0.0.x stand in for other hosts. */
  host?: string;
}

/** Start a real redis-server (the first on PATH) with no persistence unless args say so. */
export function startRedis(port: number, opts: StartOpts = {}): Promise<Proc> {
  const dir = opts.dir ?? tmpDir('kvctl-redis-');
  const args = [
    ...(opts.conf ? [opts.conf] : []),
    '--port', String(port), '--bind', opts.host ?? '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    ...(opts.args ?? []),
  ];
  return startProc('redis-server', args, port, dir, !opts.dir, opts.host);
}

/** Start the bundled engine from dist/ (npm test builds first) with the same arguments as redis-server. */
export function startEngine(port: number, opts: StartOpts = {}): Promise<Proc> {
  if (!existsSync(ENGINE_MAIN)) throw new Error(`${ENGINE_MAIN} is missing: run npm run build`);
  const dir = opts.dir ?? tmpDir('kvctl-engine-');
  const args = [
    ENGINE_MAIN,
    ...(opts.conf ? [opts.conf] : []),
    '--port', String(port), '--bind', opts.host ?? '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    ...(opts.args ?? []),
  ];
  // The environment kvctl up gives engine nodes (no NODE_EXTRA_CA_CERTS: ~50 ms of CPU per start).
  return startProc(process.execPath, args, port, dir, !opts.dir, opts.host, childEnv());
}

/**
 * Whether redis-server is on PATH, for describe.skipIf. Locally a missing redis-server skips the
 * differential tests; in CI (CI=true) it throws, so those test files fail instead of passing empty.
 */
export function hasRedisServer(): boolean {
  if (which('redis-server')) return true;
  if (process.env.CI) throw new Error('redis-server is not on PATH: CI must run the tests that need it (apt-get install redis-server redis-tools)');
  return false;
}
