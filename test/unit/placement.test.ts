import { describe, expect, it } from 'vitest';
import { antiAffinityScore, planPlacement, type PlacementNode } from '../../src/admin/placement.js';
import { splitSlots, formatRanges, countRanges, keySlot, toRanges } from '../../src/admin/slots.js';

const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
/** n nodes laid out host-major (all of host 1, then host 2...) the way users usually list them. */
function nodesOn(hostList: string[], perHost: number, zones?: Record<string, string>): PlacementNode[] {
  return hostList.flatMap((host, h) =>
    Array.from({ length: perHost }, (_, i) => ({ addr: `${host}:${7000 + h * 100 + i}`, host, zone: zones?.[host] })));
}
const hostOfAddr = (a: string) => a.slice(0, a.lastIndexOf(':'));

/** Every assignment of spare nodes to masters (small inputs only): the true minimum score. */
function bruteForceMin(masters: string[], spare: string[], need: number[]): number {
  let best = Infinity;
  const groups: string[][] = masters.map(() => []);
  const rec = (i: number) => {
    if (i === spare.length) {
      if (groups.every((g, m) => g.length === need[m])) {
        best = Math.min(best, antiAffinityScore(masters.map((addr, m) => ({ addr, replicas: groups[m]! })), hostOfAddr));
      }
      return;
    }
    for (let m = 0; m < masters.length; m++) {
      if (groups[m]!.length >= need[m]!) continue;
      groups[m]!.push(spare[i]!);
      rec(i + 1);
      groups[m]!.pop();
    }
  };
  rec(0);
  return best;
}

describe('slot split', () => {
  it('matches redis-cli ranges for 3 masters', () => {
    expect(splitSlots(3).map((r) => formatRanges([r]))).toEqual(['0-5460', '5461-10922', '10923-16383']);
  });
  it('covers every slot exactly once for 1..20 masters', () => {
    for (let n = 1; n <= 20; n++) {
      const r = splitSlots(n);
      expect(countRanges(r)).toBe(16384);
      expect(toRanges(r.flatMap(([a, b]) => [a, b]))[0]![0]).toBe(0);
      r.forEach((x, i) => i > 0 && expect(x[0]).toBe(r[i - 1]![1] + 1));
    }
  });
  it('hashes keys like Redis (known CLUSTER KEYSLOT answers)', () => {
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('123456789')).toBe(0x31c3 % 16384);
  });
});

describe('placement', () => {
  it('9 nodes on 3 hosts with 2 replicas: no replica shares a host with its master or a sibling', () => {
    const plan = planPlacement(nodesOn(hosts, 3), 2);
    expect(plan.masters).toHaveLength(3);
    expect(plan.score).toBe(0);
    expect(plan.optimal).toBe(true);
    for (const m of plan.masters) {
      const hs = [m.addr, ...m.replicas].map(hostOfAddr);
      expect(new Set(hs).size).toBe(3);
    }
    expect(new Set(plan.masters.map((m) => hostOfAddr(m.addr))).size).toBe(3);
  });

  it('is deterministic: same input, same plan', () => {
    const a = planPlacement(nodesOn(hosts, 4), 1);
    const b = planPlacement(nodesOn(hosts, 4), 1);
    expect(a).toEqual(b);
  });

  it('uses every node once, extra nodes become extra replicas', () => {
    const nodes = nodesOn(hosts, 4).slice(0, 11); // 11 nodes, replicas 2 -> 3 masters, 2 extra
    const plan = planPlacement(nodes, 2);
    const used = plan.masters.flatMap((m) => [m.addr, ...m.replicas]).sort();
    expect(used).toEqual(nodes.map((n) => n.addr).sort());
    expect(plan.masters.map((m) => m.replicas.length)).toEqual([3, 3, 2]);
  });

  it('reaches the brute-force minimum of the redis-cli score on uneven layouts', () => {
    const layouts: PlacementNode[][] = [
      [...nodesOn(['h1'], 4), ...nodesOn(['h2'], 2)], // 6 nodes, 2 hosts, skewed
      [...nodesOn(['h1'], 5), ...nodesOn(['h2'], 1), ...nodesOn(['h3'], 2)],
      nodesOn(['h1'], 6), // one host: conflicts unavoidable
      [...nodesOn(['a'], 3), ...nodesOn(['b'], 3), ...nodesOn(['c'], 1), ...nodesOn(['d'], 1)],
    ];
    for (const nodes of layouts) {
      for (const r of [1, 2]) {
        if (Math.floor(nodes.length / (r + 1)) < 1) continue;
        const plan = planPlacement(nodes, r);
        const masters = plan.masters.map((m) => m.addr);
        const spare = nodes.map((n) => n.addr).filter((a) => !masters.includes(a));
        const need = plan.masters.map((m) => m.replicas.length);
        expect(plan.score).toBe(bruteForceMin(masters, spare, need));
        expect(plan.score).toBe(antiAffinityScore(plan.masters, hostOfAddr));
      }
    }
  });

  it('spreads replicas over zones when hosts are tagged with zones', () => {
    const zones = { h1: 'z1', h2: 'z1', h3: 'z2', h4: 'z2', h5: 'z3', h6: 'z3' };
    const nodes = nodesOn(Object.keys(zones), 1, zones); // 6 hosts, 1 node each
    const plan = planPlacement(nodes, 1);
    const zoneOf = (a: string) => zones[hostOfAddr(a).replace(/:.*/, '') as keyof typeof zones];
    expect(plan.score).toBe(0);
    expect(plan.zoneScore).toBe(0);
    for (const m of plan.masters) expect(zoneOf(m.replicas[0]!)).not.toBe(zoneOf(m.addr));
  });

  it('stays fast and conflict-free on a large layout', () => {
    const many = Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}`);
    const plan = planPlacement(nodesOn(many, 9), 2);
    expect(plan.masters).toHaveLength(30);
    expect(plan.score).toBe(0);
  });
});
