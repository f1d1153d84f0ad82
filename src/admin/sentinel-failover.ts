// `kvctl failover`: a Sentinel-driven failover of a monitored master (SENTINEL FAILOVER), waiting until
// the switch is done: the Sentinel reports another address for the master and that node answers as a
// master. Works with any Sentinel (redis-sentinel / valkey) watching engine or redis-server nodes.
import { UserError } from '../lib/errors.js';
import { connect, type AuthOpts, type Conn } from './client.js';
import { sleep } from './agreement.js';

export interface FailoverOpts {
  /** The Sentinel to ask, HOST:PORT. */
  sentinel: string;
  /** The monitored master's name (sentinel monitor <name> ...). */
  master: string;
  timeoutMs?: number;
  /** AUTH for the Sentinel (sentinel requirepass). */
  sentinelAuth?: AuthOpts;
  /** AUTH for the data nodes (to check the promoted node's role). */
  auth?: AuthOpts;
}

export interface FailoverResult {
  master: string;
  from: string;
  to: string;
  /** Milliseconds from SENTINEL FAILOVER to the new master answering ROLE as master. */
  ms: number;
}

const POLL_MS = 50;

/** SENTINEL GET-MASTER-ADDR-BY-NAME as host:port, null when the name is unknown. */
export async function masterAddr(s: Conn, name: string): Promise<string | null> {
  const r = (await s.send('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as [string, string] | null;
  return r ? `${r[0]}:${r[1]}` : null;
}

/** True once the node at addr answers ROLE with "master"; false while unreachable or still a replica. */
export async function isMaster(addr: string, auth: AuthOpts): Promise<boolean> {
  let c: Conn | undefined;
  try {
    c = await connect(addr, { ...auth, connectTimeoutMs: 1000, commandTimeoutMs: 1000 });
    return ((await c.call('ROLE')) as unknown[])[0] === 'master';
  } catch {
    return false;
  } finally {
    c?.close();
  }
}

export async function sentinelFailover(opts: FailoverOpts): Promise<FailoverResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const s = await connect(opts.sentinel, opts.sentinelAuth);
  try {
    const from = await masterAddr(s, opts.master).catch((e: Error) => {
      throw new UserError(`${s.addr} is not a Sentinel (SENTINEL GET-MASTER-ADDR-BY-NAME: ${e.message})`);
    });
    if (!from) throw new UserError(`sentinel ${s.addr} monitors no master named '${opts.master}'`);
    const t0 = Date.now();
    try {
      await s.send('SENTINEL', 'FAILOVER', opts.master);
    } catch (e) {
      // -NOGOODSLAVE, -INPROG ...: Sentinel's own words say why.
      throw new UserError(`sentinel ${s.addr} refused to fail over '${opts.master}': ${(e as Error).message}`);
    }
    for (;;) {
      const to = await masterAddr(s, opts.master);
      if (to && to !== from && (await isMaster(to, opts.auth ?? {}))) return { master: opts.master, from, to, ms: Date.now() - t0 };
      if (Date.now() - t0 > timeoutMs) {
        throw new UserError(`failover of '${opts.master}' did not complete within ${timeoutMs} ms: sentinel ${s.addr} reports ${to ?? 'no master'} (was ${from})`);
      }
      await sleep(POLL_MS);
    }
  } finally {
    s.close();
  }
}
