// `kvctl up`: check the topology, render it into the state folder, start the supervisor (which spawns the
// nodes), wire a cluster, and wait until everything is truly ready. Steps are exposed one by one so the
// CLI can show them in a task list; up() runs them in order for the programmatic API.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { NodeAuth } from '../lib/auth.js';
import { UserError } from '../lib/errors.js';
import { childEnv, resolveEngine, launchArgs, type EngineChoice } from './engines.js';
import { down, downStateDir } from './down.js';
import { DAEMON_MAIN, kvctlHome } from './paths.js';
import { Probe, addr } from './ready.js';
import { renderTopology, type RenderedNode } from './render/index.js';
import { isAlive, sleep } from './supervisor/proc.js';
import { readState, stateFile, supervisorLog, writePlan, type Plan } from './supervisor/state.js';
import { TopologyError } from './topology/errors.js';
import { loadTopology } from './topology/load.js';
import { applyBasePort, checkPortsFree } from './topology/validate.js';
import { persistenceMode, type EngineName, type Role, type Topology } from './topology/types.js';

export interface UpOptions {
  /** Bundled name, YAML path, or an already loaded topology. */
  topology: string | Topology;
  /** Home of the state folders (default $KVCTL_HOME or ./.kvctl). */
  dir?: string;
  /** Run under another name (a second copy of a bundled topology). */
  name?: string;
  /** Shift every port so the lowest is this one. */
  basePort?: number;
  engine?: EngineName;
  engineBin?: string;
  /** Until everything is ready (default 60 s). */
  timeoutMs?: number;
  /** Stop everything when this process exits (--foreground). */
  attach?: boolean;
  graceMs?: number;
  onProgress?: (msg: string) => void;
  /** How kvctl logs in to the data nodes (--user/-a); default: the default user with auth.requirepass. */
  auth?: NodeAuth;
}

export interface Endpoint {
  name: string;
  role: Role;
  host: string;
  port: number;
  address: string;
  pid?: number;
}

export interface UpSummary {
  name: string;
  kind: Topology['kind'];
  engine: EngineName;
  stateDir: string;
  nodes: Endpoint[];
  /** Sentinel topologies: what clients pass to find the master. */
  masterName?: string;
  sentinels?: string[];
  masters: string[];
  replicas: string[];
  readyMs: number;
}

export interface UpContext {
  opts: UpOptions;
  topo: Topology;
  /** The log-in kvctl and its supervisor use on the data nodes. */
  auth: NodeAuth;
  engine: EngineChoice;
  home: string;
  stateDir: string;
  rendered: RenderedNode[];
  started: boolean;
  supervisorPid?: number;
  /** Cluster topologies: the admin library, imported while the nodes start (it costs ~0.1-0.3 s of CPU). */
  admin?: Promise<typeof import('../admin/create.js')>;
  /** The readiness probe's connections, from the start step to the last (closed there or by abortUp). */
  probe?: Probe;
  deadline: number;
  t0: number;
  summary?: UpSummary;
}

export interface UpStep {
  title: string | ((ctx: UpContext) => string);
  skip?: (ctx: UpContext) => boolean;
  run: (ctx: UpContext, progress: (msg: string) => void) => Promise<void>;
}

/** Loads and fully checks the topology; nothing on the machine changes. */
export async function prepareUp(opts: UpOptions): Promise<UpContext> {
  const t0 = Date.now();
  const topo = typeof opts.topology === 'string' ? loadTopology(opts.topology, opts.engine) : opts.topology;
  if (opts.name) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(opts.name)) throw new UserError(`invalid --name '${opts.name}': letters, digits, dot, dash and underscore`, 2);
    topo.name = opts.name;
  }
  if (opts.basePort !== undefined) applyBasePort(topo, opts.basePort);
  const engineName = opts.engine ?? topo.engine ?? 'builtin';
  const engine = resolveEngine(engineName, { engineBin: opts.engineBin, needsSentinel: topo.kind === 'sentinel' });
  const home = kvctlHome(opts.dir);
  const stateDir = path.join(home, topo.name);
  const prev = readState(stateDir);
  if (prev && (isAlive(prev.supervisor.pid, prev.supervisor.startTime) || Object.values(prev.nodes).some((n) => isAlive(n.pid, n.startTime)))) {
    throw new UserError(`topology '${topo.name}' is already running in ${stateDir} (kvctl down ${topo.name} first, or pick another --name)`);
  }
  const busy = await checkPortsFree(topo);
  if (busy.length) throw new TopologyError(topo.file, busy, topo.locate);
  if (!existsSync(DAEMON_MAIN)) throw new UserError(`kvctl is not built: ${DAEMON_MAIN} is missing (run npm run build)`);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const auth = opts.auth ?? { password: topo.auth.requirepass };
  if (auth.user !== undefined && auth.user !== 'default' && !topo.auth.users.some((u) => u.name === auth.user)) {
    const known = topo.auth.users.map((u) => u.name);
    throw new UserError(`--user ${auth.user} is not one of ${topo.name}'s auth.users (${known.length ? `allowed: ${known.join(', ')}` : 'it declares none'})`, 2);
  }
  return { opts, topo, auth, engine, home, stateDir, rendered: [], started: false, deadline: t0 + timeoutMs, t0 };
}

/** The last lines of a file, indented, for error messages. */
export function tail(file: string, lines = 10): string {
  if (!existsSync(file)) return `    (no log at ${file})`;
  const all = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  return all.slice(-lines).map((l) => `    ${l}`).join('\n') || `    (${file} is empty)`;
}

function nodeFailure(ctx: UpContext, nodeName: string, what: string): UserError {
  const r = ctx.rendered.find((x) => x.node.name === nodeName);
  const where = r ? ` ${addr(r.node)}` : '';
  const log = r ? `\n  last lines of ${r.paths.log}:\n${tail(r.paths.log)}` : '';
  return new UserError(`node ${nodeName}${where} ${what}${log}`);
}

/** A node that died or was restarted while starting up fails `up` at once (no waiting for the timeout). */
function checkCrashes(ctx: UpContext): void {
  const read = readState(ctx.stateDir);
  const state = read && read.supervisor.pid === ctx.supervisorPid ? read : undefined;
  if (ctx.supervisorPid && !isAlive(ctx.supervisorPid)) {
    throw new UserError(`the supervisor exited while starting ${ctx.topo.name}:\n${tail(supervisorLog(ctx.stateDir))}`);
  }
  for (const [name, st] of Object.entries(state?.nodes ?? {})) {
    if (st.state === 'failed') throw nodeFailure(ctx, name, `failed to start: ${st.reason ?? 'exited'}`);
    if (st.lastExit) {
      const how = st.lastExit.signal ?? `exit code ${st.lastExit.code}`;
      throw nodeFailure(ctx, name, `exited while starting (${how})`);
    }
  }
}

async function waitFor(ctx: UpContext, what: string, check: () => Promise<string[]>, progress: (m: string) => void): Promise<void> {
  let last: string[] = [];
  for (;;) {
    checkCrashes(ctx);
    last = await check();
    if (last.length === 0) return;
    progress(last[0]);
    if (Date.now() > ctx.deadline) {
      const timeout = Math.round((ctx.deadline - ctx.t0) / 1000);
      const first = last[0];
      const nodeName = ctx.topo.nodes.find((n) => first.startsWith(`${n.name} `) || first.startsWith(`${n.name}:`))?.name;
      const msg = `not ready after ${timeout} s (${what}): ${last.join('; ')}`;
      throw nodeName ? nodeFailure(ctx, nodeName, msg) : new UserError(`${ctx.topo.name} ${msg}`);
    }
    await sleep(25);
  }
}

function startSupervisor(ctx: UpContext): number {
  const { topo, engine } = ctx;
  const plan: Plan = {
    name: topo.name,
    kind: topo.kind,
    topologyFile: topo.file,
    engine: engine.name,
    password: ctx.auth.password,
    user: ctx.auth.user,
    parentPid: ctx.opts.attach ? process.pid : undefined,
    graceMs: ctx.opts.graceMs ?? 5000,
    restart: { fastCrashMs: 3000, maxFastCrashes: 5, baseDelayMs: 100, maxDelayMs: 5000 },
    masterName: topo.sentinel?.masterName,
    persistence: persistenceMode(topo.persistence),
    failover: topo.failover,
    nodes: ctx.rendered.map(({ node, paths }) => {
      const launcher = node.role === 'sentinel' ? engine.sentinel! : engine.server;
      const { cmd, args } = launchArgs(launcher, paths.conf);
      return { name: node.name, role: node.role, host: node.host, port: node.port, cmd, args, dir: paths.dir, conf: paths.conf, data: paths.data, log: paths.log, pidfile: paths.pid };
    }),
  };
  writePlan(ctx.stateDir, plan);
  rmSync(stateFile(ctx.stateDir), { force: true }); // a previous run's state must not look like this one's
  const fd = openSync(supervisorLog(ctx.stateDir), 'a');
  const child = spawn(process.execPath, [DAEMON_MAIN, ctx.stateDir], { detached: true, stdio: ['ignore', fd, fd], cwd: ctx.stateDir, env: childEnv() });
  closeSync(fd);
  child.unref();
  if (!child.pid) throw new UserError('cannot start the kvctl supervisor');
  return child.pid;
}

/**
 * One set of connections for every step's checks: a fresh set per step cost a connect (and AUTH) per node
 * and step. A connection that fails is dropped and redialled by the probe (a node may have restarted).
 */
function probeOf(ctx: UpContext): Probe {
  ctx.probe ??= new Probe(ctx.topo, ctx.auth);
  return ctx.probe;
}

function closeProbe(ctx: UpContext): void {
  ctx.probe?.close();
  ctx.probe = undefined;
}

export function upSteps(): UpStep[] {
  return [
    {
      title: (ctx) => `Render ${ctx.topo.nodes.length} configs into ${path.relative(process.cwd(), ctx.stateDir) || ctx.stateDir}`,
      run: async (ctx) => {
        ctx.rendered = renderTopology(ctx.topo, ctx.stateDir);
      },
    },
    {
      title: (ctx) => `Start ${ctx.topo.nodes.length} nodes (${ctx.engine.name === 'builtin' ? 'builtin engine' : ctx.engine.server.label})`,
      run: async (ctx, progress) => {
        ctx.supervisorPid = startSupervisor(ctx);
        ctx.started = true;
        // Only cluster topologies pay for the admin library; loading it overlaps the nodes' start-up.
        if (ctx.topo.kind === 'cluster') {
          ctx.admin = import('../admin/create.js');
          ctx.admin.catch(() => undefined); // awaited (and reported) by the create step
        }
        const probe = probeOf(ctx);
        await waitFor(ctx, 'nodes starting', () => probe.notAnswering(ctx.topo.nodes), progress);
      },
    },
    {
      title: (ctx) => `Create the cluster (${ctx.topo.nodes.length / ((ctx.topo.cluster?.replicas ?? 0) + 1)} masters, ${ctx.topo.cluster?.replicas ?? 0} replica(s) each)`,
      skip: (ctx) => ctx.topo.kind !== 'cluster',
      run: async (ctx, progress) => {
        const membership = await probeOf(ctx).clusterMembership();
        if (membership === 'joined') return progress('already created (data kept from an earlier run)');
        if (membership === 'mixed') {
          throw new UserError(`the nodes of ${ctx.topo.name} kept a partial cluster from an earlier run; kvctl down ${ctx.topo.name} --purge, then up again`);
        }
        const nodes = ctx.topo.nodes.map(addr);
        const { createCluster } = await (ctx.admin ?? import('../admin/create.js'));
        await createCluster({
          nodes,
          replicas: ctx.topo.cluster!.replicas,
          password: ctx.auth.password,
          user: ctx.auth.user,
          allowSmall: ctx.topo.cluster!.allowSmall,
          timeoutMs: Math.max(1000, ctx.deadline - Date.now()),
          onProgress: progress,
        });
      },
    },
    {
      title: (ctx) => `Wait until ${ctx.topo.kind === 'cluster' ? 'cluster_state is ok' : ctx.topo.kind === 'sentinel' ? 'replicas are in sync and sentinels agree' : ctx.topo.kind === 'master-replica' ? 'replicas are in sync' : 'ready'}`,
      run: async (ctx, progress) => {
        const probe = probeOf(ctx);
        try {
          await waitFor(ctx, 'readiness', () => probe.pending(), progress);
          ctx.summary = await summarize(ctx, probe);
        } finally {
          closeProbe(ctx);
        }
      },
    },
  ];
}

async function summarize(ctx: UpContext, probe: Probe): Promise<UpSummary> {
  const state = readState(ctx.stateDir);
  const nodes: Endpoint[] = await Promise.all(ctx.topo.nodes.map(async (n) => {
    let role: Role = n.role;
    if (ctx.topo.kind === 'cluster') {
      const r = await probe.on(n, (c) => c.call('ROLE')) as unknown[];
      role = r[0] === 'master' ? 'master' : 'replica';
    }
    return { name: n.name, role, host: n.host, port: n.port, address: addr(n), pid: state?.nodes[n.name]?.pid };
  }));
  return {
    name: ctx.topo.name,
    kind: ctx.topo.kind,
    engine: ctx.engine.name,
    stateDir: ctx.stateDir,
    nodes,
    masterName: ctx.topo.sentinel?.masterName,
    sentinels: ctx.topo.kind === 'sentinel' ? nodes.filter((n) => n.role === 'sentinel').map((n) => n.address) : undefined,
    masters: nodes.filter((n) => n.role === 'master').map((n) => n.address),
    replicas: nodes.filter((n) => n.role === 'replica').map((n) => n.address),
    readyMs: Date.now() - ctx.t0,
  };
}

/** After a failed step: stop whatever was started (the state folder stays, with its logs). */
export async function abortUp(ctx: UpContext): Promise<void> {
  closeProbe(ctx);
  if (!ctx.started) return;
  const pid = ctx.supervisorPid;
  if (pid && isAlive(pid) && readState(ctx.stateDir)?.supervisor.pid !== pid) {
    // The supervisor has not written its state yet: it may be spawning nodes; let it stop them itself.
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(20);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  await downStateDir(ctx.stateDir, { graceMs: 2000 });
}

export interface UpHandle extends UpSummary {
  /** Stops everything (kvctl down NAME); purge removes the state folder too. */
  stop(opts?: { purge?: boolean }): Promise<void>;
}

/** Programmatic `kvctl up`: resolves once the topology is ready; on failure nothing is left running. */
export async function up(opts: UpOptions): Promise<UpHandle> {
  const ctx = await prepareUp(opts);
  try {
    for (const step of upSteps()) {
      if (step.skip?.(ctx)) continue;
      const title = typeof step.title === 'string' ? step.title : step.title(ctx);
      opts.onProgress?.(title);
      await step.run(ctx, (m) => opts.onProgress?.(`${title}: ${m}`));
    }
  } catch (err) {
    await abortUp(ctx);
    throw err;
  }
  const summary = ctx.summary!;
  return {
    ...summary,
    stop: async (o = {}) => {
      await down(ctx.home, ctx.topo.name, { purge: o.purge });
    },
  };
}
