// Cross-field checks of a normalized topology (pure), and the checks that look at the machine (ports in
// use). Each issue names the YAML path it is about and what is allowed.
import net from 'node:net';
import type { Issue, NodeSpec, Topology } from './types.js';
import { UserError } from '../../lib/errors.js';
import { DIRECTIVES } from '../../engine/config-directives.js';
import { findDirective } from '../../engine/config.js';
import { TopologyError, formatPath } from './errors.js';
import { checkAclUsers } from './acl-users.js';

/** Directives kvctl writes itself; setting them in `config` would fight the renderer. */
const MANAGED: Record<string, string> = {
  port: 'the node port', bind: 'host', dir: 'kvctl (the state folder)', logfile: 'kvctl (the state folder)',
  pidfile: 'kvctl (the state folder)', daemonize: 'kvctl (nodes are supervised)', include: 'kvctl',
  replicaof: 'replicaof on the node', slaveof: 'replicaof on the node', 'cluster-enabled': 'kind: cluster',
  'cluster-config-file': 'kvctl', 'cluster-node-timeout': 'cluster.node-timeout', save: 'persistence.rdb',
  appendonly: 'persistence.aof', appendfsync: 'persistence.appendfsync', requirepass: 'auth.requirepass',
  masterauth: 'auth.masterauth', masteruser: 'auth.masteruser', aclfile: 'auth.users',
};

export const CLUSTER_BUS_OFFSET = 10000;

export function busPort(port: number): number {
  return port + CLUSTER_BUS_OFFSET;
}

function configPath(n: NodeSpec, key: string): Issue['path'] {
  const p = n.portPath;
  if (p[0] === 'nodes' && typeof p[1] === 'number') return ['nodes', p[1], 'config', key];
  if (p[0] === 'sentinel' && p[1] === 'nodes') return ['sentinel', 'nodes', p[2], 'config', key];
  return n.role === 'sentinel' ? ['sentinel', 'config', key] : ['config', key];
}

/** Directives only a config file takes (no CONFIG SET entry), which real Redis accepts. */
const FILE_ONLY = ['rename-command', 'loadmodule', 'user'];

/** Edit distance, for did-you-mean hints. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The closest known directive names (aliases included), best first. */
export function suggestDirectives(name: string, extra: string[] = []): string[] {
  const names = [...DIRECTIVES.flatMap((d) => [d.name, ...(d.aliases ?? [])]), ...FILE_ONLY, ...extra];
  const limit = Math.max(2, Math.floor(name.length / 4));
  const scored = names
    .map((n) => ({ n, d: distance(name, n) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.n.length - b.n.length);
  return [...new Set(scored.map((x) => x.n))].slice(0, 3);
}

/**
 * Why `name` is not a directive the engines take (undefined when it is one). The table is Redis 7.0's
 * (src/engine/config-directives.ts, the builtin engine's own); valkey may know more, so it is not checked.
 */
export function unknownDirective(name: string, sentinel: boolean, engine?: Topology['engine']): string | undefined {
  if (engine === 'valkey' || findDirective(name) || FILE_ONLY.includes(name) || (sentinel && name === 'sentinel')) return undefined;
  const hints = suggestDirectives(name, sentinel ? ['sentinel'] : []);
  const hint = hints.length ? `did you mean ${hints.map((h) => `'${h}'`).join(' or ')}?` : 'see redis.conf of Redis 7.0, or CONFIG GET * on a node';
  return `unknown redis.conf directive '${name}' (${hint})`;
}

export function checkTopology(t: Topology): Issue[] {
  const issues: Issue[] = [];
  const data = t.nodes.filter((n) => n.role !== 'sentinel');
  const sentinels = t.nodes.filter((n) => n.role === 'sentinel');
  const masters = data.filter((n) => n.role === 'master');

  // Names
  const byName = new Map<string, NodeSpec>();
  for (const n of t.nodes) {
    const other = byName.get(n.name);
    if (other) issues.push({ path: n.portPath.slice(0, -1).concat('name'), message: `node name '${n.name}' is already used by ${formatPath(other.portPath.slice(0, -1))}` });
    byName.set(n.name, n);
  }

  // Ports: every (host, port) once, cluster bus ports included.
  const used = new Map<string, string>();
  const claim = (n: NodeSpec, port: number, what: string): void => {
    if (port > 65535) {
      issues.push({ path: n.portPath, message: `${what} ${port} of node ${n.name} is above 65535 (allowed: ports 1-${65535 - (what === 'bus port' ? CLUSTER_BUS_OFFSET : 0)})` });
      return;
    }
    const key = `${n.host}:${port}`;
    const owner = used.get(key);
    if (owner) issues.push({ path: n.portPath, message: `${what} ${port} of node ${n.name} clashes with ${owner} on ${n.host} (every port, and a cluster node's bus port port+10000, must be distinct)` });
    else used.set(key, `the ${what} of node ${n.name}`);
  };
  for (const n of t.nodes) claim(n, n.port, 'port');
  if (t.kind === 'cluster') for (const n of t.nodes) claim(n, busPort(n.port), 'bus port');

  // Directives kvctl manages, and names no engine knows (shared config is reported once, not per node)
  const reported = new Set<string>();
  for (const n of t.nodes) {
    for (const key of Object.keys(n.config)) {
      const path = configPath(n, key);
      const at = formatPath(path);
      if (reported.has(at)) continue;
      const owner = MANAGED[key];
      const unknown = owner ? undefined : unknownDirective(key, n.role === 'sentinel', t.engine);
      if (owner) issues.push({ path, message: `'${key}' is set by ${owner}, not in config` });
      else if (unknown) issues.push({ path, message: unknown });
      if (owner || unknown) reported.add(at);
    }
  }

  switch (t.kind) {
    case 'standalone':
      if (data.length !== 1) issues.push({ path: ['nodes'], message: `a standalone topology has exactly 1 node, this one has ${data.length} (use kind master-replica or cluster for more)` });
      break;
    case 'master-replica':
    case 'sentinel': {
      if (masters.length !== 1) issues.push({ path: ['nodes'], message: `kind ${t.kind} needs exactly 1 master, found ${masters.length} (${masters.map((m) => m.name).join(', ') || 'none'})` });
      data.forEach((n) => {
        if (n.role === 'master' && n.replicaof) issues.push({ path: n.portPath.slice(0, -1).concat('replicaof'), message: `the master ${n.name} cannot have replicaof` });
        if (n.role !== 'replica' || !n.replicaof) return;
        const target = byName.get(n.replicaof);
        if (!target || target.role === 'sentinel' || target === n) {
          issues.push({ path: n.portPath.slice(0, -1).concat('replicaof'), message: `'${n.replicaof}' is not another data node of this topology (allowed: ${data.filter((d) => d !== n).map((d) => d.name).join(', ')})` });
        }
      });
      if (t.kind === 'sentinel' && t.sentinel && t.sentinel.quorum > sentinels.length) {
        issues.push({ path: ['sentinel', 'quorum'], message: `quorum ${t.sentinel.quorum} is larger than the number of sentinels (${sentinels.length}); allowed: 1-${sentinels.length}` });
      }
      break;
    }
    case 'cluster': {
      const r = t.cluster?.replicas ?? 0;
      if (data.some((n) => n.replicaof)) issues.push({ path: ['nodes'], message: 'replicaof is not used in a cluster: cluster create assigns replicas (set cluster.replicas)' });
      if (data.length % (r + 1) !== 0) {
        issues.push({ path: ['cluster', 'replicas'], message: `${data.length} nodes cannot be split into masters with ${r} replica(s) each (the node count must be a multiple of ${r + 1})` });
        break;
      }
      const m = data.length / (r + 1);
      if (masters.length !== m) {
        issues.push({ path: ['nodes'], message: `${masters.length} nodes have role master, but ${data.length} nodes with ${r} replica(s) each make ${m} masters` });
      }
      if (m < 3 && !t.cluster?.allowSmall) {
        issues.push({ path: ['cluster'], message: `${m} master(s): Redis Cluster needs at least 3 masters (set cluster.allow-small: true for 1- and 2-master test clusters)` });
      }
      break;
    }
  }
  issues.push(...checkAclUsers(t.auth.users, t.auth.masteruser, t.auth.masterauth));
  return issues;
}

/** Shifts every port so the lowest becomes basePort (relative layout kept: 7201-7203 + 7301-7306 -> N..N+2, N+100..N+105). */
export function shiftPorts(t: Topology, basePort: number): void {
  const min = Math.min(...t.nodes.map((n) => n.port));
  for (const n of t.nodes) n.port = n.port - min + basePort;
}

/** --base-port: shift, then check again (a shift can push a bus port past 65535). */
export function applyBasePort(t: Topology, basePort: number): void {
  if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65535) throw new UserError(`invalid --base-port ${basePort}: allowed 1-65535`, 2);
  shiftPorts(t, basePort);
  const issues = checkTopology(t);
  if (issues.length) throw new TopologyError(t.file, issues.map((i) => ({ ...i, message: `${i.message} (after --base-port ${basePort})` })), t.locate);
}

/** Ports (and bus ports) that something on this machine already listens on. */
export async function checkPortsFree(t: Topology): Promise<Issue[]> {
  const probes: Array<Promise<Issue | undefined>> = [];
  for (const n of t.nodes) {
    const ports = t.kind === 'cluster' ? [n.port, busPort(n.port)] : [n.port];
    for (const port of ports) {
      probes.push(
        probe(n.host, port).then((err) => {
          if (!err) return undefined;
          const what = port === n.port ? 'port' : 'bus port';
          const why = err === 'EADDRINUSE' ? 'is already in use on this machine' : err === 'EADDRNOTAVAIL' ? `cannot be bound: ${n.host} is not an address of this machine` : `cannot be bound (${err})`;
          return { path: n.portPath, message: `${what} ${n.host}:${port} of node ${n.name} ${why} (choose other ports, e.g. --base-port)` };
        }),
      );
    }
  }
  return (await Promise.all(probes)).filter((i): i is Issue => i !== undefined);
}

function probe(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
}
