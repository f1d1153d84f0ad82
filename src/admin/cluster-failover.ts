// `kvctl cluster failover NODE [--force|--takeover]`: CLUSTER FAILOVER on a replica, then wait until
// it owns its old master's slots (CLUSTER NODES says myself,master) and reports cluster_state:ok. The
// default manual failover pauses the master's clients until the replica has its whole offset, so no
// acknowledged write is lost; FORCE skips that handshake and TAKEOVER the election too.
import { UserError } from '../lib/errors.js';
import { connect, info, type AuthOpts } from './client.js';
import { sleep } from './agreement.js';

export interface ClusterFailoverOpts {
  node: string;
  mode?: 'default' | 'force' | 'takeover';
  timeoutMs?: number;
  auth?: AuthOpts;
}

export interface ClusterFailoverResult {
  node: string;
  /** The master it replaced. */
  from: string;
  mode: string;
  ms: number;
}

export async function clusterFailover(opts: ClusterFailoverOpts): Promise<ClusterFailoverResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const c = await connect(opts.node, opts.auth);
  try {
    const r = await info(c, 'replication');
    if (r.role !== 'slave') {
      const myself = String(await c.call('CLUSTER', 'NODES')).split('\n').find((l) => l.includes('myself'));
      const id = myself?.split(' ')[0];
      const replicas = String(await c.call('CLUSTER', 'NODES')).split('\n').filter((l) => id && l.split(' ')[3] === id).map((l) => l.split(' ')[1].split('@')[0]);
      throw new UserError(`${c.addr} is a master; run cluster failover on one of its replicas (${replicas.join(', ') || 'it has none'})`, 2);
    }
    const from = `${r.master_host}:${r.master_port}`;
    const mode = opts.mode ?? 'default';
    const t0 = Date.now();
    try {
      await c.send('CLUSTER', 'FAILOVER', ...(mode === 'default' ? [] : [mode.toUpperCase()]));
    } catch (e) {
      throw new UserError(`${c.addr} refused CLUSTER FAILOVER: ${(e as Error).message}`);
    }
    for (;;) {
      const myself = String(await c.call('CLUSTER', 'NODES')).split('\n').find((l) => l.includes('myself'));
      const ok = /cluster_state:ok/.test(String(await c.call('CLUSTER', 'INFO')));
      if (myself && /myself,master/.test(myself) && ok) return { node: c.addr, from, mode, ms: Date.now() - t0 };
      if (Date.now() - t0 > timeoutMs) throw new UserError(`${c.addr} is not a master ${timeoutMs} ms after CLUSTER FAILOVER${mode === 'default' ? ' (is its master reachable? --force fails over without it)' : ''}`);
      await sleep(20);
    }
  } finally {
    c.close();
  }
}
