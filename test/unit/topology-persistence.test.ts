// `persistence: none | rdb | aof | aof-always` (and the detailed map): what each renders into redis.conf,
// what the supervisor is told (persistenceMode), the failover key, and the errors for anything else.
import { describe, expect, it } from 'vitest';
import { loadTopology, parseTopology } from '../../src/orchestrator/topology/load.js';
import { nodePaths, renderNode } from '../../src/orchestrator/render/index.js';
import { persistenceMode } from '../../src/orchestrator/topology/types.js';

const topo = (persistence: string, extra = '') => parseTopology(`name: p\nkind: master-replica\nbase-port: 16900\npersistence: ${persistence}\n${extra}`, 'p.yaml');
const conf = (persistence: string): string => {
  const t = topo(persistence);
  return renderNode(t, t.nodes[0], nodePaths('/d', t.nodes[0]));
};
const lines = (text: string): string[] => text.split('\n').filter((l) => /^(save|appendonly|appendfsync) /.test(l));

describe('persistence words', () => {
  it('render the directives they stand for', () => {
    expect(lines(conf('none'))).toEqual(['save ""', 'appendonly no']);
    expect(lines(conf('rdb'))).toEqual(['save 3600 1', 'save 300 100', 'save 60 10000', 'appendonly no']);
    expect(lines(conf('aof'))).toEqual(['save ""', 'appendonly yes', 'appendfsync everysec']);
    expect(lines(conf('aof-always'))).toEqual(['save ""', 'appendonly yes', 'appendfsync always']);
    expect(lines(conf('{ rdb: ["60 1"], aof: true, appendfsync: always }'))).toEqual(['save 60 1', 'appendonly yes', 'appendfsync always']);
  });

  it('tell the supervisor which restarts keep data', () => {
    expect(['none', 'rdb', 'aof', 'aof-always', '{ aof: true }', '{ rdb: true }'].map((p) => persistenceMode(topo(p).persistence)))
      .toEqual(['none', 'rdb', 'aof', 'aof-always', 'aof', 'rdb']);
  });

  it('refuse anything else with the allowed values', () => {
    expect(() => topo('aof-sometimes')).toThrow('p.yaml:4:1 persistence: "aof-sometimes" is not allowed (allowed: none, rdb, aof, aof-always, or a map with rdb, aof, appendfsync)');
    expect(() => topo('{ rdb: 3 }')).toThrow('persistence.rdb: 3 is not allowed (allowed: true, false, or a list of save points like "3600 1")');
  });

  it('the bundled topologies say their choice', () => {
    expect(['standalone', 'master-replica', 'sentinel', 'cluster'].map((n) => persistenceMode(loadTopology(n).persistence))).toEqual(['none', 'rdb', 'none', 'none']);
  });
});

describe('failover (master-replica only)', () => {
  it('defaults to promote, takes manual, and is refused for other kinds', () => {
    expect(topo('none').failover).toBe('promote');
    expect(topo('none', 'failover: manual\n').failover).toBe('manual');
    expect(() => topo('none', 'failover: sometimes\n')).toThrow('failover: "sometimes" is not allowed (allowed: promote, manual)');
    expect(() => parseTopology('name: s\nkind: sentinel\nbase-port: 16900\nfailover: promote\n', 's.yaml')).toThrow('failover: is only allowed for kind master-replica (this topology is kind sentinel; Sentinel decides failovers)');
  });
});
