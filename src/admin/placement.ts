// Pure, deterministic master/replica placement for `cluster create`.
//
// redis-cli scores a layout per host: a replica on its own master's host costs 10000, and k >= 2
// replicas of one master sharing a host cost k. It then tries random swaps to lower the score, so
// the outcome varies run to run and is not always the minimum. Here masters are interleaved across
// hosts (and zones) as redis-cli does, and the replica assignment is an exact dynamic programme over
// "how many replicas each host still has", which returns the minimum score every time, with a
// zone score (the same formula over zones) as the tie-breaker.
import { splitSlots, type Range } from './slots.js';

export interface PlacementNode {
  addr: string;
  host: string;
  zone?: string;
}

export interface PlannedMaster {
  addr: string;
  slots: Range;
  replicas: string[];
}

export interface Plan {
  masters: PlannedMaster[];
  /** redis-cli's anti-affinity score of this plan (0 is perfect). */
  score: number;
  /** The same score counted over zones (0 when no zones are given). */
  zoneScore: number;
  /** False only when the search budget ran out and a local search was used instead. */
  optimal: boolean;
}

export const MASTER_PENALTY = 10000;
// Zone cost is a tie-breaker: one unit of host score always outweighs any zone score.
const ZONE_WEIGHT_DIV = 1e6;
const STATE_BUDGET = 50_000;

/**
 * redis-cli's anti-affinity score, written from its description: per host, group the nodes by the
 * master they belong to; a group with the master and k replicas costs 10000*k, a group of k >= 2
 * replicas without their master costs k.
 */
export function antiAffinityScore(masters: { addr: string; replicas: string[] }[], hostOf: (addr: string) => string): number {
  let score = 0;
  for (const m of masters) {
    const perHost = new Map<string, number>();
    for (const r of m.replicas) perHost.set(hostOf(r), (perHost.get(hostOf(r)) ?? 0) + 1);
    for (const [host, k] of perHost) score += groupCost(k, host === hostOf(m.addr));
  }
  return score;
}

function groupCost(k: number, withMaster: boolean): number {
  if (withMaster) return MASTER_PENALTY * k;
  return k >= 2 ? k : 0;
}

/** Round-robin over groups, keeping each group's order: [[a1,a2],[b1]] -> a1,b1,a2. */
function interleave<T>(groups: T[][]): T[] {
  const out: T[] = [];
  for (let i = 0; out.length < groups.reduce((n, g) => n + g.length, 0); i++) {
    for (const g of groups) if (i < g.length) out.push(g[i]!);
  }
  return out;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const g = m.get(k);
    if (g) g.push(it);
    else m.set(k, [it]);
  }
  return m;
}

export function masterCount(nodes: number, replicas: number): number {
  return Math.floor(nodes / (replicas + 1));
}

export function planPlacement(nodes: PlacementNode[], replicas: number): Plan {
  if (new Set(nodes.map((n) => n.addr)).size !== nodes.length) throw new Error('duplicate node address');
  const M = masterCount(nodes.length, replicas);
  if (M < 1) throw new Error(`${nodes.length} nodes cannot hold one master with ${replicas} replicas`);
  const useZones = nodes.some((n) => n.zone !== undefined);
  const zoneOf = (host: string) => nodes.find((n) => n.host === host)?.zone ?? host;

  // Host order: zones interleaved, hosts in order of first appearance, nodes in input order.
  const byHost = groupBy(nodes, (n) => n.host);
  const hostsByZone = groupBy([...byHost.keys()], zoneOf);
  const hosts = interleave([...hostsByZone.values()]);
  const ordered = interleave(hosts.map((h) => byHost.get(h)!));
  const masters = ordered.slice(0, M);
  const spare = ordered.slice(M);
  const extras = spare.length - M * replicas;
  const need = masters.map((_, i) => replicas + (i < extras ? 1 : 0));

  const hostIdx = new Map(hosts.map((h, i) => [h, i]));
  const zones = [...hostsByZone.keys()];
  const zoneIdxOfHost = hosts.map((h) => zones.indexOf(zoneOf(h)));
  const masterHost = masters.map((m) => hostIdx.get(m.host)!);
  const pool = hosts.map(() => 0);
  for (const n of spare) pool[hostIdx.get(n.host)!]! += 1;

  const cost = (i: number, x: number[]): number => {
    let host = 0;
    const perZone = new Map<number, number>();
    x.forEach((k, h) => {
      if (k === 0) return;
      host += groupCost(k, h === masterHost[i]);
      perZone.set(zoneIdxOfHost[h]!, (perZone.get(zoneIdxOfHost[h]!) ?? 0) + k);
    });
    let zone = 0;
    if (useZones) for (const [z, k] of perZone) zone += groupCost(k, z === zoneIdxOfHost[masterHost[i]!]);
    return host + zone / ZONE_WEIGHT_DIV;
  };

  // A zero-cost greedy plan is already optimal (and instant on big balanced layouts); otherwise the
  // exact search decides, and the greedy plan is the fallback when the search is too large.
  const quick = greedy(pool, need, cost);
  const quickCost = quick.reduce((n, x, i) => n + cost(i, x), 0);
  const search = new Dp(pool, need, cost, stateKeyFn(masterHost, zoneIdxOfHost));
  const counts = quickCost === 0 ? quick : (search.solve() ?? quick);

  // Turn per-host counts into concrete nodes: the next unused spare node of each host.
  const left = new Map([...groupBy(spare, (n) => n.host)].map(([h, g]) => [h, [...g]]));
  const slots = splitSlots(M);
  const plan: PlannedMaster[] = masters.map((m, i) => ({
    addr: m.addr,
    slots: slots[i]!,
    replicas: counts[i]!.flatMap((k, h) => (k ? left.get(hosts[h]!)!.splice(0, k).map((n) => n.addr) : [])),
  }));
  const hostOf = (a: string) => nodes.find((n) => n.addr === a)!.host;
  const zoneOfAddr = (a: string) => zoneOf(hostOf(a));
  return {
    masters: plan,
    score: antiAffinityScore(plan, hostOf),
    zoneScore: useZones ? antiAffinityScore(plan, zoneOfAddr) : 0,
    optimal: search.exhausted === false,
  };
}

/** Canonical DP state: hosts that still carry a future master matter individually; the others only
 * by zone and remaining count, which collapses symmetric layouts (one node per host, etc.). */
function stateKeyFn(masterHost: number[], zoneOfHost: number[]) {
  return (i: number, rem: number[]): string => {
    const future = new Set(masterHost.slice(i));
    const exact: string[] = [];
    const anon = new Map<number, number[]>();
    rem.forEach((k, h) => {
      if (future.has(h)) exact.push(`${h}:${k}`);
      else if (k > 0) (anon.get(zoneOfHost[h]!) ?? anon.set(zoneOfHost[h]!, []).get(zoneOfHost[h]!)!).push(k);
    });
    const anonKey = [...anon].sort((a, b) => a[0] - b[0]).map(([z, ks]) => `${z}=${ks.sort((a, b) => a - b).join('.')}`);
    return `${i}|${exact.join(',')}|${anonKey.join(';')}`;
  };
}

/** All ways to take k replicas from the hosts' remaining counts, in a fixed order. */
function compositions(rem: number[], k: number): number[][] {
  const out: number[][] = [];
  const x = rem.map(() => 0);
  const rec = (h: number, left: number) => {
    if (left === 0) { out.push([...x]); return; }
    if (h === rem.length) return;
    for (let take = Math.min(left, rem[h]!); take >= 0; take--) {
      x[h] = take;
      rec(h + 1, left - take);
    }
    x[h] = 0;
  };
  rec(0, k);
  return out;
}

class Dp {
  private readonly memo = new Map<string, number>();
  exhausted = false;
  constructor(
    private readonly pool: number[],
    private readonly need: number[],
    private readonly cost: (i: number, x: number[]) => number,
    private readonly key: (i: number, rem: number[]) => string,
  ) {}

  private best(i: number, rem: number[]): number {
    if (i === this.need.length) return 0;
    const k = this.key(i, rem);
    const hit = this.memo.get(k);
    if (hit !== undefined) return hit;
    if (this.memo.size > STATE_BUDGET) { this.exhausted = true; return Infinity; }
    let best = Infinity;
    for (const x of compositions(rem, this.need[i]!)) {
      const v = this.cost(i, x) + this.best(i + 1, rem.map((r, h) => r - x[h]!));
      if (v < best) best = v;
    }
    this.memo.set(k, best);
    return best;
  }

  /** Per-master host counts of an optimal plan, or undefined when over budget. */
  solve(): number[][] | undefined {
    let rem = [...this.pool];
    const total = this.best(0, rem);
    if (this.exhausted) return undefined;
    const out: number[][] = [];
    let target = total;
    for (let i = 0; i < this.need.length; i++) {
      const x = compositions(rem, this.need[i]!).find((c) => {
        const v = this.cost(i, c) + this.best(i + 1, rem.map((r, h) => r - c[h]!));
        return Math.abs(v - target) < 1e-9;
      })!;
      target -= this.cost(i, x);
      rem = rem.map((r, h) => r - x[h]!);
      out.push(x);
    }
    return out;
  }
}

/** Fallback for huge inputs: cheapest choice per master, then pairwise swaps while they help. */
function greedy(pool: number[], need: number[], cost: (i: number, x: number[]) => number): number[][] {
  const rem = [...pool];
  const out = need.map((k, i) => {
    const x = rem.map(() => 0);
    for (let j = 0; j < k; j++) {
      let bestH = -1;
      let bestV = Infinity;
      rem.forEach((r, h) => {
        if (r === 0) return;
        x[h]! += 1;
        const v = cost(i, x) - rem[h]! * 1e-9; // prefer hosts with more nodes left
        x[h]! -= 1;
        if (v < bestV) { bestV = v; bestH = h; }
      });
      x[bestH]! += 1;
      rem[bestH]! -= 1;
    }
    return x;
  });
  for (let improved = true; improved;) {
    improved = false;
    for (let a = 0; a < out.length; a++) for (let b = a + 1; b < out.length; b++) {
      for (let ha = 0; ha < rem.length; ha++) for (let hb = 0; hb < rem.length; hb++) {
        if (ha === hb || !out[a]![ha] || !out[b]![hb]) continue;
        const before = cost(a, out[a]!) + cost(b, out[b]!);
        const na = [...out[a]!]; na[ha]! -= 1; na[hb]! += 1;
        const nb = [...out[b]!]; nb[hb]! -= 1; nb[ha]! += 1;
        if (cost(a, na) + cost(b, nb) < before - 1e-12) { out[a] = na; out[b] = nb; improved = true; }
      }
    }
  }
  return out;
}
