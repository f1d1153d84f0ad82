// The normalized topology every other part of the orchestrator works from (see load.ts).

export type Kind = 'standalone' | 'master-replica' | 'sentinel' | 'cluster';
export type EngineName = 'builtin' | 'redis' | 'valkey';
export type Role = 'master' | 'replica' | 'sentinel';
export type DirectiveValue = string | number | boolean;
export type Directives = Record<string, DirectiveValue | DirectiveValue[]>;
/** A YAML path as ajv / the yaml library see it, e.g. ['nodes', 1, 'port']. */
export type YamlPath = Array<string | number>;

export interface NodeSpec {
  name: string;
  role: Role;
  host: string;
  port: number;
  /** Name of the node this replica follows (master-replica and sentinel kinds). */
  replicaof?: string;
  /** Shared and per-node directives merged (the node's win). */
  config: Directives;
  /** Where the node's port comes from, for error messages. */
  portPath: YamlPath;
}

export interface SentinelSettings {
  masterName: string;
  quorum: number;
  downAfterMs: number;
  failoverTimeoutMs: number;
  parallelSyncs: number;
}

export interface ClusterSettings {
  replicas: number;
  nodeTimeoutMs: number;
  allowSmall: boolean;
}

export interface Topology {
  name: string;
  kind: Kind;
  /** The YAML file it was loaded from ('<inline>' for objects passed to the API). */
  file: string;
  description?: string;
  engine?: EngineName;
  /** Data nodes first (masters before replicas), then sentinels. */
  nodes: NodeSpec[];
  persistence: { save: string[] | false; aof: boolean; appendfsync?: string };
  /** master-replica: what the supervisor does when a master without durable persistence dies. */
  failover: 'promote' | 'manual';
  auth: { requirepass?: string; masterauth?: string };
  sentinel?: SentinelSettings;
  cluster?: ClusterSettings;
  /** Turns a YAML path into "file:line:col path" for messages. */
  locate(path: YamlPath): string;
}

/** The persistence a topology's settings amount to, for the supervisor's restart decisions. */
export function persistenceMode(p: Topology['persistence']): 'none' | 'rdb' | 'aof' | 'aof-always' {
  if (p.aof) return p.appendfsync === 'always' ? 'aof-always' : 'aof';
  return p.save ? 'rdb' : 'none';
}

export interface Issue {
  path: YamlPath;
  message: string;
}
