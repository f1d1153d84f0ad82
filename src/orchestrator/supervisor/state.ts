// The files a state folder holds besides the nodes' own: plan.json (what the supervisor runs, written by
// up) and state.json (pids, restarts, node states; written only by the supervisor, atomically).
import { existsSync, readFileSync, renameSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../lib/errors.js';
import type { EngineName, Kind, Role } from '../topology/types.js';

export interface PlannedNode {
  name: string;
  role: Role;
  host: string;
  port: number;
  cmd: string;
  args: string[];
  /** The node's folder: conf, data/, log and pid live here. */
  dir: string;
  conf: string;
  data: string;
  log: string;
  pidfile: string;
}

export interface RestartPolicy {
  /** A node that dies sooner than this after starting counts as a fast crash. */
  fastCrashMs: number;
  /** Give up after this many fast crashes in a row. */
  maxFastCrashes: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** What survives a node's process crash: see policy.ts for what the supervisor does with each. */
export type PersistenceMode = 'none' | 'rdb' | 'aof' | 'aof-always';
/** master-replica without Sentinel, when a master without durable persistence dies (policy.ts). */
export type FailoverMode = 'promote' | 'manual';

export interface Plan {
  name: string;
  kind: Kind;
  /** Older plan.json files lack it: read as 'none' (the bundled default). */
  persistence?: PersistenceMode;
  failover?: FailoverMode;
  topologyFile: string;
  engine: EngineName;
  /** For SHUTDOWN on nodes with requirepass. */
  password?: string;
  /** ACL user kvctl logs in as with password (kvctl up --user); the default user when omitted. */
  user?: string;
  /** Foreground runs: the supervisor stops everything when this process is gone. */
  parentPid?: number;
  graceMs: number;
  restart: RestartPolicy;
  nodes: PlannedNode[];
  /** Extra endpoint facts for status (sentinel master name, cluster replicas). */
  masterName?: string;
}

/**
 * waiting: down, and not restarted until a replica has taken over (a master whose restart would lose data);
 * paused: SIGSTOPped by `kvctl pause`; stopped: by `kvctl stop` (held until `kvctl start`) or `kvctl down`.
 */
export type NodeState = 'starting' | 'running' | 'restarting' | 'waiting' | 'paused' | 'failed' | 'stopping' | 'stopped';

export interface NodeStatus {
  pid?: number;
  /** /proc start time of pid, to never signal a recycled pid. */
  startTime?: string;
  state: NodeState;
  restarts: number;
  startedAt?: number;
  lastExit?: { code: number | null; signal: string | null; at: number };
  /** Why the supervisor gave up (state failed). */
  reason?: string;
  /** The role the node has now (the supervisor polls it), which a failover changes: not the planned one. */
  role?: 'master' | 'replica';
  /** Replicas: the node (name, or host:port when it is no node of the topology) it follows now. */
  master?: string;
  /** Masters: replicas connected at the last poll. */
  replicas?: number;
  /** Keys held at the last poll (every db). */
  keys?: number;
  /** Cluster nodes: id and slot ranges at the last poll. */
  nodeId?: string;
  slots?: string;
  /** Stopped by `kvctl stop`: not restarted until `kvctl start`. */
  held?: boolean;
  /** Paused (SIGSTOP) by `kvctl pause` until this time. */
  pausedUntil?: number;
  /** The last thing the supervisor did with this node, and why. */
  note?: string;
  /** Set when a restart lost data (a node without persistence that came back empty). */
  dataLost?: string;
  /** Keys it held before a restart that may lose data; compared with what it holds once back. */
  keysBeforeRestart?: number;
}

export interface State {
  supervisor: { pid: number; startTime?: string; startedAt: number; status: 'running' | 'stopping' | 'stopped' };
  nodes: Record<string, NodeStatus>;
  updatedAt: number;
}

export const planFile = (stateDir: string): string => path.join(stateDir, 'plan.json');
export const stateFile = (stateDir: string): string => path.join(stateDir, 'state.json');
export const supervisorLog = (stateDir: string): string => path.join(stateDir, 'supervisor.log');

function writeAtomic(file: string, value: unknown, mode?: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode });
  renameSync(tmp, file);
}

export function writePlan(stateDir: string, plan: Plan): void {
  writeAtomic(planFile(stateDir), plan, 0o600);
}

export function readPlan(stateDir: string): Plan | undefined {
  const f = planFile(stateDir);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Plan) : undefined;
}

export function writeState(stateDir: string, state: State): void {
  state.updatedAt = Date.now();
  writeAtomic(stateFile(stateDir), state);
}

export function readState(stateDir: string): State | undefined {
  const f = stateFile(stateDir);
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

/** [name] when it exists under home (else a UserError listing what does), or every topology there. */
export function topologyNames(home: string, name?: string): string[] {
  const known = listTopologies(home);
  if (!name) return known;
  if (!known.includes(name)) throw new UserError(`no topology '${name}' in ${home} (${known.length ? `known: ${known.join(', ')}` : 'none is there'})`);
  return [name];
}

/** Names of the topologies with a state folder under home. */
export function listTopologies(home: string): string[] {
  if (!existsSync(home)) return [];
  return readdirSync(home, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(planFile(path.join(home, d.name))))
    .map((d) => d.name)
    .sort();
}
