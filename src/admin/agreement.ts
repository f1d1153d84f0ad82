// "Do all nodes agree?": the per-node differences that redis-cli only summarises as "Nodes don't
// agree about configuration", plus bus-port probes so a blocked bus port is named, not waited on.
import net from 'node:net';
import { configSignature, isFailed, type NodeEntry, type NodeView } from './cluster-view.js';

export interface Expected {
  /** Every node id that must be known, with its address. */
  nodes: Map<string, string>;
  /** replica id -> master id. */
  replicaOf: Map<string, string>;
}

/** Human-readable problems, one per node that disagrees; empty when everyone agrees. */
export function agreementProblems(views: NodeView[], expected?: Expected): string[] {
  const problems: string[] = [];
  const sigs = new Map<string, string[]>();
  for (const v of views) {
    const sig = configSignature(v.table);
    sigs.set(sig, [...(sigs.get(sig) ?? []), v.self.addr]);
    if (!expected) continue;
    const known = new Map(v.table.map((e) => [e.id, e]));
    const missing: string[] = [];
    const notReady: string[] = [];
    const moved: string[] = [];
    for (const [id, addr] of expected.nodes) {
      const e = known.get(id);
      if (!e) missing.push(addr);
      else if (e.host && e.addr !== addr && !e.flags.includes('myself')) moved.push(`${addr} as ${e.addr}`);
      else if (isFailed(e)) notReady.push(`${addr} (${e.flags.filter((f) => f !== 'myself').join(',')})`);
    }
    const wrongRole = [...expected.replicaOf]
      .filter(([r, m]) => known.has(r) && known.get(r)!.masterId !== m)
      .map(([r]) => expected.nodes.get(r) ?? r);
    const parts = [
      missing.length ? `does not know ${missing.join(', ')}` : '',
      notReady.length ? `sees ${notReady.join(', ')}` : '',
      wrongRole.length ? `does not see ${wrongRole.join(', ')} as replica yet` : '',
      // Redis takes a peer's IP from the connection's source address unless cluster-announce-ip is set.
      moved.length ? `sees ${moved.join(', ')} (set cluster-announce-ip or bind-source-addr on hosts with several addresses)` : '',
    ].filter(Boolean);
    if (parts.length) problems.push(`${v.self.addr} ${parts.join('; ')}`);
  }
  if (sigs.size > 1) {
    // Name the minority views: the biggest group is taken as the cluster's configuration.
    const groups = [...sigs.values()].sort((a, b) => b.length - a.length);
    for (const g of groups.slice(1)) problems.push(`${g.join(', ')} disagree${g.length === 1 ? 's' : ''} about slot owners`);
  }
  return problems;
}

/** Resolves true if a TCP connect to host:port succeeds within timeoutMs. */
export function probe(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** "bus port 127.0.0.3:25008 of 127.0.0.3:15008 is unreachable" for each closed bus port. */
export async function busPortProblems(entries: NodeEntry[]): Promise<string[]> {
  const res = await Promise.all(entries.map(async (e) =>
    (await probe(e.host, e.busPort)) ? '' : `bus port ${e.host}:${e.busPort} of ${e.addr} is unreachable`));
  return res.filter(Boolean);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until check() returns no problems, or throws describe(lastProblems) after timeoutMs. */
export async function waitUntil(
  timeoutMs: number,
  check: () => Promise<string[]>,
  fail: (problems: string[]) => Promise<Error>,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const problems = await check();
    if (problems.length === 0) return;
    if (Date.now() > deadline) throw await fail(problems);
    await sleep(intervalMs);
  }
}
