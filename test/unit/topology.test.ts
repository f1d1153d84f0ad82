import { describe, expect, it } from 'vitest';
import { parseTopology, loadTopology, bundledTopologies } from '../../src/orchestrator/topology/load.js';
import { checkPortsFree, shiftPorts, checkTopology } from '../../src/orchestrator/topology/validate.js';
import { renderNode, nodePaths, confQuote } from '../../src/orchestrator/render/index.js';
import { TopologyError } from '../../src/orchestrator/topology/errors.js';
import net from 'node:net';
import { Ajv } from 'ajv';
import { topologySchema } from '../../src/orchestrator/topology/schema.js';
import { PORTS } from '../helpers/ports.js';

function errorOf(yaml: string): string {
  try {
    parseTopology(yaml, 'bad.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(TopologyError);
    return (e as Error).message;
  }
  throw new Error('expected the topology to be rejected');
}

describe('bundled topologies', () => {
  it('has the seed layout', () => {
    expect(bundledTopologies()).toEqual(['cluster', 'master-replica', 'sentinel', 'standalone']);
    const ports = (name: string) => loadTopology(name).nodes.map((n) => `${n.name}:${n.role}:${n.port}`);
    expect(ports('standalone')).toEqual(['redis1:master:6379']);
    expect(ports('master-replica')).toEqual(['redis1:master:7001', 'redis2:replica:7002', 'redis3:replica:7003']);
    expect(ports('sentinel').slice(3)).toEqual(['sentinel1:sentinel:7501', 'sentinel2:sentinel:7502', 'sentinel3:sentinel:7503']);
    const s = loadTopology('sentinel').sentinel!;
    expect([s.masterName, s.quorum]).toEqual(['mymaster', 2]);
    const c = loadTopology('cluster');
    expect(c.nodes.filter((n) => n.role === 'master').map((n) => n.port)).toEqual([7201, 7202, 7203]);
    expect(c.nodes.filter((n) => n.role === 'replica').map((n) => n.port)).toEqual([7301, 7302, 7303, 7304, 7305, 7306]);
    expect(c.cluster).toEqual({ replicas: 2, nodeTimeoutMs: 5000, allowSmall: false });
  });

  it('sets what real redis-server fixtures need', () => {
    for (const name of ['master-replica', 'sentinel', 'cluster']) {
      const t = loadTopology(name);
      const conf = renderNode(t, t.nodes[1], nodePaths('/tmp/x', t.nodes[1]));
      expect(conf).toMatch(/^repl-diskless-sync yes$/m);
      expect(conf).toMatch(/^repl-diskless-sync-delay 0$/m);
      expect(conf).toMatch(/^bind 127\.0\.0\.1$/m);
      expect(conf).toContain(`dir /tmp/x/${t.nodes[1].name}/data`);
    }
    const c = loadTopology('cluster');
    expect(renderNode(c, c.nodes[0], nodePaths('/s', c.nodes[0]))).toMatch(/cluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 5000/);
    expect(renderNode(c, c.nodes[0], nodePaths('/s', c.nodes[0]))).toMatch(/^cluster-replica-validity-factor 0$/m);
  });

  it('--base-port shifts every port and keeps the layout', () => {
    const t = loadTopology('cluster');
    shiftPorts(t, 16100);
    expect(t.nodes.map((n) => n.port)).toEqual([16100, 16101, 16102, 16200, 16201, 16202, 16203, 16204, 16205]);
    expect(checkTopology(t)).toEqual([]);
    shiftPorts(t, 60000);
    expect(checkTopology(t).map((i) => i.message)[0]).toMatch(/bus port 70000 of node master1 is above 65535/);
  });
});

describe('rendering', () => {
  it('renders replicaof, auth and sentinel monitor from the topology', () => {
    const t = parseTopology(`
name: auth
kind: sentinel
base-port: 16000
replicas: 1
auth: { requirepass: "s3cret pw" }
sentinel: { count: 3, quorum: 2, master-name: cache }
`);
    const [m, r, s1] = t.nodes;
    expect(renderNode(t, r, nodePaths('/d', r))).toMatch(/replicaof 127\.0\.0\.1 16000\n/);
    expect(renderNode(t, m, nodePaths('/d', m))).toContain('requirepass "s3cret pw"\nmasterauth "s3cret pw"');
    const sc = renderNode(t, s1, nodePaths('/d', s1));
    expect(s1.port).toBe(16002);
    expect(sc).toContain('sentinel monitor cache 127.0.0.1 16000 2');
    expect(sc).toContain('sentinel auth-pass cache "s3cret pw"');
  });

  it('quotes values the way redis.conf reads them', () => {
    expect(confQuote('')).toBe('""');
    expect(confQuote('a b')).toBe('"a b"');
    expect(confQuote('x"y\\')).toBe('"x\\"y\\\\"');
    expect(confQuote(true)).toBe('yes');
    expect(confQuote(100)).toBe('100');
  });

  it('expands counts: cluster masters and replicas per master', () => {
    const t = parseTopology('name: c\nkind: cluster\nbase-port: 16000\nmasters: 3\ncluster: { replicas: 1 }\nhosts: [127.0.0.1, 127.0.0.2]\n');
    expect(t.nodes.map((n) => `${n.name}@${n.host}:${n.port}`)).toEqual([
      'master1@127.0.0.1:16000', 'master2@127.0.0.2:16001', 'master3@127.0.0.1:16002',
      'replica1@127.0.0.2:16003', 'replica2@127.0.0.1:16004', 'replica3@127.0.0.2:16005',
    ]);
  });
});

describe('multi-host topologies (127.0.0.x stand in for machines)', () => {
  it('nodes off 127.0.0.1 connect out from their own address (bind-source-addr), with protected-mode off', () => {
    const t = parseTopology('name: c\nkind: cluster\nbase-port: 16000\nmasters: 3\nhosts: [127.0.0.1, 127.0.0.2, 127.0.0.3]\n');
    const confs = t.nodes.map((n) => renderNode(t, n, nodePaths('/d', n)));
    expect(confs.map((c) => /^bind-source-addr (\S+)$/m.exec(c)?.[1] ?? '-')).toEqual(['-', '127.0.0.2', '127.0.0.3']);
    for (const c of confs) expect(c).toMatch(/^protected-mode no$/m);
    expect(confs[1]).toMatch(/^bind 127\.0\.0\.2$/m);
    expect(confs[1]).toMatch(/^cluster-announce-ip 127\.0\.0\.2$/m);
    const s = parseTopology('name: s\nkind: sentinel\nbase-port: 16000\nhost: 127.0.0.4\n');
    const sc = renderNode(s, s.nodes[3], nodePaths('/d', s.nodes[3]));
    expect(s.nodes[3].role).toBe('sentinel');
    expect(sc).toMatch(/^bind-source-addr 127\.0\.0\.4$/m);
    expect(sc).toMatch(/^protected-mode no$/m);
  });
});

describe('bad topologies name the file, the path, the problem and what is allowed', () => {
  it('unknown keys, with the line and the allowed keys', () => {
    const msg = errorOf('name: x\nkind: standalone\nnodes:\n  - port: 16000\n    prot: 1\n');
    expect(msg).toContain('bad.yaml:5:5 nodes[0].prot');
    expect(msg).toMatch(/unknown key 'prot' \(allowed: name, port, host, role, replicaof, config\)/);
  });

  it('wrong kinds and types', () => {
    expect(errorOf('name: x\nkind: ring\n')).toMatch(/bad\.yaml:2:1 kind: "ring" is not allowed \(allowed: standalone, master-replica, sentinel, cluster\)/);
    expect(errorOf('name: x\nkind: standalone\nnodes: [{ port: 99999 }]\n')).toMatch(/nodes\[0\]\.port: 99999 is out of range \(allowed: <= 65535\)/);
    expect(errorOf('kind: standalone\n')).toMatch(/missing required key 'name'/);
  });

  it('port clashes, including a cluster bus port', () => {
    expect(errorOf('name: x\nkind: master-replica\nnodes: [{ port: 16000 }, { port: 16000 }]\n'))
      .toMatch(/nodes\[1\]\.port: port 16000 of node redis2 clashes with the port of node redis1/);
    const bus = errorOf('name: x\nkind: cluster\ncluster: { allow-small: true }\nnodes: [{ port: 16000 }, { port: 26000 }]\n');
    expect(bus).toMatch(/nodes\[0\]\.port: bus port 26000 of node node1 clashes with the port of node node2 on 127.0.0.1/);
  });

  it('quorum larger than the sentinels', () => {
    expect(errorOf('name: x\nkind: sentinel\nbase-port: 16000\nsentinel: { count: 3, quorum: 4 }\n'))
      .toMatch(/sentinel\.quorum: quorum 4 is larger than the number of sentinels \(3\); allowed: 1-3/);
  });

  it('fewer than 3 masters without the override, and it with', () => {
    expect(errorOf('name: x\nkind: cluster\nbase-port: 16000\nmasters: 2\n'))
      .toMatch(/cluster: 2 master\(s\): Redis Cluster needs at least 3 masters \(set cluster.allow-small: true/);
    expect(parseTopology('name: x\nkind: cluster\nbase-port: 16000\nmasters: 2\ncluster: { allow-small: true }\n').nodes).toHaveLength(2);
  });

  it('a replica count that does not divide', () => {
    const yaml = 'name: x\nkind: cluster\ncluster: { replicas: 2 }\nnodes: [' + [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `{ port: ${16000 + i} }`).join(', ') + ']\n';
    expect(errorOf(yaml)).toMatch(/cluster\.replicas: 8 nodes cannot be split into masters with 2 replica\(s\) each \(the node count must be a multiple of 3\)/);
  });

  it('managed directives, kind-only keys and dangling replicaof', () => {
    expect(errorOf('name: x\nkind: standalone\nconfig: { port: 1 }\n')).toMatch(/config\.port: 'port' is set by the node port/);
    expect(errorOf('name: x\nkind: standalone\nmasters: 3\n')).toMatch(/masters: is only allowed for kind cluster/);
    expect(errorOf('name: x\nkind: master-replica\nnodes: [{ port: 16000 }, { port: 16001, replicaof: nope }]\n'))
      .toMatch(/nodes\[1\]\.replicaof: 'nope' is not another data node of this topology \(allowed: redis1\)/);
  });

  it('directive names the engines do not know, with the closest ones', () => {
    const msg = errorOf('name: x\nkind: master-replica\nbase-port: 16000\nconfig:\n  maxmemroy: 100mb\n  appendonly-typo: 1\n');
    expect(msg).toMatch(/bad\.yaml:5:3 config\.maxmemroy: unknown redis\.conf directive 'maxmemroy' \(did you mean 'maxmemory'\?\)/);
    expect(msg).toMatch(/config\.appendonly-typo: unknown redis\.conf directive 'appendonly-typo'/);
    expect(msg.match(/maxmemroy/g)).toHaveLength(2); // shared config: once, not once per node
    expect(errorOf('name: x\nkind: standalone\nnodes: [{ port: 16000, config: { zzzzzz: 1 } }]\n'))
      .toMatch(/nodes\[0\]\.config\.zzzzzz: unknown redis\.conf directive 'zzzzzz' \(see redis\.conf of Redis 7\.0/);
    // aliases, file-only directives, and sentinel's own directive are known
    expect(() => parseTopology('name: x\nkind: sentinel\nbase-port: 16000\nconfig: { slave-read-only: yes, rename-command: "FLUSHALL NOFLUSH" }\nsentinel: { config: { sentinel: "resolve-hostnames no" } }\n')).not.toThrow();
    expect(() => parseTopology('name: x\nkind: standalone\nengine: valkey\nconfig: { valkey-only-thing: 1 }\n')).not.toThrow();
    // --engine valkey on the command line counts as the file's engine; builtin still checks.
    expect(() => parseTopology('name: x\nkind: standalone\nconfig: { valkey-only-thing: 1 }\n', 'x.yaml', 'valkey')).not.toThrow();
    expect(() => parseTopology('name: x\nkind: standalone\nengine: valkey\nconfig: { valkey-only-thing: 1 }\n', 'x.yaml', 'builtin')).toThrow(/unknown redis\.conf directive 'valkey-only-thing'/);
  });

  it('the schema itself is valid (load.ts skips that check at run time)', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    expect(ajv.validateSchema(topologySchema), JSON.stringify(ajv.errors)).toBe(true);
  });

  it('ports already in use on the machine', async () => {
    const port = PORTS.orchestrator + 990;
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
    try {
      const t = parseTopology(`name: x\nkind: cluster\nbase-port: ${port - 10000}\nmasters: 3\n`);
      shiftPorts(t, port - 10001);
      const issues = await checkPortsFree(t);
      expect(issues.map((i) => i.message)).toEqual([`bus port 127.0.0.1:${port} of node master2 is already in use on this machine (choose other ports, e.g. --base-port)`]);
    } finally {
      srv.close();
    }
  });
});
