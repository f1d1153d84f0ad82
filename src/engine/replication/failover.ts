// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms], as Redis 7.0: a master hands over to one of
// its replicas without losing a write. Writes are paused (pause.ts) while the state is
// waiting-for-sync; once the target replica has acknowledged the whole offset, this master turns into
// its replica and asks `PSYNC <replid> <offset> FAILOVER`, which makes the target promote itself and
// continue the same history (+CONTINUE). Success or failure ends the pause; a failure (or the timeout
// without FORCE) leaves this node the master.
import type { Server } from '../server.js';
import { pauseOf } from '../pause.js';
import { repl } from './state.js';

export type FailoverStateName = 'no-failover' | 'waiting-for-sync' | 'failover-in-progress';

interface Deps {
  replicaOf(srv: Server, host: string, port: number, who?: string): boolean;
  promote(srv: Server, who?: string): void;
  /** Asks replicas for an ACK now (REPLCONF GETACK in the stream). */
  requestAcks(): void;
}

export class Failover {
  state: FailoverStateName = 'no-failover';
  target: { host: string; port: number } | null = null;
  force = false;
  /** Absolute ms; 0: no timeout. */
  endTime = 0;

  constructor(private readonly srv: Server, private readonly deps: Deps) {}

  start(target: { host: string; port: number } | null, timeoutMs: number, force: boolean): void {
    const { srv } = this;
    this.state = 'waiting-for-sync';
    this.target = target;
    this.force = force;
    this.endTime = timeoutMs > 0 ? Date.now() + timeoutMs : 0;
    pauseOf(srv).pause('failover', 'write', Number.MAX_SAFE_INTEGER);
    srv.log.notice(target ? `FAILOVER requested to ${target.host}:${target.port}.` : 'FAILOVER requested to any replica.');
    this.deps.requestAcks();
    this.cron();
  }

  abort(reason: string): void {
    const { srv } = this;
    if (this.state === 'no-failover') return;
    srv.log.notice(`FAILOVER to ${this.target ? `${this.target.host}:${this.target.port}` : 'any replica'} aborted: ${reason}`);
    if (this.state === 'failover-in-progress') this.deps.promote(srv, 'failover abort');
    this.clear();
  }

  private clear(): void {
    this.state = 'no-failover';
    this.target = null;
    this.force = false;
    this.endTime = 0;
    pauseOf(this.srv).unpause('failover');
  }

  /** Redis's updateFailoverStatus: runs every cron tick and whenever an ACK arrives. */
  cron(): void {
    if (this.state !== 'waiting-for-sync') return;
    const st = repl(this.srv);
    if (this.endTime && Date.now() >= this.endTime) {
      if (this.force && this.target) return this.handOver(this.target);
      return this.abort('Replica never caught up before timeout');
    }
    const ready = st.replicas.find((r) => r.state === 'online' && r.ackOffset >= st.offset &&
      (!this.target || (r.ip === this.target.host && r.port === this.target.port)));
    if (ready) this.handOver({ host: ready.ip, port: ready.port });
  }

  private handOver(target: { host: string; port: number }): void {
    this.target = target;
    this.state = 'failover-in-progress';
    this.srv.log.notice(`Failover target ${target.host}:${target.port} is synced, failing over.`);
    this.deps.replicaOf(this.srv, target.host, target.port, 'failover');
  }

  /** The PSYNC we send carries FAILOVER while we hand over (replica.ts asks). */
  psyncExtra(): string[] {
    return this.state === 'failover-in-progress' ? ['FAILOVER'] : [];
  }

  /** The target's answer to PSYNC ... FAILOVER: +CONTINUE / +FULLRESYNC ends the failover, anything else aborts it. */
  onPsyncReply(accepted: boolean): void {
    if (this.state !== 'failover-in-progress') return;
    if (!accepted) return this.abort('Failover target rejected psync request');
    this.srv.log.notice(`Failover target ${this.target?.host}:${this.target?.port} is now master.`);
    this.clear();
  }
}

const FAILOVERS = new WeakMap<Server, Failover>();

export function failoverOf(srv: Server): Failover | undefined {
  return FAILOVERS.get(srv);
}

export function installFailover(srv: Server, deps: Deps): Failover {
  const f = new Failover(srv, deps);
  FAILOVERS.set(srv, f);
  srv.hooks.cron.push(() => f.cron());
  return f;
}
