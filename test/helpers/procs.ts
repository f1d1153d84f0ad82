// Real processes for tests: spawn redis-server or the bundled engine on a loopback port, wait until it
// answers PING, and always stop it by pid (never by name).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinEntry, childEnv, which } from '../../src/orchestrator/engines.js';
import { ENGINE_NODE_FLAGS } from '../../src/engine/v8-flags.cjs';

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

/** Every process started and not yet stopped, with when it was started (ms). */
const live = new Map<Proc, number>();

/** Temp dirs made by this test file, removed by stopAll. */
const tmpDirs: string[] = [];

/** Kill every process a test file started and forgot, then remove its temp dirs (call from afterAll). */
export async function stopAll(): Promise<void> {
  const results = await Promise.allSettled([...live.keys()].map((p) => p.stop()));
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Stops the processes started at or after `since` (ms): test/helpers/retry-cleanup.ts calls it when a
 * test attempt fails, so that vitest's retry starts its own servers on the same fixed ports rather
 * than talking to the failed attempt's.
 */
export async function stopStartedSince(since: number): Promise<void> {
  const results = await Promise.allSettled([...live].filter(([, at]) => at >= since).map(([p]) => p.stop()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The engine's log line for an exception that escaped a handler (src/engine/internal-errors.ts). */
const INTERNAL_ERROR_LOG = /Internal error in '([^']*)'/;

/** INFO stats kvctl_internal_errors of a live engine, or null when it does not answer (auth, paused, gone). */
export function internalErrorCount(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<number | null> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    let got = '';
    const done = (v: number | null) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    s.on('connect', () => s.write('*2\r\n$4\r\nINFO\r\n$5\r\nstats\r\n'));
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.startsWith('-')) return done(null);
      const m = /kvctl_internal_errors:(\d+)/.exec(got);
      if (m) done(Number(m[1]));
      else if (got.startsWith('$') && got.endsWith('\r\n') && got.length > 8 && got.includes('\r\n\r\n')) done(null);
    });
    s.on('error', () => done(null));
  });
}

/**
 * An engine that counted or logged an internal error (an exception escaping a command handler) fails
 * the test file that ran it: such bugs are otherwise hidden behind an error reply.
 */
async function checkInternalErrors(proc: Proc): Promise<void> {
  const counted = await internalErrorCount(proc.port);
  const logged = INTERNAL_ERROR_LOG.exec(proc.output());
  if ((counted ?? 0) > 0 || logged) {
    throw new Error(`engine on port ${proc.port} hit ${counted ?? 'some'} internal error(s)${logged ? ` (first in '${logged[1]}')` : ''}:\n${proc.output().split('\n').filter((l) => l.includes('Internal error')).slice(0, 3).join('\n')}`);
  }
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

/**
 * Resolves once the server on host:port answers PING with anything but -LOADING (PONG, NOAUTH, ...).
 * An open port is not a started server: both redis-server and the engine listen before they load
 * their data, so a test that touches the data files right after the port opens races the load.
 */
export async function waitForAnswer(port: number, host = '127.0.0.1', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const first = await new Promise<string>((resolve) => {
      const s = net.connect({ port, host });
      let got = '';
      // A server that accepts but does not answer (busy loading a big dump synchronously) gets a new
      // probe rather than holding this one past the deadline.
      s.setTimeout(Math.max(100, Math.min(5000, deadline - Date.now())), () => s.destroy());
      s.once('connect', () => s.write('PING\r\n'));
      s.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        if (got.includes('\r\n')) { s.destroy(); resolve(got.slice(0, got.indexOf('\r\n'))); }
      });
      s.once('error', () => resolve(''));
      s.once('close', () => resolve(''));
    });
    if (first !== '' && !first.startsWith('-LOADING')) return;
    if (Date.now() > deadline) throw new Error(`${host}:${port} did not answer PING (last: ${JSON.stringify(first)}) within ${timeoutMs} ms`);
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

function startProc(cmd: string, args: string[], port: number, dir: string, ownDir: boolean, host = '127.0.0.1', checkInternal = false, env?: NodeJS.ProcessEnv, portOnly = false): Promise<Proc> {
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
      const alive = child.exitCode === null && child.signalCode === null;
      let internal: unknown = null;
      if (checkInternal) internal = await checkInternalErrors(proc).then(() => null, (e: unknown) => e);
      if (alive) {
        try { process.kill(proc.pid, 'SIGKILL'); } catch { /* already gone */ }
        await exited;
      }
      if (ownDir) rmSync(dir, { recursive: true, force: true });
      if (internal) throw internal;
    },
  };
  live.set(proc, Date.now());
  return waitForPort(port, host).then(() => (portOnly ? undefined : waitForAnswer(port, host))).then(
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
  /** The test provokes internal errors on purpose (DEBUG ASSERT): stop() does not fail on them. */
  expectInternalErrors?: boolean;
  /** startEngine: another build's main.cjs instead of dist/'s (a benchmark's A/B of two builds). */
  main?: string;
  /** startEngine: start as kvctl up does (builtinEntry: the V8 start-up snapshot when it is fresh). */
  asUp?: boolean;
  /** Resolve once the port is open, not once PING answers without -LOADING (a test of the load itself). */
  portOnly?: boolean;
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
    // ENGINE_NODE_FLAGS as kvctl up starts nodes (orchestrator/engines.ts builtinEntry)
    ...(opts.asUp ? builtinEntry(path.dirname(ENGINE_MAIN), childEnv()) : [...ENGINE_NODE_FLAGS, opts.main ?? ENGINE_MAIN]),
    ...(opts.conf ? [opts.conf] : []),
    '--port', String(port), '--bind', opts.host ?? '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    ...(opts.args ?? []),
  ];
  // The environment kvctl up gives engine nodes (no NODE_EXTRA_CA_CERTS: ~50 ms of CPU per start).
  return startProc(process.execPath, args, port, dir, !opts.dir, opts.host, !opts.expectInternalErrors, childEnv(), opts.portOnly);
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
