// appendfsync always: a SET's +OK leaves only after the AOF write holding it and an fdatasync of the AOF
// that completed after that write. kill -9 cannot show a missing fsync (the page cache outlives the
// process), so the engine runs under strace and the test reads the order of its syscalls: one client
// (the reply goes out in the read's own turn) and four concurrent clients (group commit: the turn's
// replies after one write + fsync). Ports 12700-12701.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE_MAIN, tmpDir, waitForAnswer } from '../helpers/procs.js';
import { RespClient } from '../helpers/resp.js';
import { ENGINE_NODE_FLAGS } from '../../src/engine/v8-flags.cjs';
import { childEnv, which } from '../../src/orchestrator/engines.js';

const P = 12700;

/** Locally a missing strace skips this file; in CI (CI=true) it fails (.ci/run installs strace). */
function hasStrace(): boolean {
  if (which('strace')) return true;
  if (process.env.CI) throw new Error('strace is not on PATH: CI must run durable-sync-order (apt-get install strace)');
  return false;
}

interface Traced {
  strace: ChildProcess;
  enginePid: number;
  file: string;
}
const started: Traced[] = [];

async function startTraced(port: number): Promise<Traced> {
  const dir = tmpDir('kvctl-sync-order-');
  const file = path.join(dir, 'strace.out');
  const args = ['-f', '-qq', '-s', '4096', '-e', 'trace=write,writev,fdatasync,fsync', '-e', 'signal=none', '-o', file, '--',
    process.execPath, ...ENGINE_NODE_FLAGS, ENGINE_MAIN, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];
  const strace = spawn('strace', args, { stdio: 'ignore', env: childEnv() });
  const t: Traced = { strace, enginePid: 0, file };
  started.push(t);
  await waitForAnswer(port);
  t.enginePid = childOf(strace.pid!);
  expect(t.enginePid).toBeGreaterThan(0);
  return t;
}

/** The process strace started (the engine node), 0 when there is none (yet). */
function childOf(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0]) || 0;
  } catch {
    return 0;
  }
}

async function stop(t: Traced): Promise<void> {
  if (t.strace.exitCode !== null || t.strace.signalCode !== null) return;
  const exited = new Promise((r) => t.strace.once('exit', r));
  t.enginePid ||= childOf(t.strace.pid!);
  // The engine by its pid (strace exits with it); strace itself when there is no engine (a pid of 0
  // would signal the test's own process group).
  if (t.enginePid > 0) {
    try {
      process.kill(t.enginePid, 'SIGTERM');
    } catch {
      t.strace.kill('SIGKILL');
    }
  } else t.strace.kill('SIGKILL');
  await exited;
}

afterAll(async () => {
  for (const t of started) {
    await stop(t);
    rmSync(path.dirname(t.file), { recursive: true, force: true });
  }
});

/** One syscall from the trace: its line of start and of completion (they differ when another thread's line came between). */
interface Call {
  tid: string;
  name: string;
  fd: number;
  data: string;
  start: number;
  end: number;
}

/** The write/writev/fdatasync/fsync calls of an strace -f log, with `<unfinished ...>` / `<... resumed>` pairs joined. */
function parseTrace(text: string): Call[] {
  const calls: Call[] = [];
  const open = new Map<string, Call>();
  text.split('\n').forEach((line, i) => {
    const resumed = /^(\d+)\s+<\.\.\. (\w+) resumed>/.exec(line);
    if (resumed) {
      const c = open.get(resumed[1]);
      if (c) c.end = i;
      open.delete(resumed[1]);
      return;
    }
    const m = /^(\d+)\s+(write|writev|fdatasync|fsync)\((\d+)(.*)$/.exec(line);
    if (!m) return;
    const c: Call = { tid: m[1], name: m[2], fd: Number(m[3]), data: m[4], start: i, end: i };
    calls.push(c);
    if (line.endsWith('<unfinished ...>')) open.set(m[1], c);
  });
  return calls;
}

/** Each client says ECHO so-client-<w> (its socket's fd in the trace), then SET so:<w>:<i> one at a time, `n` each, all clients at once. */
async function writeSets(port: number, clients: number, n: number): Promise<void> {
  const conns = await Promise.all(Array.from({ length: clients }, () => RespClient.connect(port)));
  await Promise.all(conns.map(async (c, w) => {
    expect(await c.call(['ECHO', `so-client-${w}`])).toEqual({ t: 'bulk', v: `so-client-${w}` });
    for (let i = 0; i < n; i++) expect(await c.call(['SET', `so:${w}:${i}`, `v${i}`])).toEqual({ t: 'simple', v: 'OK' });
  }));
  conns.forEach((c) => c.close());
}

/**
 * For every SET so:<w>:<i>: the AOF write holding it, then an fdatasync/fsync of that fd that completed
 * after it, then the (i+1)-th +OK on client w's socket, which starts after that completion.
 */
function checkOrder(calls: Call[], clients: number, n: number): void {
  const writes = calls.filter((c) => c.name === 'write' || c.name === 'writev');
  for (let w = 0; w < clients; w++) {
    const echo = writes.find((c) => c.data.includes(`so-client-${w}\\r\\n`));
    expect(echo, `the ECHO reply of client ${w}`).toBeDefined();
    const replies = writes.filter((c) => c.fd === echo!.fd && c.start > echo!.start && c.data.includes('+OK\\r\\n'));
    expect(replies.length).toBe(n);
    for (let i = 0; i < n; i++) {
      const key = `so:${w}:${i}`;
      const a = writes.find((c) => c.data.includes(`$${key.length}\\r\\n${key}\\r\\n`));
      expect(a, `the AOF write of ${key}`).toBeDefined();
      const r = replies[i];
      const sync = calls.find((c) => (c.name === 'fdatasync' || c.name === 'fsync') && c.fd === a!.fd && c.start > a!.end && c.end < r.start);
      expect(sync, `${key}: an fsync of the AOF between its write (trace line ${a!.start}) and its +OK (line ${r.start})`).toBeDefined();
    }
  }
}

describe.skipIf(!hasStrace())('appendfsync always: the reply follows the fsync that covers the write', () => {
  it('one client: every +OK after the AOF write and its fdatasync', async () => {
    const t = await startTraced(P);
    await writeSets(P, 1, 30);
    await stop(t);
    const calls = parseTrace(readFileSync(t.file, 'utf8'));
    expect(calls.some((c) => c.name === 'fdatasync')).toBe(true);
    checkOrder(calls, 1, 30);
  });

  it('four concurrent clients (group commit): every +OK after the AOF write and its fdatasync', async () => {
    const t = await startTraced(P + 1);
    await writeSets(P + 1, 4, 20);
    await stop(t);
    checkOrder(parseTrace(readFileSync(t.file, 'utf8')), 4, 20);
  });
});
