// The supervisor: a lean, detached Node process (no oclif) started by `kvctl up` as
//   node dist/orchestrator/supervisor/daemon.js <state folder>
// It spawns every node of plan.json in its own process group, watches each data node's current role
// (watch.ts), restarts crashed nodes the way that keeps their data (policy.ts: at once with backoff, or a
// master without durable persistence only after a replica took over, as a replica of it: switch.ts),
// records everything in state.json, and on SIGTERM / SIGINT / SIGHUP (or when a foreground parent is
// gone) stops every node gracefully and exits.
import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import type { Server } from 'node:net';
import { RespPool } from '../resp.js';
import { controlPath, serveControl } from './control.js';
import { decideRecovery, type Recovery, type SwitchKind } from './policy.js';
import { isAlive, procStartTime, sleep, stopProcess } from './proc.js';
import { readPlan, writeState, type NodeStatus, type Plan, type PlannedNode, type State } from './state.js';
import { SWITCH_POLL_MS, followArgs, promote, switched, type SwitchCtx } from './switch.js';
import { RoleWatch } from './watch.js';

export class Supervisor {
  readonly state: State;
  readonly watch: RoleWatch;
  private readonly sentinels = new RespPool({ connectTimeoutMs: 500, commandTimeoutMs: 1000 });
  private stopping = false;
  private fastCrashes = new Map<string, number>();
  private timers = new Map<string, NodeJS.Timeout>();
  private exits = new Map<string, Promise<void>>();
  /** Nodes waiting for a switch before their restart: the token of the live wait (a new one cancels it). */
  private waits = new Map<string, object>();
  private control?: Server;
  private deciding = new Map<string, Promise<void>>();

  constructor(
    private readonly stateDir: string,
    readonly plan: Plan,
  ) {
    this.state = {
      supervisor: { pid: process.pid, startTime: procStartTime(process.pid), startedAt: Date.now(), status: 'running' },
      nodes: Object.fromEntries(plan.nodes.map((n) => [n.name, { state: 'starting', restarts: 0 } satisfies NodeStatus])),
      updatedAt: Date.now(),
    };
    this.watch = new RoleWatch(plan, this.state, () => this.save());
  }

  save(): void {
    writeState(this.stateDir, this.state);
  }

  log(msg: string): void {
    process.stdout.write(`${new Date().toISOString()} ${msg}\n`);
  }

  /** Records what the supervisor does with a node and why, in state.json (status shows it) and the log. */
  note(n: PlannedNode, msg: string): void {
    this.state.nodes[n.name].note = msg;
    this.log(msg);
    this.save();
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  node(name: string): PlannedNode | undefined {
    return this.plan.nodes.find((n) => n.name === name);
  }

  /** Resolves when the node's current process has exited (at once when there is none). */
  exited(name: string): Promise<void> {
    return this.exits.get(name) ?? Promise.resolve();
  }

  start(): void {
    this.save();
    for (const n of this.plan.nodes) this.spawnNode(n, [], false);
    this.save(); // once for the whole topology: a state.json rewrite per node cost ~10 ms each under load
    this.watch.start();
    this.control = serveControl(this, this.stateDir);
  }

  spawnNode(n: PlannedNode, extraArgs: string[] = [], save = true): void {
    const st = this.state.nodes[n.name];
    const args = [...n.args, ...extraArgs];
    const fd = openSync(n.log, 'a');
    writeSync(fd, `--- kvctl: starting ${n.name}: ${n.cmd} ${args.join(' ')}\n`);
    const child = spawn(n.cmd, args, { cwd: n.data, detached: true, stdio: ['ignore', fd, fd] });
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
    if (save) this.save();
    this.log(`${n.name}: started pid ${child.pid}${extraArgs.length ? ` (${extraArgs.join(' ')})` : ''}`);
    child.once('exit', (code, signal) => {
      resolveExit();
      this.onExit(n, code, signal);
    });
  }

  /**
   * The role a node had when it went down, and the replicas following it: the live nodes that still name
   * it as their master (asked now: a poll from before its replicas attached would say none), or as many
   * as the last poll counted, whichever is more.
   */
  private async roleAtDeath(n: PlannedNode): Promise<{ role: 'master' | 'replica' | 'sentinel'; replicas: number }> {
    const st = this.state.nodes[n.name];
    if (n.role === 'sentinel') return { role: 'sentinel', replicas: 0 };
    const others = this.plan.nodes.filter((x) => x.role !== 'sentinel' && x.name !== n.name && this.state.nodes[x.name].state === 'running');
    const looks = await Promise.all(others.map((x) => this.watch.look(x)));
    const following = looks.filter((r) => r?.masterAddr === `${n.host}:${n.port}`).length;
    return { role: following > 0 ? 'master' : (st.role ?? n.role), replicas: Math.max(following, st.replicas ?? 0) };
  }

  async recoveryFor(n: PlannedNode): Promise<Recovery> {
    return decideRecovery({
      name: n.name,
      kind: this.plan.kind,
      ...(await this.roleAtDeath(n)),
      persistence: this.plan.persistence ?? 'none',
      failover: this.plan.failover ?? 'promote',
    });
  }

  private onExit(n: PlannedNode, code: number | null, signal: NodeJS.Signals | null): void {
    const st = this.state.nodes[n.name];
    const lived = Date.now() - (st.startedAt ?? 0);
    st.lastExit = { code, signal, at: Date.now() };
    this.watch.pool.drop(n.host, n.port);
    clearTimeout(this.timers.get(`pause:${n.name}`));
    st.pausedUntil = undefined;
    if (this.stopping) {
      st.state = 'stopped';
      this.save();
      return;
    }
    const how = signal ?? `exit code ${code}`;
    if (st.held) {
      st.state = 'stopped';
      this.note(n, `${n.name}: stopped by kvctl stop (${how}); not restarted until kvctl start`);
      void this.onMasterGone(n);
      return;
    }
    st.state = 'restarting';
    this.save();
    this.deciding.set(n.name, this.recover(n, how, lived).catch((e: Error) => this.log(`${n.name}: recovery failed: ${e.message}`)));
  }

  /** Resolves once the supervisor has decided what to do after the node's last exit. */
  async decided(name: string): Promise<void> {
    await this.deciding.get(name);
  }

  private async recover(n: PlannedNode, how: string, lived: number): Promise<void> {
    const st = this.state.nodes[n.name];
    const rec = await this.recoveryFor(n);
    if (this.stopping || st.held) return;
    if (rec.action === 'after-switch') {
      st.state = 'waiting';
      this.note(n, `${n.name} exited (${how}) after ${lived} ms: ${rec.why}`);
      void this.restartAfterSwitch(n, rec.switch);
      return;
    }
    const policy = this.plan.restart;
    const fast = lived < policy.fastCrashMs ? (this.fastCrashes.get(n.name) ?? 0) + 1 : 0;
    this.fastCrashes.set(n.name, fast);
    if (fast >= policy.maxFastCrashes) {
      st.state = 'failed';
      st.reason = `gave up after ${fast} crashes within ${policy.fastCrashMs} ms of starting (last: ${how})`;
      this.log(`${n.name}: ${st.reason}`);
      this.save();
      return;
    }
    const delay = Math.min(policy.baseDelayMs * 2 ** Math.max(0, fast - 1), policy.maxDelayMs);
    st.state = 'restarting';
    st.restarts += 1;
    this.note(n, `${n.name} exited (${how}) after ${lived} ms: ${rec.why} (restart ${st.restarts} in ${delay} ms)`);
    this.timers.set(n.name, setTimeout(() => {
      this.timers.delete(n.name);
      if (!this.stopping && !st.held) this.restartNow(n, rec);
    }, delay));
  }

  /** Starts a node that went down, following the current master when it is (or was) a replica. */
  restartNow(n: PlannedNode, rec: Recovery): void {
    const st = this.state.nodes[n.name];
    if (rec.action === 'restart' && rec.mayLoseData) st.keysBeforeRestart = st.keys ?? 0;
    const asReplica = n.role !== 'sentinel' && (st.role ?? n.role) === 'replica';
    const args = asReplica ? followArgs(this.plan, this.currentMaster(n)) : n.role === 'sentinel' ? [] : followArgs(this.plan, undefined);
    this.spawnNode(n, args);
  }

  /** The running data node (other than n) that answered ROLE master at the last poll. */
  private currentMaster(n: PlannedNode): PlannedNode | undefined {
    return this.plan.nodes.find((x) => x.name !== n.name && x.role !== 'sentinel' && this.state.nodes[x.name].state === 'running' && this.state.nodes[x.name].role === 'master');
  }

  /** master-replica with failover: promote: a master that goes down (even by kvctl stop) hands over. */
  private async onMasterGone(n: PlannedNode): Promise<void> {
    const rec = await this.recoveryFor(n);
    if (rec.action === 'after-switch' && rec.switch === 'promote') void this.promoteFor(n);
  }

  private switchCtx(): SwitchCtx {
    return { plan: this.plan, state: this.state, watch: this.watch, sentinels: this.sentinels };
  }

  private async promoteFor(n: PlannedNode): Promise<void> {
    try {
      // Once per loss of a master: a second promotion (say at kvctl start of a stopped old master) would
      // leave two masters.
      const already = await switched(this.switchCtx(), n, 'manual');
      if (already) return this.log(`${n.name}: ${already.detail}, no promotion needed`);
      const p = await promote(this.switchCtx(), n);
      if (!p) return this.log(`${n.name}: no replica answers, none promoted`);
      this.log(`${n.name}: promoted ${p.chosen.name} (replication offset ${p.offset}) to master${p.repointed.length ? `, ${p.repointed.join(', ')} now follow${p.repointed.length === 1 ? 's' : ''} it` : ''}`);
      this.state.nodes[p.chosen.name].role = 'master';
      this.state.nodes[p.chosen.name].master = undefined;
      for (const r of p.repointed) this.state.nodes[r].master = p.chosen.name;
      this.save();
    } catch (e) {
      this.log(`${n.name}: promotion failed: ${(e as Error).message}`);
    }
  }

  /** Waits (without end: a restart as master would lose data) until a replica took over, then restarts n. */
  async restartAfterSwitch(n: PlannedNode, how: SwitchKind): Promise<void> {
    const token = {};
    this.waits.set(n.name, token);
    const st = this.state.nodes[n.name];
    const live = (): boolean => this.waits.get(n.name) === token && !this.stopping && !st.held;
    if (how === 'promote') await this.promoteFor(n);
    const t0 = Date.now();
    while (live()) {
      const done = await switched(this.switchCtx(), n, how).catch(() => undefined);
      if (!live()) return;
      if (done) {
        this.waits.delete(n.name);
        st.restarts += 1;
        st.role = 'replica';
        st.master = done.master?.name;
        st.state = 'restarting';
        this.note(n, `${n.name}: ${done.detail} after ${Date.now() - t0} ms; restarted it as a replica${done.master ? ` of ${done.master.name}` : ''}`);
        this.spawnNode(n, followArgs(this.plan, done.master));
        return;
      }
      await sleep(SWITCH_POLL_MS);
    }
  }

  /**
   * A Sentinel topology's master resumed after a pause during which Sentinel promoted another node: make
   * it a replica now rather than when Sentinel next looks at it (up to 10 s during which it would take
   * writes that are then thrown away).
   */
  async demoteIfStale(n: PlannedNode): Promise<void> {
    if (this.plan.kind !== 'sentinel' || n.role === 'sentinel' || (await this.watch.look(n))?.role !== 'master') return;
    const done = await switched(this.switchCtx(), n, 'sentinel').catch(() => undefined);
    if (!done?.master || done.master.name === n.name) return;
    try {
      await this.watch.call(n, 'REPLICAOF', done.master.host, done.master.port);
      this.note(n, `${n.name}: resumed as a stale master (${done.detail} while it was paused); made it a replica of ${done.master.name}`);
    } catch (e) {
      this.log(`${n.name}: could not make it a replica of ${done.master.name}: ${(e as Error).message}`);
    }
  }

  /** A timer the supervisor clears when it stops (or when the same key is set again). */
  timerFor(key: string, ms: number, fn: () => void): void {
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      fn();
    }, ms));
  }

  /** Cancels a pending wait-for-switch or delayed restart of n. */
  cancelRestart(name: string): void {
    this.waits.delete(name);
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
  }

  /** Stops one node gracefully (a paused one is resumed first, or SHUTDOWN would hang on it). */
  async stopNode(n: PlannedNode): Promise<'shutdown' | 'sigterm' | 'sigkill' | 'gone'> {
    const st = this.state.nodes[n.name];
    this.resume(n);
    if (st.state === 'running' || st.state === 'starting') st.state = 'stopping';
    const how = await stopProcess({ pid: st.pid, startTime: st.startTime, host: n.host, port: n.port, ...(n.role === 'sentinel' ? {} : { user: this.plan.user, password: this.plan.password }) }, this.plan.graceMs);
    if (st.pid && !isAlive(st.pid, st.startTime)) await this.exits.get(n.name);
    return how;
  }

  /** SIGCONT to a node paused by kvctl pause. */
  resume(n: PlannedNode): void {
    const st = this.state.nodes[n.name];
    clearTimeout(this.timers.get(`pause:${n.name}`));
    this.timers.delete(`pause:${n.name}`);
    if (st.state !== 'paused') return;
    if (st.pid && isAlive(st.pid, st.startTime)) process.kill(st.pid, 'SIGCONT');
    st.state = 'running';
    st.pausedUntil = undefined;
    this.save();
  }

  /** Stops every node (sentinels first, then replicas, masters last, by their current roles) and records it. */
  async stop(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log(`stopping: ${reason}`);
    this.watch.stop();
    this.waits.clear();
    for (const t of this.timers.values()) clearTimeout(t); // paused nodes are resumed by stopNode
    this.state.supervisor.status = 'stopping';
    this.save();
    const roleNow = (n: PlannedNode): PlannedNode['role'] => (n.role === 'sentinel' ? 'sentinel' : (this.state.nodes[n.name].role ?? n.role));
    for (const role of ['sentinel', 'replica', 'master'] as const) {
      await Promise.all(
        this.plan.nodes.filter((n) => roleNow(n) === role).map(async (n) => {
          await this.stopNode(n);
          this.state.nodes[n.name].state = 'stopped';
        }),
      );
    }
    this.sentinels.closeAll();
    this.control?.close();
    rmSync(controlPath(this.stateDir), { force: true });
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
