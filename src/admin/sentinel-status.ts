// `kvctl sentinel status`: what a Sentinel knows, in one report: each monitored master with its
// replicas and the other sentinels, quorum health (SENTINEL CKQUORUM), and its last events (read from
// the sentinel's log when kvctl started it: Sentinel has no command that lists past events).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { listTopologies, readPlan } from '../orchestrator/supervisor/state.js';
import { connect, type AuthOpts } from './client.js';

export interface SentinelStatus {
  sentinel: string;
  masters: {
    name: string;
    address: string;
    flags: string;
    quorum: number;
    configEpoch: number;
    failoverState?: string;
    replicas: { address: string; flags: string; linkStatus: string; offset: number; priority: number }[];
    sentinels: { address: string; runid: string; flags: string }[];
    ckquorum: { ok: boolean; text: string };
  }[];
  /** The last event lines of the sentinel's log (empty when the log is not known). */
  events: string[];
  log?: string;
}

/** A SENTINEL MASTER/REPLICAS entry (a flat name, value list) as a field map. */
export function fields(flat: unknown): Record<string, string> {
  const a = flat as string[];
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < a.length; i += 2) o[a[i]] = String(a[i + 1]);
  return o;
}

/** The first sentinel of the topologies kvctl runs under home, with its log file. */
export function findManagedSentinel(home: string): { address: string; log: string } | undefined {
  for (const name of listTopologies(home)) {
    const s = readPlan(path.join(home, name))?.nodes.find((n) => n.role === 'sentinel');
    if (s) return { address: `${s.host}:${s.port}`, log: s.log };
  }
  return undefined;
}

/** Sentinel event lines (`+sdown`, `-odown`, `+switch-master` ...) at the end of a log. */
export function lastEvents(log: string, n: number): string[] {
  if (!existsSync(log)) return [];
  const lines = readFileSync(log, 'utf8').split('\n').filter((l) => /^\d+:X .* [#*] [+-][a-z-]+( |$)/.test(l));
  return lines.slice(-n);
}

export async function sentinelStatus(address: string, opts: { auth?: AuthOpts; log?: string; events?: number } = {}): Promise<SentinelStatus> {
  const c = await connect(address, opts.auth);
  try {
    const masters = ((await c.call('SENTINEL', 'MASTERS')) as unknown[]).map(fields);
    const out: SentinelStatus = { sentinel: c.addr, masters: [], events: opts.log ? lastEvents(opts.log, opts.events ?? 10) : [], log: opts.log };
    for (const m of masters) {
      const replicas = ((await c.call('SENTINEL', 'REPLICAS', m.name)) as unknown[]).map(fields);
      const sentinels = ((await c.call('SENTINEL', 'SENTINELS', m.name)) as unknown[]).map(fields);
      let ckquorum: { ok: boolean; text: string };
      try {
        ckquorum = { ok: true, text: String(await c.send('SENTINEL', 'CKQUORUM', m.name)) };
      } catch (e) {
        ckquorum = { ok: false, text: (e as Error).message };
      }
      const addr = (await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', m.name)) as [string, string] | null;
      out.masters.push({
        name: m.name,
        address: addr ? `${addr[0]}:${addr[1]}` : `${m.ip}:${m.port}`,
        flags: m.flags,
        quorum: Number(m.quorum),
        configEpoch: Number(m['config-epoch']),
        ...(m['failover-state'] ? { failoverState: m['failover-state'] } : {}),
        replicas: replicas.map((r) => ({ address: `${r.ip}:${r.port}`, flags: r.flags, linkStatus: r['master-link-status'], offset: Number(r['slave-repl-offset']), priority: Number(r['slave-priority']) })),
        sentinels: sentinels.map((s) => ({ address: `${s.ip}:${s.port}`, runid: s.runid, flags: s.flags })),
        ckquorum,
      });
    }
    return out;
  } finally {
    c.close();
  }
}

/** The text view. */
export function renderSentinelStatus(s: SentinelStatus): string {
  const out: string[] = [`sentinel ${s.sentinel}`];
  for (const m of s.masters) {
    out.push(`master ${m.name} ${m.address} flags=${m.flags} quorum=${m.quorum} config-epoch=${m.configEpoch}${m.failoverState ? ` failover=${m.failoverState}` : ''}`);
    out.push(`  quorum: ${m.ckquorum.text}`);
    for (const r of m.replicas) out.push(`  replica ${r.address} flags=${r.flags} link=${r.linkStatus} offset=${r.offset} priority=${r.priority}`);
    for (const x of m.sentinels) out.push(`  sentinel ${x.address} ${x.runid} flags=${x.flags}`);
  }
  if (s.events.length) out.push(`last events (${s.log}):`, ...s.events.map((e) => `  ${e}`));
  return out.join('\n');
}
