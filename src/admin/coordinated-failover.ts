// `kvctl failover MASTER --coordinated`: a Sentinel failover that loses no acknowledged write.
// 1. CLIENT PAUSE WRITE on the old master: from here no write is acknowledged there.
// 2. Wait until every replica Sentinel may promote has the master's whole replication offset.
// 3. SENTINEL FAILOVER, and wait until the promoted replica answers as a master.
// 4. Demote the old master at once (REPLICAOF the new one), disconnect its clients so they look the
//    master up again, then lift the pause: held writes never ran on the old master, clients resend
//    them to the new one. The window writes were unavailable is reported.
import { UserError } from '../lib/errors.js';
import { connect, info, type AuthOpts, type Conn } from './client.js';
import { sleep } from './agreement.js';
import { isMaster, masterAddr } from './sentinel-failover.js';
import { fields } from './sentinel-status.js';

export interface CoordinatedOpts {
  sentinel: string;
  master: string;
  timeoutMs?: number;
  /** How long replicas get to catch up before the failover is called off (writes resume on the old master). */
  catchUpMs?: number;
  sentinelAuth?: AuthOpts;
  auth?: AuthOpts;
}

export interface CoordinatedResult {
  master: string;
  from: string;
  to: string;
  /** Pause to promoted master answering ROLE master: writes could be acknowledged nowhere. */
  unavailableMs: number;
  /** Pause to the old master's clients being released (they are disconnected to find the new master). */
  pausedMs: number;
  /** Replication offset every eligible replica had reached before the switch. */
  offset: number;
  ms: number;
}

const POLL_MS = 10;

export async function coordinatedFailover(opts: CoordinatedOpts): Promise<CoordinatedResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const catchUpMs = opts.catchUpMs ?? 5000;
  const auth = opts.auth ?? {};
  const s = await connect(opts.sentinel, opts.sentinelAuth);
  const conns: Conn[] = [s];
  let old: Conn | undefined;
  let paused = false;
  try {
    const from = await masterAddr(s, opts.master).catch((e: Error) => {
      throw new UserError(`${s.addr} is not a Sentinel (SENTINEL GET-MASTER-ADDR-BY-NAME: ${e.message})`);
    });
    if (!from) throw new UserError(`sentinel ${s.addr} monitors no master named '${opts.master}'`);
    // The replicas Sentinel may pick: reachable, not down, priority above 0.
    const replicas = ((await s.call('SENTINEL', 'REPLICAS', opts.master)) as unknown[]).map(fields)
      .filter((r) => !/s_down|o_down|disconnected/.test(r.flags) && r['slave-priority'] !== '0' && r['master-link-status'] === 'ok')
      .map((r) => `${r.ip}:${r.port}`);
    if (replicas.length === 0) throw new UserError(`'${opts.master}' has no replica Sentinel could promote (all down, disconnected or priority 0)`);
    old = await connect(from, auth);
    conns.push(old);
    const reps = await Promise.all(replicas.map((a) => connect(a, auth)));
    conns.push(...reps);

    const t0 = Date.now();
    // The pause outlives kvctl only by its own timeout: if kvctl dies, the old master writes again.
    await old.call('CLIENT', 'PAUSE', String(catchUpMs + timeoutMs), 'WRITE');
    paused = true;
    const offset = Number((await info(old, 'replication')).master_repl_offset);
    for (;;) {
      const offs = await Promise.all(reps.map(async (r) => Number((await info(r, 'replication')).slave_repl_offset ?? -1)));
      const behind = reps.filter((_, i) => offs[i] < offset);
      if (behind.length === 0) break;
      if (Date.now() - t0 > catchUpMs) {
        throw new UserError(`replica ${behind.map((r) => r.addr).join(', ')} did not reach offset ${offset} within ${catchUpMs} ms; failover called off, writes resume on ${from}`);
      }
      await sleep(POLL_MS);
    }
    try {
      await s.call('SENTINEL', 'FAILOVER', opts.master);
    } catch (e) {
      throw new UserError(`sentinel ${s.addr} refused to fail over '${opts.master}': ${(e as Error).message}`);
    }
    let to: string | null = null;
    let unavailableMs = 0;
    for (;;) {
      to = await masterAddr(s, opts.master);
      if (to && to !== from && (await isMaster(to, auth))) {
        unavailableMs = Date.now() - t0;
        break;
      }
      if (Date.now() - t0 > timeoutMs) {
        throw new UserError(`failover of '${opts.master}' did not complete within ${timeoutMs} ms: sentinel ${s.addr} reports ${to ?? 'no master'} (was ${from})`);
      }
      await sleep(POLL_MS);
    }
    const [host, port] = [to.slice(0, to.lastIndexOf(':')), to.slice(to.lastIndexOf(':') + 1)];
    // Demote before release: the held writes must never run on the old master.
    await old.call('REPLICAOF', host, port);
    await old.call('CLIENT', 'KILL', 'TYPE', 'normal');
    await old.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await old.call('CLIENT', 'UNPAUSE');
    paused = false;
    const pausedMs = Date.now() - t0;
    return { master: opts.master, from, to, unavailableMs, pausedMs, offset, ms: Date.now() - t0 };
  } finally {
    if (paused && old) await old.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    for (const c of conns) c.close();
  }
}
