// The supervisor: a lean, detached Node process (no oclif) started by `kvctl up` as
//   node dist/orchestrator/supervisor/daemon.js <state folder>
// It spawns every node of plan.json in its own process group, restarts crashed nodes with backoff
// (giving up after repeated fast crashes), records everything in state.json, and on SIGTERM / SIGINT /
// SIGHUP (or when a foreground parent is gone) stops every node gracefully and exits.
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { isAlive, procStartTime, stopProcess } from './proc.js';
import { readPlan, writeState, type NodeStatus, type Plan, type PlannedNode, type State } from './state.js';

export class Supervisor {
  readonly state: State;
  private stopping = false;
  private fastCrashes = new Map<string, number>();
  private timers = new Map<string, NodeJS.Timeout>();
  private exits = new Map<string, Promise<void>>();

  constructor(
    private readonly stateDir: string,
    private readonly plan: Plan,
  ) {
    this.state = {
      supervisor: { pid: process.pid, startTime: procStartTime(process.pid), startedAt: Date.now(), status: 'running' },
      nodes: Object.fromEntries(plan.nodes.map((n) => [n.name, { state: 'starting', restarts: 0 } satisfies NodeStatus])),
      updatedAt: Date.now(),
    };
  }

  private save(): void {
    writeState(this.stateDir, this.state);
  }

  private log(msg: string): void {
    process.stdout.write(`${new Date().toISOString()} ${msg}\n`);
  }

  start(): void {
    this.save();
    for (const n of this.plan.nodes) this.spawnNode(n);
    this.save();
  }

  private spawnNode(n: PlannedNode): void {
    const st = this.state.nodes[n.name];
    const fd = openSync(n.log, 'a');
    writeSync(fd, `--- kvctl: starting ${n.name}: ${n.cmd} ${n.args.join(' ')}\n`);
    const child = spawn(n.cmd, n.args, { cwd: n.data, detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let resolveExit!: () => void;
    this.exits.set(n.name, new Promise<void>((r) => (resolveExit = r)));
    child.once('error', (err) => {
      st.state = 'failed';
      st.reason = `cannot start ${n.cmd}: ${err.message}`;
      this.log(`${n.name}: ${st.reason}`);
      this.save();
      resolveExit();
    });
    if (child.pid === undefined) return;
    st.pid = child.pid;
    st.startTime = procStartTime(child.pid);
    st.startedAt = Date.now();
    st.state = 'running';
    this.save();
    this.log(`${n.name}: started pid ${child.pid}`);
    child.once('exit', (code, signal) => {
      resolveExit();
      this.onExit(n, code, signal);
    });
  }

  private onExit(n: PlannedNode, code: number | null, signal: NodeJS.Signals | null): void {
    const st = this.state.nodes[n.name];
    const lived = Date.now() - (st.startedAt ?? 0);
    st.lastExit = { code, signal, at: Date.now() };
    if (this.stopping) {
      st.state = 'stopped';
      this.save();
      return;
    }
    const policy = this.plan.restart;
    const fast = lived < policy.fastCrashMs ? (this.fastCrashes.get(n.name) ?? 0) + 1 : 0;
    this.fastCrashes.set(n.name, fast);
    if (fast >= policy.maxFastCrashes) {
      st.state = 'failed';
      st.reason = `gave up after ${fast} crashes within ${policy.fastCrashMs} ms of starting (last: ${signal ?? `exit code ${code}`})`;
      this.log(`${n.name}: ${st.reason}`);
      this.save();
      return;
    }
    const delay = Math.min(policy.baseDelayMs * 2 ** Math.max(0, fast - 1), policy.maxDelayMs);
    st.state = 'restarting';
    st.restarts += 1;
    this.log(`${n.name}: exited (${signal ?? `code ${code}`}) after ${lived} ms, restart ${st.restarts} in ${delay} ms`);
    this.save();
    this.timers.set(n.name, setTimeout(() => {
      this.timers.delete(n.name);
      if (!this.stopping) this.spawnNode(n);
    }, delay));
  }

  /** Stops every node (sentinels first, replicas before masters) and records it. */
  async stop(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log(`stopping: ${reason}`);
    for (const t of this.timers.values()) clearTimeout(t);
    this.state.supervisor.status = 'stopping';
    this.save();
    const order: PlannedNode['role'][] = ['sentinel', 'replica', 'master'];
    for (const role of order) {
      await Promise.all(
        this.plan.nodes.filter((n) => n.role === role).map(async (n) => {
          const st = this.state.nodes[n.name];
          if (st.state === 'running' || st.state === 'starting') st.state = 'stopping';
          await stopProcess({ pid: st.pid, startTime: st.startTime, host: n.host, port: n.port, password: role === 'sentinel' ? undefined : this.plan.password }, this.plan.graceMs);
          if (st.pid && !isAlive(st.pid, st.startTime)) await this.exits.get(n.name);
          st.state = 'stopped';
        }),
      );
    }
    this.state.supervisor.status = 'stopped';
    this.save();
    this.log('stopped');
  }

  /** Resolves when a foreground parent disappears. */
  watchParent(pid: number): void {
    const t = setInterval(() => {
      if (!isAlive(pid)) {
        clearInterval(t);
        void this.stop(`parent process ${pid} is gone`).then(() => process.exit(0));
      }
    }, 500);
  }
}

async function main(): Promise<void> {
  const stateDir = process.argv[2];
  const plan = stateDir ? readPlan(stateDir) : undefined;
  if (!stateDir || !plan) {
    process.stderr.write('usage: daemon.js <state folder with plan.json>\n');
    process.exit(2);
  }
  const sup = new Supervisor(stateDir, plan);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(sig, () => void sup.stop(sig).then(() => process.exit(0)));
  }
  sup.start();
  if (plan.parentPid) sup.watchParent(plan.parentPid);
}

// Nothing else keeps the supervisor alive once every node has failed: status must still find it.
setInterval(() => undefined, 1 << 30);
await main();
