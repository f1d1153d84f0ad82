// Process helpers shared by the supervisor and `kvctl down`: liveness that survives pid reuse, and the
// graceful stop sequence (SHUTDOWN, SIGTERM to the process group, SIGKILL after a grace period).
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { NodeAuth } from '../../lib/auth.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Start time (clock ticks since boot) of a live, non-zombie process; undefined when it is gone. */
export function procStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    return process.platform === 'linux' ? undefined : signalZero(pid) ? 'unknown' : undefined;
  }
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when pid is alive and (when known) still the process that started at startTime. */
export function isAlive(pid: number | undefined, startTime?: string): boolean {
  if (!pid || pid <= 0) return false;
  const now = procStartTime(pid);
  if (now === undefined) return false;
  return !startTime || startTime === 'unknown' || now === 'unknown' || now === startTime;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* no such group: nothing left (never fall back to the bare pid, it may be recycled) */
  }
}

async function waitDead(pid: number, startTime: string | undefined, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid, startTime)) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Sends SHUTDOWN (after AUTH when a password is set) without waiting for a reply. */
export function sendShutdown(host: string, port: number, auth: NodeAuth = {}, timeoutMs = 1000): Promise<void> {
  const login = auth.password === undefined ? [] : auth.user ? ['AUTH', auth.user, auth.password] : ['AUTH', auth.password];
  const cmd = (...args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (): void => { s.destroy(); resolve(); };
    const timer = setTimeout(done, timeoutMs);
    s.once('connect', () => s.write((login.length ? cmd(...login) : '') + cmd('SHUTDOWN')));
    s.on('data', () => undefined);
    s.once('error', () => { clearTimeout(timer); done(); });
    s.once('close', () => { clearTimeout(timer); done(); });
  });
}

export interface StopTarget {
  pid?: number;
  startTime?: string;
  host: string;
  port: number;
  password?: string;
  user?: string;
}

/**
 * Stops one node and everything in its process group: SHUTDOWN, then SIGTERM, then SIGKILL, each after
 * graceMs. Signals go to the group only while the leader is verified (or gone: Linux does not reuse a
 * pid while its process group still has members).
 */
export async function stopProcess(t: StopTarget, graceMs: number): Promise<'shutdown' | 'sigterm' | 'sigkill' | 'gone'> {
  const pid = t.pid;
  if (!pid) return 'gone';
  if (!isAlive(pid, t.startTime)) {
    if (procStartTime(pid) === undefined) signalGroup(pid, 'SIGKILL');
    return 'gone';
  }
  await sendShutdown(t.host, t.port, { user: t.user, password: t.password }, Math.min(graceMs, 1000));
  if (await waitDead(pid, t.startTime, graceMs)) {
    signalGroup(pid, 'SIGKILL'); // forked children (BGSAVE) of a node that exited
    return 'shutdown';
  }
  signalGroup(pid, 'SIGTERM');
  if (await waitDead(pid, t.startTime, graceMs)) {
    signalGroup(pid, 'SIGKILL');
    return 'sigterm';
  }
  signalGroup(pid, 'SIGKILL');
  await waitDead(pid, t.startTime, graceMs);
  return 'sigkill';
}
