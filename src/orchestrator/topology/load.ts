// Loading a topology: a bundled name or a YAML file -> schema check (ajv) -> normalized Topology ->
// cross-field checks. Every problem is reported with the file, line, YAML path and what is allowed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document } from 'yaml';
import { UserError } from '../../lib/errors.js';
import { TOPOLOGIES_DIR } from '../paths.js';
import { TopologyError, formatPath } from './errors.js';
import { topologySchema } from './schema.js';
import type { Directives, Issue, Kind, NodeSpec, Topology, YamlPath } from './types.js';
import { checkTopology } from './validate.js';
import { toAclUser, type RawAclUser } from './acl-users.js';

/** The schema compiler's options: the build's standalone validator is generated with the same. */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true } as const;

const requireHere = createRequire(import.meta.url);
let compiled: ValidateFunction | undefined;

/**
 * The topology validator: the one `npm run build` generated with ajv's standalone code
 * (scripts/topology-validator.mjs -> schema-validate.cjs beside this file, no ajv compiler at run
 * time: compiling cost `up` ~0.5 s under load), or, from the TypeScript sources or when the schema
 * changed since the build, the schema compiled here on first use (our own constant, checked against
 * the meta-schema by test/unit/topology.test.ts, so without that check and the code optimizer).
 */
function validator(): ValidateFunction {
  if (compiled) return compiled;
  try {
    const built = requireHere('./schema-validate.cjs') as ValidateFunction & { schemaText?: string };
    if (built.schemaText === JSON.stringify(topologySchema)) return (compiled = built);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
  }
  const { Ajv } = requireHere('ajv') as typeof import('ajv');
  return (compiled = new Ajv({ ...AJV_OPTIONS, validateSchema: false, code: { optimize: false } }).compile(topologySchema));
}

function validateSchema(data: unknown): boolean {
  return validator()(data);
}

export function bundledTopologies(): string[] {
  return readdirSync(TOPOLOGIES_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
}

/** A bundled name (standalone, master-replica, sentinel, cluster) or a path to a YAML file. */
export function resolveTopologyFile(ref: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(ref) && !existsSync(ref)) {
    const bundled = path.join(TOPOLOGIES_DIR, `${ref}.yaml`);
    if (existsSync(bundled)) return bundled;
    throw new UserError(`unknown topology '${ref}': not a file, and the bundled ones are ${bundledTopologies().join(', ')}`, 2);
  }
  if (!existsSync(ref)) throw new UserError(`topology file ${ref} does not exist`, 2);
  return path.resolve(ref);
}

/** `engine` (the command line's --engine) replaces the file's, before the checks that depend on it. */
export function loadTopology(ref: string, engine?: Topology['engine']): Topology {
  const file = resolveTopologyFile(ref);
  const rel = path.relative(process.cwd(), file);
  return parseTopology(readFileSync(file, 'utf8'), rel && !rel.startsWith('..') ? rel : file, engine);
}

/** Parses and validates YAML text (or an already-parsed object, for the programmatic API). */
export function parseTopology(source: string | object, file = '<inline>', engine?: Topology['engine']): Topology {
  const lineCounter = new LineCounter();
  let doc: Document | undefined;
  let data: unknown;
  if (typeof source === 'string') {
    doc = parseDocument(source, { lineCounter, prettyErrors: false });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const pos = lineCounter.linePos(e.pos[0]);
      throw new UserError(`invalid topology ${file}:${pos.line}:${pos.col}: not valid YAML: ${e.message.split('\n')[0]}`);
    }
    data = doc.toJS();
  } else {
    data = source;
  }
  const locate = (p: YamlPath): string => {
    const where = doc ? positionOf(doc, lineCounter, p) : '';
    return `${file}${where} ${formatPath(p)}`;
  };
  if (!validateSchema(data)) {
    throw new TopologyError(file, schemaIssues(compiled?.errors ?? []), locate);
  }
  const raw = data as RawTopology;
  const topo = normalize(raw, file, locate);
  if (engine) topo.engine = engine;
  const issues = [...checkKindKeys(raw), ...checkTopology(topo)];
  if (issues.length > 0) throw new TopologyError(file, issues, locate);
  return topo;
}

function positionOf(doc: Document, lc: LineCounter, p: YamlPath): string {
  // The deepest node that exists along the path; for a key that is there, the key itself.
  for (let n = p.length; n >= 0; n--) {
    const parent = n === 0 ? doc.contents : doc.getIn(p.slice(0, n - 1), true);
    let range: readonly number[] | undefined | null;
    if (n === 0) range = doc.contents?.range;
    else if (isMap(parent)) {
      const pair = parent.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === p[n - 1]);
      range = pair && isScalar(pair.key) ? pair.key.range : undefined;
    } else {
      const node = doc.getIn(p.slice(0, n), true) as { range?: number[] } | undefined;
      range = node?.range;
    }
    if (range) {
      const pos = lc.linePos(range[0]);
      return `:${pos.line}:${pos.col}`;
    }
  }
  return '';
}

function toPath(pointer: string): YamlPath {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map((s) => {
    const k = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(k) ? Number(k) : k;
  });
}

function schemaIssues(errors: ErrorObject[]): Issue[] {
  const anyOfAt = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && anyOfAt.has(e.instancePath)) continue;
    if (e.keyword === 'if') continue;
    const issue = schemaIssue(e);
    const key = `${formatPath(issue.path)} ${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

function schemaIssue(e: ErrorObject): Issue {
  const at = toPath(e.instancePath);
  const p = e.params as Record<string, any>;
  const parent = e.parentSchema as { properties?: Record<string, unknown>; enum?: unknown[] } | undefined;
  switch (e.keyword) {
    case 'additionalProperties':
      return {
        path: [...at, p.additionalProperty],
        message: `unknown key '${p.additionalProperty}' (allowed: ${Object.keys(parent?.properties ?? {}).join(', ')})`,
      };
    case 'required':
      return { path: at, message: `missing required key '${p.missingProperty}'` };
    case 'enum':
      return { path: at, message: `${JSON.stringify(e.data)} is not allowed (allowed: ${(p.allowedValues as unknown[]).join(', ')})` };
    case 'type':
      return { path: at, message: `${JSON.stringify(e.data)} must be ${article(String(p.type))}` };
    case 'minimum':
    case 'maximum':
      return { path: at, message: `${JSON.stringify(e.data)} is out of range (allowed: ${e.keyword === 'minimum' ? '>=' : '<='} ${p.limit})` };
    case 'pattern':
      return { path: at, message: `${JSON.stringify(e.data)} is not allowed (${patternHint(at, String(p.pattern))})` };
    case 'propertyNames':
      return { path: [...at, p.propertyName], message: `'${p.propertyName}' is not a redis.conf directive name (lower-case words joined by dashes)` };
    case 'anyOf':
      return { path: at, message: anyOfHint(at, e.data) };
    case 'minItems':
      return { path: at, message: `needs at least ${p.limit} item(s)` };
    default:
      return { path: at, message: e.message ?? 'is not valid' };
  }
}

function article(type: string): string {
  const names = type.split(',').map((t) => (t === 'integer' ? 'a whole number' : t === 'array' ? 'a list' : t === 'object' ? 'a map' : `a ${t}`));
  return names.join(' or ');
}

function patternHint(at: YamlPath, pattern: string): string {
  const last = at[at.length - 1];
  if (pattern.startsWith('^\\d+')) return `a save point "SECONDS CHANGES", e.g. "3600 1"`;
  if (last === 'host' || typeof last === 'number') return 'a host name or IP address';
  return 'letters, digits, dot, dash and underscore, starting with a letter or digit';
}

function anyOfHint(at: YamlPath, data: unknown): string {
  if (at[at.length - 1] === 'persistence' && (typeof data !== 'object' || data === null || Array.isArray(data))) {
    return `${JSON.stringify(data)} is not allowed (allowed: none, rdb, aof, aof-always, or a map with rdb, aof, appendfsync)`;
  }
  if (at[at.length - 1] === 'rdb') return `${JSON.stringify(data)} is not allowed (allowed: true, false, or a list of save points like "3600 1")`;
  return `${JSON.stringify(data)} is not allowed (a directive value is a string, number, yes/no boolean, or a list of them)`;
}

// ---------------------------------------------------------------------------------------------------

interface RawNode { name?: string; port: number; host?: string; role?: 'master' | 'replica'; replicaof?: string; config?: Directives }
interface RawTopology {
  name: string;
  kind: Kind;
  description?: string;
  engine?: Topology['engine'];
  host?: string;
  hosts?: string[];
  'base-port'?: number;
  masters?: number;
  replicas?: number;
  nodes?: RawNode[];
  config?: Directives;
  persistence?: PersistenceWord | { rdb?: boolean | string[]; aof?: boolean; appendfsync?: string };
  failover?: 'promote' | 'manual';
  auth?: { requirepass?: string; masterauth?: string; masteruser?: string; users?: RawAclUser[] };
  sentinel?: {
    'master-name'?: string; quorum?: number; 'down-after-milliseconds'?: number; 'failover-timeout'?: number;
    'parallel-syncs'?: number; count?: number; 'base-port'?: number; nodes?: Array<Omit<RawNode, 'role' | 'replicaof'>>; config?: Directives;
  };
  cluster?: { replicas?: number; 'node-timeout'?: number; 'allow-small'?: boolean };
}

type PersistenceWord = 'none' | 'rdb' | 'aof' | 'aof-always';
/** Redis's own save points, used by `rdb` and `rdb: true`. */
const REDIS_SAVE_POINTS = ['3600 1', '300 100', '60 10000'];

/** The word forms of `persistence`, as the detailed form they stand for. */
function persistenceOf(p: RawTopology['persistence']): Topology['persistence'] {
  switch (p) {
    case undefined:
    case 'none':
      return { save: false, aof: false };
    case 'rdb':
      return { save: REDIS_SAVE_POINTS, aof: false };
    case 'aof':
      return { save: false, aof: true, appendfsync: 'everysec' };
    case 'aof-always':
      return { save: false, aof: true, appendfsync: 'always' };
    default:
      return {
        save: p.rdb === true ? REDIS_SAVE_POINTS : Array.isArray(p.rdb) ? p.rdb : false,
        aof: p.aof ?? false,
        appendfsync: p.appendfsync,
      };
  }
}

const DEFAULT_BASE_PORT: Record<Kind, number> = { standalone: 6379, 'master-replica': 7001, sentinel: 7001, cluster: 7000 };

/** Expands counts into nodes, applies defaults, merges directives. Shape problems are left to validate.ts. */
function normalize(raw: RawTopology, file: string, locate: (p: YamlPath) => string): Topology {
  const defaultHost = raw.host ?? '127.0.0.1';
  const hostFor = (i: number): string => (raw.hosts ? raw.hosts[i % raw.hosts.length] : defaultHost);
  const shared = raw.config ?? {};
  const nodes: NodeSpec[] = [];
  const base = raw['base-port'] ?? DEFAULT_BASE_PORT[raw.kind];
  const clusterReplicas = raw.cluster?.replicas ?? 0;

  if (raw.nodes) {
    raw.nodes.forEach((n, i) => {
      const role = n.role ?? (n.replicaof ? 'replica' : raw.kind === 'cluster' ? undefined : i === 0 ? 'master' : 'replica');
      nodes.push({
        name: n.name ?? `${raw.kind === 'cluster' ? 'node' : 'redis'}${i + 1}`,
        role: role ?? 'master',
        host: n.host ?? hostFor(i),
        port: n.port,
        replicaof: n.replicaof,
        config: { ...shared, ...(n.config ?? {}) },
        portPath: ['nodes', i, 'port'],
      });
    });
    if (raw.kind === 'cluster' && raw.nodes.every((n) => !n.role)) {
      // Without roles, the first nodes/(replicas+1) are the masters, as redis-cli --cluster create does.
      const masters = Math.floor(nodes.length / (clusterReplicas + 1));
      nodes.forEach((n, i) => { n.role = i < masters ? 'master' : 'replica'; });
    }
  } else {
    const masters = raw.kind === 'cluster' ? (raw.masters ?? 3) : 1;
    const replicas = raw.kind === 'cluster' ? masters * clusterReplicas : raw.kind === 'standalone' ? 0 : (raw.replicas ?? 2);
    for (let i = 0; i < masters + replicas; i++) {
      const isMaster = i < masters;
      nodes.push({
        name: raw.kind === 'cluster' ? (isMaster ? `master${i + 1}` : `replica${i - masters + 1}`) : `redis${i + 1}`,
        role: isMaster ? 'master' : 'replica',
        host: hostFor(i),
        port: base + i,
        config: { ...shared },
        portPath: raw['base-port'] !== undefined ? ['base-port'] : ['kind'],
      });
    }
  }
  // Masters first: cluster create and the summary rely on it.
  nodes.sort((a, b) => (a.role === 'master' ? 0 : 1) - (b.role === 'master' ? 0 : 1));
  if (raw.kind === 'master-replica' || raw.kind === 'sentinel') {
    const master = nodes.find((n) => n.role === 'master');
    for (const n of nodes) if (n.role === 'replica' && !n.replicaof && master) n.replicaof = master.name;
  }

  const s = raw.sentinel;
  let sentinel: Topology['sentinel'];
  if (raw.kind === 'sentinel') {
    const sNodes = s?.nodes;
    const count = sNodes?.length ?? s?.count ?? 3;
    const sBase = s?.['base-port'] ?? (raw.nodes ? 26379 : Math.max(...nodes.map((n) => n.port)) + 1);
    for (let i = 0; i < count; i++) {
      const n = sNodes?.[i];
      nodes.push({
        name: n?.name ?? `sentinel${i + 1}`,
        role: 'sentinel',
        host: n?.host ?? defaultHost,
        port: n?.port ?? sBase + i,
        config: { ...(s?.config ?? {}), ...(n?.config ?? {}) },
        portPath: n ? ['sentinel', 'nodes', i, 'port'] : s?.['base-port'] !== undefined ? ['sentinel', 'base-port'] : ['sentinel'],
      });
    }
    sentinel = {
      masterName: s?.['master-name'] ?? 'mymaster',
      quorum: s?.quorum ?? Math.floor(count / 2) + 1,
      downAfterMs: s?.['down-after-milliseconds'] ?? 5000,
      failoverTimeoutMs: s?.['failover-timeout'] ?? 60000,
      parallelSyncs: s?.['parallel-syncs'] ?? 1,
    };
  }

  return {
    name: raw.name,
    kind: raw.kind,
    file,
    description: raw.description,
    engine: raw.engine,
    nodes,
    persistence: persistenceOf(raw.persistence),
    failover: raw.failover ?? 'promote',
    auth: {
      requirepass: raw.auth?.requirepass,
      masterauth: raw.auth?.masterauth ?? raw.auth?.requirepass,
      masteruser: raw.auth?.masteruser,
      users: (raw.auth?.users ?? []).map(toAclUser),
    },
    sentinel,
    cluster: raw.kind === 'cluster'
      ? { replicas: clusterReplicas, nodeTimeoutMs: raw.cluster?.['node-timeout'] ?? 5000, allowSmall: raw.cluster?.['allow-small'] ?? false }
      : undefined,
    locate,
  };
}

/** Keys that only make sense for some kinds, and nodes given both ways. */
function checkKindKeys(raw: RawTopology): Issue[] {
  const issues: Issue[] = [];
  const only = (key: keyof RawTopology, kinds: Kind[], hint: string): void => {
    if (raw[key] !== undefined && !kinds.includes(raw.kind)) {
      issues.push({ path: [key], message: `is only allowed for kind ${kinds.join(' or ')} (this topology is kind ${raw.kind}${hint})` });
    }
  };
  only('masters', ['cluster'], '');
  only('replicas', ['master-replica', 'sentinel'], raw.kind === 'cluster' ? '; use cluster.replicas for replicas per master' : '');
  only('sentinel', ['sentinel'], '');
  only('cluster', ['cluster'], '');
  only('failover', ['master-replica'], raw.kind === 'sentinel' ? '; Sentinel decides failovers' : raw.kind === 'cluster' ? '; cluster replicas fail over by themselves' : '');
  if (raw.nodes) {
    for (const key of ['masters', 'replicas', 'base-port'] as const) {
      if (raw[key] !== undefined) issues.push({ path: [key], message: `cannot be combined with an explicit nodes list (give either nodes, or counts and base-port)` });
    }
  }
  if (raw.sentinel?.nodes && raw.sentinel.count !== undefined) {
    issues.push({ path: ['sentinel', 'count'], message: 'cannot be combined with sentinel.nodes (give one of them)' });
  }
  return issues;
}
