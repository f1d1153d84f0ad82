// The supervisor's control socket: how `kvctl stop|start|restart|kill|pause` reach the process that owns
// the nodes, so that what they do is honoured by the restart policy (a stopped node stays down until
// started, a killed master goes through the same recovery as a crash). One JSON line in, one out, over a
// unix socket in the state folder (or under the temp folder when that path is too long for a socket).
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { NodeState, PlannedNode } from './state.js';
import type { Supervisor } from './daemon.js';
import { isAlive } from './proc.js';

export type ControlOp = 'stop' | 'start' | 'restart' | 'kill' | 'pause';

export interface ControlRequest {
  op: ControlOp;
  node: string;
  /** kill: the signal name (SIGKILL by default). */
  signal?: string;
  /** pause: how long. */
  seconds?: number;
}

export interface NodeAction {
  node: string;
  op: ControlOp;
  /** The pid acted on (stop, kill, pause), or the new one (start, restart). */
  pid?: number;
  /** The node's role when the action was taken. */
  role?: string;
  /** Its state once the action is done. */
  state: NodeState;
  /** stop: how the process ended (shutdown, sigterm, sigkill, gone). */
  how?: string;
  signal?: string;
  /** pause: when the supervisor resumes it (SIGCONT). */
  resumesAt?: string;
  /** What the supervisor does with the node now, and why. */
  note?: string;
}

type Reply = { ok: true; result: NodeAction } | { ok: false; error: string };

/** The control socket of a state folder (unix socket paths are limited to ~107 bytes). */
export function controlPath(stateDir: string): string {
  const p = path.join(path.resolve(stateDir), 'control.sock');
  if (Buffer.byteLength(p) <= 100) return p;
  return path.join(os.tmpdir(), `kvctl-${createHash('sha1').update(path.resolve(stateDir)).digest('hex').slice(0, 16)}.sock`);
}

class ControlError extends Error {}

const SIGNALS = Object.keys(os.constants.signals);

function act(sup: Supervisor, n: PlannedNode, op: ControlOp, extra: Partial<NodeAction> = {}): NodeAction {
  const st = sup.state.nodes[n.name];
  return { node: n.name, op, pid: st.pid, role: n.role === 'sentinel' ? 'sentinel' : (st.role ?? n.role), state: st.state, note: st.note, ...extra };
}

function running(sup: Supervisor, n: PlannedNode): number {
  const st = sup.state.nodes[n.name];
  if (st.held || st.state === 'stopped') throw new ControlError(`${n.name} is stopped (kvctl start ${n.name} starts it)`);
  if (!st.pid || !isAlive(st.pid, st.startTime) || st.state === 'waiting' || st.state === 'restarting' || st.state === 'failed') {
    throw new ControlError(`${n.name} is not running (${st.state}${st.note ? `: ${st.note}` : ''})`);
  }
  return st.pid;
}

async function stop(sup: Supervisor, n: PlannedNode): Promise<NodeAction> {
  const st = sup.state.nodes[n.name];
  if (st.held || st.state === 'stopped') throw new ControlError(`${n.name} is already stopped (kvctl start ${n.name} starts it)`);
  const role = act(sup, n, 'stop').role;
  const pid = st.pid;
  sup.cancelRestart(n.name);
  st.held = true;
  if (!isAlive(st.pid, st.startTime)) {
    const was = st.state;
    st.state = 'stopped';
    sup.note(n, `${n.name}: stopped by kvctl stop while ${was}; not restarted until kvctl start`);
    return act(sup, n, 'stop', { how: 'gone', pid, role });
  }
  const how = await sup.stopNode(n);
  return act(sup, n, 'stop', { how, pid, role });
}

async function start(sup: Supervisor, n: PlannedNode, op: ControlOp = 'start'): Promise<NodeAction> {
  const st = sup.state.nodes[n.name];
  if (!st.held && st.state !== 'stopped' && st.state !== 'failed') {
    if (st.state === 'waiting') throw new ControlError(`${n.name} is not stopped: it is waiting to restart (${st.note ?? 'for a failover'})`);
    throw new ControlError(`${n.name} is already ${st.state === 'paused' ? 'running (paused)' : st.state}${st.pid && isAlive(st.pid, st.startTime) ? ` (pid ${st.pid})` : ''}`);
  }
  st.held = false;
  st.reason = undefined;
  const rec = await sup.recoveryFor(n);
  if (rec.action === 'after-switch') {
    st.state = 'waiting';
    sup.note(n, `${n.name}: started by kvctl ${op}: ${rec.why}`);
    void sup.restartAfterSwitch(n, rec.switch);
  } else {
    sup.note(n, `${n.name}: started by kvctl ${op}: ${rec.why.replace(/: restarting it/, ': starting it')}`);
    sup.restartNow(n, rec);
  }
  return act(sup, n, op);
}

async function kill(sup: Supervisor, n: PlannedNode, signal = 'SIGKILL'): Promise<NodeAction> {
  const sig = signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
  if (!SIGNALS.includes(sig)) throw new ControlError(`unknown signal '${signal}' (e.g. SIGKILL, SIGTERM, SIGSEGV)`);
  const pid = running(sup, n);
  const role = act(sup, n, 'kill').role;
  if (sig !== 'SIGKILL' && sup.state.nodes[n.name].state === 'paused') sup.resume(n); // else it stays pending
  sup.log(`${n.name}: kvctl kill sends ${sig} to pid ${pid} (${role})`);
  const exited = sup.exited(n.name);
  process.kill(pid, sig as NodeJS.Signals);
  // Signals that end a process: answer once the supervisor has seen the exit and decided what to do.
  if (['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGSEGV', 'SIGABRT', 'SIGBUS', 'SIGHUP'].includes(sig)) {
    await Promise.race([exited.then(() => sup.decided(n.name)), new Promise((r) => setTimeout(r, 15_000))]);
  }
  return act(sup, n, 'kill', { pid, signal: sig, role });
}

function pause(sup: Supervisor, n: PlannedNode, seconds: number): NodeAction {
  const st = sup.state.nodes[n.name];
  if (st.state === 'paused') throw new ControlError(`${n.name} is already paused until ${new Date(st.pausedUntil ?? 0).toISOString()}`);
  const pid = running(sup, n);
  process.kill(pid, 'SIGSTOP');
  st.state = 'paused';
  st.pausedUntil = Date.now() + seconds * 1000;
  sup.note(n, `${n.name}: paused (SIGSTOP) by kvctl pause for ${seconds} s`);
  sup.timerFor(`pause:${n.name}`, seconds * 1000, () => {
    sup.resume(n);
    sup.note(n, `${n.name}: resumed (SIGCONT) after a ${seconds} s pause`);
    void sup.demoteIfStale(n);
  });
  return act(sup, n, 'pause', { pid, resumesAt: new Date(st.pausedUntil).toISOString() });
}

async function handle(sup: Supervisor, req: ControlRequest): Promise<NodeAction> {
  const n = sup.node(req.node);
  if (!n) throw new ControlError(`no node '${req.node}' in ${sup.plan.name}`);
  if (sup.isStopping) throw new ControlError(`${sup.plan.name} is stopping`);
  switch (req.op) {
    case 'stop':
      return stop(sup, n);
    case 'start':
      return start(sup, n);
    case 'restart': {
      const st = sup.state.nodes[n.name];
      if (!st.held && st.state !== 'stopped' && st.state !== 'failed') {
        if (st.state === 'waiting') throw new ControlError(`${n.name} is waiting to restart (${st.note ?? 'for a failover'})`);
        await stop(sup, n);
      }
      return start(sup, n, 'restart');
    }
    case 'kill':
      return kill(sup, n, req.signal);
    case 'pause':
      if (!(typeof req.seconds === 'number' && req.seconds > 0)) throw new ControlError(`invalid pause of ${req.seconds} s`);
      return pause(sup, n, req.seconds);
    default:
      throw new ControlError(`unknown operation '${String(req.op)}'`);
  }
}

/** Serves the control socket until the supervisor stops; requests run one at a time. */
export function serveControl(sup: Supervisor, stateDir: string): net.Server {
  const file = controlPath(stateDir);
  rmSync(file, { force: true });
  let queue: Promise<unknown> = Promise.resolve();
  const server = net.createServer((sock) => {
    let buf = '';
    sock.on('error', () => undefined);
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      queue = queue.then(async () => {
        let reply: Reply;
        try {
          reply = { ok: true, result: await handle(sup, JSON.parse(line) as ControlRequest) };
        } catch (e) {
          if (!(e instanceof ControlError)) sup.log(`control: ${(e as Error).stack ?? String(e)}`);
          reply = { ok: false, error: (e as Error).message };
        }
        sock.end(JSON.stringify(reply) + '\n');
      });
    });
  });
  server.listen(file);
  return server;
}

/** Sends one request to the supervisor of stateDir; rejects with its one-line error. */
export function sendControl(stateDir: string, req: ControlRequest, timeoutMs = 60_000): Promise<NodeAction> {
  const file = controlPath(stateDir);
  if (!existsSync(file)) return Promise.reject(new Error('the supervisor has no control socket (started by an older kvctl? kvctl down, then up again)'));
  return new Promise((resolve, reject) => {
    const sock = net.connect(file);
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`the supervisor did not answer ${req.op} ${req.node} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    sock.on('connect', () => sock.write(JSON.stringify(req) + '\n'));
    sock.on('data', (d) => (buf += d.toString('utf8')));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot reach the supervisor: ${e.message}`));
    });
    sock.on('end', () => {
      clearTimeout(timer);
      try {
        const reply = JSON.parse(buf) as Reply;
        if (reply.ok) resolve(reply.result);
        else reject(new Error(reply.error));
      } catch {
        reject(new Error('the supervisor closed the control connection without an answer'));
      }
    });
  });
}
