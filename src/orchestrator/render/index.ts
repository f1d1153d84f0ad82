// Renders every node's redis.conf / sentinel.conf from templates/ (handlebars) into a state folder laid
// out one folder per node: <dir>/<node>/{redis.conf|sentinel.conf, data/, <kind>.log, <kind>.pid}.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Handlebars from 'handlebars';
import { TEMPLATES_DIR } from '../paths.js';
import type { DirectiveValue, NodeSpec, Topology } from '../topology/types.js';

export interface NodePaths {
  dir: string;
  conf: string;
  data: string;
  log: string;
  pid: string;
}

export function nodePaths(stateDir: string, node: NodeSpec): NodePaths {
  const dir = path.join(path.resolve(stateDir), node.name);
  const base = node.role === 'sentinel' ? 'sentinel' : 'redis';
  return {
    dir,
    conf: path.join(dir, `${base}.conf`),
    data: path.join(dir, 'data'),
    log: path.join(dir, `${base}.log`),
    pid: path.join(dir, `${base}.pid`),
  };
}

/** Quotes a directive argument the way redis.conf's parser reads it back (sdssplitargs rules). */
export function confQuote(v: DirectiveValue): string {
  const s = typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
  if (s !== '' && /^[^\s"'\\]+$/.test(s)) return s;
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** How the templates are compiled, here and by scripts/precompile-templates.mjs. */
export const TEMPLATE_OPTIONS = { noEscape: true, strict: true, knownHelpersOnly: false } as const;

const requireHere = createRequire(import.meta.url);

/** A Handlebars environment (the full one, or the runtime alone) with the templates' helpers. */
function withHelpers(base: typeof Handlebars): typeof Handlebars {
  const hbs = base.create();
  hbs.registerHelper('q', (v: DirectiveValue) => new hbs.SafeString(confQuote(v)));
  hbs.registerHelper('yesno', (v: unknown) => (v ? 'yes' : 'no'));
  return hbs;
}

type Precompiled = Record<string, { source: string; spec: TemplateSpecification }>;
type TemplateSpecification = Parameters<typeof Handlebars.template>[0];

/**
 * The templates precompiled by the build (templates.cjs beside this file), or undefined when there is
 * none (running from src/). With them `up` loads Handlebars' runtime instead of its compiler (about
 * half the CPU of the CLI's Handlebars import, all of it before any node starts).
 */
function precompiled(): Precompiled | undefined {
  try {
    return requireHere('./templates.cjs') as Precompiled;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    return undefined;
  }
}

type Template = (ctx: object) => string;
const compiled = new Map<string, Template>();
let runtime: typeof Handlebars | undefined;
let full: typeof Handlebars | undefined;
function template(name: 'redis.conf' | 'sentinel.conf'): Template {
  let t = compiled.get(name);
  if (!t) {
    const source = readFileSync(path.join(TEMPLATES_DIR, `${name}.hbs`), 'utf8');
    const built = precompiled()?.[name];
    // A template edited since the build is compiled here, as is one the build did not see.
    if (built && built.source === source) {
      runtime ??= withHelpers(requireHere('handlebars/runtime') as typeof Handlebars);
      t = runtime.template(built.spec);
    } else {
      full ??= withHelpers(requireHere('handlebars') as typeof Handlebars);
      t = full.compile(source, TEMPLATE_OPTIONS);
    }
    compiled.set(name, t);
  }
  return t;
}

function directiveList(config: NodeSpec['config']): Array<{ name: string; value: DirectiveValue }> {
  const out: Array<{ name: string; value: DirectiveValue }> = [];
  for (const [name, v] of Object.entries(config)) for (const value of Array.isArray(v) ? v : [v]) out.push({ name, value });
  return out;
}

/**
 * The address a node's outgoing connections (replication, cluster bus, sentinel links) come from: its own
 * host when that is not the default 127.0.0.1 (127.0.0.2, 127.0.0.3 ... stand in for other machines), so
 * peers learn its real address; false to leave the kernel's choice (127.0.0.1 on loopback).
 */
export function sourceAddr(node: Pick<NodeSpec, 'host'>): string | false {
  const h = node.host;
  if (h === '127.0.0.1' || h === 'localhost' || h === '0.0.0.0' || h === '::' || h === '*') return false;
  return h;
}

/** The text of one node's config file. */
export function renderNode(t: Topology, node: NodeSpec, paths: NodePaths): string {
  const topology = { name: t.name, kind: t.kind, file: t.file };
  const directives = directiveList(node.config);
  if (node.role === 'sentinel') {
    const master = t.nodes.find((n) => n.role === 'master');
    return template('sentinel.conf')({ topology, node, paths, sentinel: t.sentinel, master, auth: t.auth, directives, sourceAddr: sourceAddr(node) });
  }
  const upstream = node.replicaof ? t.nodes.find((n) => n.name === node.replicaof) : undefined;
  return template('redis.conf')({
    topology,
    node,
    paths,
    save: t.persistence.save || [],
    aof: t.persistence.aof,
    appendfsync: t.persistence.appendfsync ?? false,
    replicaof: upstream ? { host: upstream.host, port: upstream.port } : false,
    auth: { requirepass: t.auth.requirepass ?? false, masterauth: t.auth.masterauth ?? false, masteruser: t.auth.masteruser ?? false },
    users: t.auth.users,
    cluster: t.kind === 'cluster' ? t.cluster : false,
    sourceAddr: sourceAddr(node),
    directives,
  });
}

export interface RenderedNode {
  node: NodeSpec;
  paths: NodePaths;
}

/** Writes every node's folder and config file under dir; data already there is kept. */
export function renderTopology(t: Topology, dir: string): RenderedNode[] {
  return t.nodes.map((node) => {
    const paths = nodePaths(dir, node);
    mkdirSync(paths.data, { recursive: true });
    writeFileSync(paths.conf, renderNode(t, node, paths));
    return { node, paths };
  });
}
