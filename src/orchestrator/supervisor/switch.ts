// Has another node taken over from a master that went down? Asked by the supervisor every SWITCH_POLL_MS
// while the master waits to be restarted as a replica, per kind of topology:
//   cluster   a live node's CLUSTER NODES gives the dead node's first slot to another, healthy master;
//   sentinel  the sentinels answer another address for the master name, and that node says ROLE master;
//   promote / manual (master-replica)  another data node answers ROLE master.
// And the promotion itself for master-replica topologies with `failover: promote`.
import { RespPool } from '../resp.js';
import type { SwitchKind } from './policy.js';
import type { Plan, PlannedNode, State } from './state.js';
import type { RoleWatch } from './watch.js';

export const SWITCH_POLL_MS = 250;

export interface SwitchCtx {
  plan: Plan;
  state: State;
  watch: RoleWatch;
  sentinels: RespPool;
}

export interface Switched {
  /** The node the old master should follow (undefined in a cluster: nodes.conf decides). */
  master?: PlannedNode;
  detail: string;
}

const addrOf = (n: PlannedNode): string => `${n.host}:${n.port}`;

/** True when a CLUSTER NODES slot field (`0-5460`, `5461`, `[...]`) covers slot. */
function covers(field: string, slot: number): boolean {
  if (!/^\d/.test(field)) return false;
  const [a, b] = field.split('-').map(Number);
  return slot >= a && slot <= (b ?? a);
}

function othersRunning(ctx: SwitchCtx, dead: PlannedNode): PlannedNode[] {
  return ctx.plan.nodes.filter((n) => n.role !== 'sentinel' && n.name !== dead.name && ctx.state.nodes[n.name].state === 'running');
}

async function clusterSwitched(ctx: SwitchCtx, dead: PlannedNode): Promise<Switched | undefined> {
  const st = ctx.state.nodes[dead.name];
  const firstSlot = st.slots ? Number(st.slots.split(/[,-]/)[0]) : undefined;
  if (!st.nodeId || firstSlot === undefined) return { detail: 'it held no slots' };
  for (const n of othersRunning(ctx, dead)) {
    let text: string;
    try {
      text = String(await ctx.watch.call(n, 'CLUSTER', 'NODES'));
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const f = line.trim().split(' ');
      if (f.length < 9 || f[0] === st.nodeId) continue;
      const flags = f[2].split(',');
      if (!flags.includes('master') || flags.includes('fail') || flags.includes('fail?')) continue;
      if (f.slice(8).some((s) => covers(s, firstSlot))) {
        const owner = ctx.watch.nodeAt(f[1].split('@')[0]);
        return { master: owner, detail: `${owner?.name ?? f[1].split('@')[0]} took its slots` };
      }
    }
  }
  return undefined;
}

async function masterAnswering(ctx: SwitchCtx, n: PlannedNode | undefined): Promise<boolean> {
  return !!n && ctx.state.nodes[n.name]?.state === 'running' && (await ctx.watch.look(n))?.role === 'master';
}

async function sentinelSwitched(ctx: SwitchCtx, dead: PlannedNode): Promise<Switched | undefined> {
  for (const s of ctx.plan.nodes.filter((n) => n.role === 'sentinel')) {
    let reply: unknown;
    try {
      const c = await ctx.sentinels.get(s.host, s.port);
      reply = await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', ctx.plan.masterName ?? 'mymaster');
    } catch {
      ctx.sentinels.drop(s.host, s.port);
      continue;
    }
    if (!Array.isArray(reply)) continue;
    const address = `${reply[0]}:${reply[1]}`;
    if (address === addrOf(dead)) return undefined; // this sentinel still names the dead node
    const next = ctx.watch.nodeAt(address);
    if (await masterAnswering(ctx, next)) return { master: next, detail: `Sentinel promoted ${next!.name}` };
  }
  return undefined;
}

async function anyOtherMaster(ctx: SwitchCtx, dead: PlannedNode): Promise<Switched | undefined> {
  for (const n of othersRunning(ctx, dead)) {
    if (await masterAnswering(ctx, n)) return { master: n, detail: `${n.name} is master now` };
  }
  return undefined;
}

/** The switch, once it has happened; undefined while the old master must keep waiting. */
export function switched(ctx: SwitchCtx, dead: PlannedNode, how: SwitchKind): Promise<Switched | undefined> {
  if (how === 'cluster') return clusterSwitched(ctx, dead);
  if (how === 'sentinel') return sentinelSwitched(ctx, dead);
  return anyOtherMaster(ctx, dead);
}

/**
 * master-replica, failover: promote. The replica with the highest replication offset (the first in the
 * topology on a tie) becomes master (REPLICAOF NO ONE: it keeps the old replication id as its second, so
 * the others continue with a partial resync), and the other replicas follow it. Undefined when no replica
 * answers.
 */
export async function promote(ctx: SwitchCtx, dead: PlannedNode): Promise<{ chosen: PlannedNode; offset: number; repointed: string[] } | undefined> {
  const looks = await Promise.all(othersRunning(ctx, dead).map(async (n) => ({ n, r: await ctx.watch.look(n) })));
  const replicas = looks.filter((x) => x.r?.role === 'replica');
  if (replicas.length === 0) return undefined;
  const best = replicas.reduce((a, b) => (b.r!.offset > a.r!.offset ? b : a));
  await ctx.watch.call(best.n, 'REPLICAOF', 'NO', 'ONE');
  const repointed: string[] = [];
  for (const x of replicas) {
    if (x === best) continue;
    try {
      await ctx.watch.call(x.n, 'REPLICAOF', best.n.host, best.n.port);
      repointed.push(x.n.name);
    } catch {
      /* it is down: it follows the current master when the supervisor restarts it */
    }
  }
  return { chosen: best.n, offset: best.r!.offset, repointed };
}

/** Extra server arguments that make a restarted node follow `master` (or stay a master). */
export function followArgs(plan: Plan, master: PlannedNode | undefined): string[] {
  if (plan.kind === 'cluster' || plan.kind === 'standalone') return [];
  return master ? ['--replicaof', master.host, String(master.port)] : ['--replicaof', 'no', 'one'];
}
