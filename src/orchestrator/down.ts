// Stopping a topology: ask the supervisor (SIGTERM) to stop its nodes; if it is dead, hung or gone, stop
// every recorded node ourselves (SHUTDOWN, SIGTERM, SIGKILL to the process group). Leaves nothing running.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { NodeAuth } from '../lib/auth.js';
import { UserError } from '../lib/errors.js';
import { isAlive, sleep, stopProcess } from './supervisor/proc.js';
import { readPlan, readState, topologyNames, writeState, type State } from './supervisor/state.js';

export interface DownResult {
  name: string;
  stateDir: string;
  /** How each node went: shutdown, sigterm, sigkill, gone (was not running). */
  nodes: Record<string, string>;
  supervisor: 'stopped' | 'killed' | 'gone';
  purged: boolean;
}

export interface DownOptions {
  purge?: boolean;
  /** Per step of the stop sequence (default 5000 ms). */
  graceMs?: number;
  /** Log-in for SHUTDOWN when kvctl stops the nodes itself (default: the plan's). */
  auth?: NodeAuth;
}

export async function downStateDir(stateDir: string, opts: DownOptions = {}): Promise<DownResult> {
  const plan = readPlan(stateDir);
  if (!plan) throw new UserError(`${stateDir} holds no kvctl topology (no plan.json)`);
  const graceMs = opts.graceMs ?? plan.graceMs ?? 5000;
  const result: DownResult = { name: plan.name, stateDir, nodes: {}, supervisor: 'gone', purged: false };

  const before = readState(stateDir);
  const sup = before?.supervisor;
  if (sup && isAlive(sup.pid, sup.startTime)) {
    process.kill(sup.pid, 'SIGTERM');
    // The supervisor stops its nodes one role after another, each with the full grace sequence.
    const deadline = Date.now() + graceMs * 3 + 2000;
    while (isAlive(sup.pid, sup.startTime) && Date.now() < deadline) await sleep(20);
    if (isAlive(sup.pid, sup.startTime)) {
      process.kill(sup.pid, 'SIGKILL');
      result.supervisor = 'killed';
    } else {
      result.supervisor = 'stopped';
    }
  }

  // Whatever the supervisor left (or never got to, when it was killed): read the freshest state.
  const state: State | undefined = readState(stateDir) ?? before;
  await Promise.all(plan.nodes.map(async (n) => {
    const st = state?.nodes[n.name];
    const how = await stopProcess(
      { pid: st?.pid, startTime: st?.startTime, host: n.host, port: n.port, ...(n.role === 'sentinel' ? {} : opts.auth ?? { user: plan.user, password: plan.password }) },
      graceMs,
    );
    result.nodes[n.name] = result.supervisor === 'stopped' && how === 'gone' ? 'stopped' : how;
    if (st) st.state = 'stopped';
  }));
  if (state) {
    state.supervisor.status = 'stopped';
    writeState(stateDir, state);
  }
  if (opts.purge) {
    rmSync(stateDir, { recursive: true, force: true });
    result.purged = true;
  }
  return result;
}

/** Stops NAME under home, or every topology there when name is omitted. */
export async function down(home: string, name: string | undefined, opts: DownOptions = {}): Promise<DownResult[]> {
  const names = topologyNames(home, name);
  const results: DownResult[] = [];
  for (const n of names) results.push(await downStateDir(path.join(home, n), opts));
  return results;
}
