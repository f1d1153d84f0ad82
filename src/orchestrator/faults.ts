// Fault injection for tests, on every engine: stop, start, restart, kill and pause a node through its
// topology's supervisor (so the restart policy honours them), and wait until a node has a role. NODE is
// resolved by node-ref.ts (a name, TOPOLOGY/NODE, master, master:SLOT).
import { authFailure, isAuthFailure, type NodeAuth } from '../lib/auth.js';
import { UserError } from '../lib/errors.js';
import { kvctlHome } from './paths.js';
import { resolveNode, type ResolvedNode } from './node-ref.js';
import { RespConn } from './resp.js';
import { sendControl, type ControlRequest, type NodeAction } from './supervisor/control.js';
import { isAlive, sleep } from './supervisor/proc.js';
import { readState } from './supervisor/state.js';
import { parseRole } from './supervisor/watch.js';

export interface FaultOptions {
  /** Home of the state folders (default $KVCTL_HOME or ./.kvctl). */
  dir?: string;
  /** Log-in for the nodes asked (master forms, wait; default: the plan's credentials). */
  auth?: NodeAuth;
}

export interface FaultResult extends NodeAction {
  topology: string;
  address: string;
}

async function viaSupervisor(ref: string, req: Omit<ControlRequest, 'node'>, opts: FaultOptions): Promise<FaultResult> {
  const r = await resolveNode(kvctlHome(opts.dir), ref, opts.auth);
  const sup = readState(r.stateDir)?.supervisor;
  if (!sup || sup.status !== 'running' || !isAlive(sup.pid, sup.startTime)) {
    throw new UserError(`the supervisor of ${r.topology} is not running (kvctl up ${r.topology}, or kvctl down ${r.topology} to clean up)`);
  }
  try {
    const res = await sendControl(r.stateDir, { ...req, node: r.node.name });
    return { topology: r.topology, address: `${r.node.host}:${r.node.port}`, ...res };
  } catch (e) {
    throw new UserError(`${req.op} ${r.topology}/${r.node.name}: ${(e as Error).message}`);
  }
}

/** Stops a node gracefully; the supervisor keeps it down until startNode. */
export function stopNode(ref: string, opts: FaultOptions = {}): Promise<FaultResult> {
  return viaSupervisor(ref, { op: 'stop' }, opts);
}

/** Starts a stopped node, the way a crashed one is restarted (a master that would come back empty waits for a failover). */
export function startNode(ref: string, opts: FaultOptions = {}): Promise<FaultResult> {
  return viaSupervisor(ref, { op: 'start' }, opts);
}

export function restartNode(ref: string, opts: FaultOptions = {}): Promise<FaultResult> {
  return viaSupervisor(ref, { op: 'restart' }, opts);
}

/** Sends a signal (SIGKILL by default) to the node's process: the supervisor treats the exit as a crash. */
export function killNode(ref: string, opts: FaultOptions & { signal?: string } = {}): Promise<FaultResult> {
  return viaSupervisor(ref, { op: 'kill', signal: opts.signal ?? 'SIGKILL' }, opts);
}

/** SIGSTOP now, SIGCONT after `seconds` (sent by the supervisor): a master that comes back stale. */
export async function pauseNode(ref: string, seconds: number, opts: FaultOptions = {}): Promise<FaultResult> {
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new UserError(`invalid --seconds ${seconds}: a number of seconds above 0`, 2);
  return viaSupervisor(ref, { op: 'pause', seconds }, opts);
}

export type WaitRole = 'master' | 'replica' | 'down';

export interface WaitResult {
  topology: string;
  node: string;
  address: string;
  role: WaitRole;
  ms: number;
}

/** What the node is now, for the timeout message and the check. */
async function lookAt(r: ResolvedNode, firstPid: number | undefined, auth: NodeAuth | undefined): Promise<{ is: WaitRole | 'replica-syncing' | 'unanswering'; text: string }> {
  const st = readState(r.stateDir)?.nodes[r.node.name];
  const alive = isAlive(st?.pid, st?.startTime);
  if (!alive || (firstPid !== undefined && st?.pid !== firstPid)) {
    return { is: 'down', text: `it is ${alive ? 'back after going down' : `down (${st?.state ?? 'unknown'}${st?.note ? `: ${st.note}` : ''})`}` };
  }
  if (st?.state === 'paused') return { is: 'unanswering', text: 'it is paused' };
  let c: RespConn | undefined;
  try {
    c = await RespConn.connect(r.node.host, r.node.port, { ...(auth ?? { user: r.plan.user, password: r.plan.password }), connectTimeoutMs: 500, commandTimeoutMs: 1000 });
    const role = parseRole(String(await c.call('INFO', 'replication')));
    if (role.role === 'master') return { is: 'master', text: 'it is master' };
    const of = r.plan.nodes.find((n) => `${n.host}:${n.port}` === role.masterAddr)?.name ?? role.masterAddr;
    return role.linkUp ? { is: 'replica', text: `it is a replica of ${of}` } : { is: 'replica-syncing', text: `it is a replica of ${of} with the link down` };
  } catch (e) {
    if (isAuthFailure(e)) throw authFailure(`${r.node.host}:${r.node.port}`, auth, e);
    return { is: 'unanswering', text: `it does not answer (${(e as Error).message})` };
  } finally {
    c?.close();
  }
}

/**
 * Waits until the node is master, a replica with its link up, or down (its process gone, or gone and
 * already restarted since the wait began). NODE is resolved once, at the start.
 */
export async function waitNode(ref: string, role: WaitRole, opts: FaultOptions & { timeoutMs?: number } = {}): Promise<WaitResult> {
  if (!['master', 'replica', 'down'].includes(role)) throw new UserError(`invalid --role '${role}' (allowed: master, replica, down)`, 2);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const r = await resolveNode(kvctlHome(opts.dir), ref, opts.auth);
  const t0 = Date.now();
  const st0 = readState(r.stateDir)?.nodes[r.node.name];
  const firstPid = role === 'down' && isAlive(st0?.pid, st0?.startTime) ? st0?.pid : undefined;
  for (;;) {
    const now = await lookAt(r, firstPid, opts.auth);
    if (now.is === role) return { topology: r.topology, node: r.node.name, address: `${r.node.host}:${r.node.port}`, role, ms: Date.now() - t0 };
    if (Date.now() - t0 >= timeoutMs) {
      throw new UserError(`${r.topology}/${r.node.name} is not ${role === 'down' ? 'down' : `${role === 'master' ? 'master' : 'a replica'}`} after ${timeoutMs / 1000} s: ${now.text}`);
    }
    await sleep(100);
  }
}
