// `kvctl failover HOST:PORT`: a master-replica switch without Sentinel, by the FAILOVER command (Redis
// 6.2+ and the engine): the master pauses writes, waits until the target replica has everything,
// hands over and follows it. No acknowledged write is lost; the window writes waited is reported.
import { UserError } from '../lib/errors.js';
import { connect, info, type AuthOpts } from './client.js';
import { sleep } from './agreement.js';
import { isMaster } from './sentinel-failover.js';

export interface NodeFailoverOpts {
  master: string;
  /** HOST:PORT of the replica to hand over to (default: the first one in sync). */
  to?: string;
  timeoutMs?: number;
  /** FAILOVER ... FORCE: hand over at the timeout even if the target has not caught up. */
  force?: boolean;
  auth?: AuthOpts;
}

export interface NodeFailoverResult {
  from: string;
  to: string;
  /** From FAILOVER to the new master answering ROLE master. */
  unavailableMs: number;
  ms: number;
}

export async function nodeFailover(opts: NodeFailoverOpts): Promise<NodeFailoverResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const auth = opts.auth ?? {};
  const c = await connect(opts.master, auth);
  try {
    const args = ['FAILOVER'];
    if (opts.to) {
      const i = opts.to.lastIndexOf(':');
      args.push('TO', opts.to.slice(0, i), opts.to.slice(i + 1));
      if (opts.force) args.push('FORCE');
    } else if (opts.force) {
      throw new UserError('--force needs --to HOST:PORT (FAILOVER FORCE hands over to a named replica)', 2);
    }
    args.push('TIMEOUT', String(timeoutMs));
    const t0 = Date.now();
    try {
      await c.send(args[0], ...args.slice(1));
    } catch (e) {
      throw new UserError(`${c.addr} refused FAILOVER: ${(e as Error).message}`);
    }
    for (;;) {
      const r = await info(c, 'replication');
      if (r.master_failover_state === 'no-failover') {
        if (r.role !== 'slave') throw new UserError(`FAILOVER of ${c.addr} was aborted (see its log): it is still the master`);
        const to = `${r.master_host}:${r.master_port}`;
        while (!(await isMaster(to, auth))) {
          if (Date.now() - t0 > timeoutMs + 5000) throw new UserError(`${to} did not answer as a master after the FAILOVER of ${c.addr}`);
          await sleep(10);
        }
        return { from: c.addr, to, unavailableMs: Date.now() - t0, ms: Date.now() - t0 };
      }
      if (Date.now() - t0 > timeoutMs + 5000) throw new UserError(`FAILOVER of ${c.addr} still ${r.master_failover_state} after ${timeoutMs} ms`);
      await sleep(10);
    }
  } finally {
    c.close();
  }
}
