// Shared by the orchestrator integration tests: run the real CLI in a private KVCTL home, and always
// clean up by pid (kvctl down, then SIGKILL to every recorded process group).
import { onTestFailed } from 'vitest';
import { execa } from 'execa';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { KVCTL_BIN, tmpDir } from '../helpers/procs.js';

export interface Cli {
  home: string;
  run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  json<T = any>(...args: string[]): Promise<T>;
  state(name: string): { supervisor: { pid: number }; nodes: Record<string, { pid?: number; restarts: number; state: string; keys?: number }> };
  /** Every pid kvctl recorded under home: supervisors and nodes. */
  pids(): number[];
  /** Stops (by pid) every topology whose supervisor started at or after `since` (ms). */
  stopStartedSince(since: number): Promise<void>;
  /** Arms stopStartedSince(now) for when the current test attempt fails (run('up', ...) does it; a
   * test that starts kvctl up another way calls it first). */
  stopOnFailure(): void;
  cleanup(): Promise<void>;
}

function killGroups(pids: number[]): void {
  for (const pid of pids) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
    try { if (alive(pid)) process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

function statesIn(home: string): { name: string; supervisor: { pid: number; startedAt?: number }; nodes: Record<string, { pid?: number }> }[] {
  if (!existsSync(home)) return [];
  return readdirSync(home)
    .filter((d) => existsSync(path.join(home, d, 'state.json')))
    .map((d) => ({ name: d, ...JSON.parse(readFileSync(path.join(home, d, 'state.json'), 'utf8')) }));
}

const pidsOf = (s: ReturnType<typeof statesIn>[number]): number[] =>
  [s.supervisor.pid, ...Object.values(s.nodes).map((n) => n.pid ?? 0).filter(Boolean)];


export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

export function cli(): Cli {
  const home = tmpDir('kvctl-orch-');
  const c: Cli = {
    home,
    async run(...args) {
      if (args[0] === 'up') c.stopOnFailure();
      const dir = ['up', 'down', 'status', 'logs'].includes(args[0]) ? ['--dir', home] : [];
      const r = await execa(process.execPath, [KVCTL_BIN, ...args, ...dir], { reject: false, env: { FORCE_COLOR: '0', NO_COLOR: '1' } });
      return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    async json(...args) {
      const r = await c.run(...args, '--json');
      if (r.code !== 0) throw new Error(`kvctl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return JSON.parse(r.stdout);
    },
    state(name) {
      return JSON.parse(readFileSync(path.join(home, name, 'state.json'), 'utf8'));
    },
    pids() {
      return statesIn(home).flatMap(pidsOf);
    },
    async stopStartedSince(since) {
      for (const s of statesIn(home).filter((x) => (x.supervisor.startedAt ?? 0) >= since)) {
        await c.run('down', s.name, '--grace', '1000');
        killGroups(pidsOf(s));
      }
    },
    // A test attempt that fails stops what its `kvctl up` started before vitest retries it: the retry
    // uses the same fixed ports (afterAll's cleanup comes only after the retry).
    stopOnFailure() {
      const since = Date.now();
      try {
        onTestFailed(() => c.stopStartedSince(since));
      } catch {
        /* not inside a test (beforeAll): afterAll's cleanup stops it */
      }
    },
    async cleanup() {
      await c.run('down', '--grace', '1000');
      killGroups(c.pids());
      rmSync(home, { recursive: true, force: true });
    },
  };
  return c;
}

export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
