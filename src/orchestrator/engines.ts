// Where each engine's binary is and how a node is started with it. Everything is an argument array
// (never a shell): builtin -> node --snapshot-blob <blob> -- CONF (the engine's start-up snapshot,
// engine/snapshot.cts) or node dist/engine/main.cjs CONF; redis / valkey -> <bin> CONF; sentinels ->
// the same with --sentinel after CONF (the engine's own Sentinel, or real Sentinel).
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../lib/errors.js';
import { buildInBackground, snapshotState, snapshotUnsupported } from '../engine/snapshot.cjs';
import { ENGINE_NODE_FLAGS } from '../engine/v8-flags.cjs';
import { ENGINE_MAIN } from './paths.js';
import type { EngineName } from './topology/types.js';

export const ENGINES: EngineName[] = ['builtin', 'redis', 'valkey'];

export interface Launcher {
  /** Executable and the arguments before the config file. */
  cmd: string;
  pre: string[];
  /** Arguments after the config file. */
  post: string[];
  /** What it is, for messages: "builtin engine", "/usr/bin/redis-server". */
  label: string;
}

export interface EngineChoice {
  name: EngineName;
  server: Launcher;
  /** Set when the topology has sentinels. */
  sentinel?: Launcher;
}

/** First executable called `name` on PATH. */
export function which(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

const SERVER_BIN: Record<Exclude<EngineName, 'builtin'>, string> = { redis: 'redis-server', valkey: 'valkey-server' };

function executable(p: string, what: string): string {
  try {
    accessSync(p, constants.X_OK);
    return path.resolve(p);
  } catch {
    throw new UserError(`engine: ${what} ${p} does not exist or is not executable`, 2);
  }
}

/**
 * Resolves the engine a topology runs on, failing before anything starts when a binary is missing.
 * engineBin overrides where the redis / valkey server binary is.
 */
export function resolveEngine(name: EngineName, opts: { engineBin?: string; needsSentinel?: boolean } = {}): EngineChoice {
  if (!ENGINES.includes(name)) throw new UserError(`engine: unknown engine '${name}' (allowed: ${ENGINES.join(', ')})`, 2);
  let server: Launcher;
  if (name === 'builtin') {
    if (opts.engineBin) throw new UserError('engine: --engine-bin is for --engine redis or valkey; the builtin engine ships with kvctl', 2);
    if (!existsSync(ENGINE_MAIN)) {
      throw new UserError(`engine: the builtin engine is not built (${ENGINE_MAIN} is missing; run npm run build, or use --engine redis)`);
    }
    server = { cmd: process.execPath, pre: builtinEntry(), post: [], label: 'builtin engine' };
  } else {
    const binName = SERVER_BIN[name];
    const bin = opts.engineBin ? executable(opts.engineBin, '--engine-bin') : which(binName);
    if (!bin) {
      throw new UserError(`engine: ${binName} not found on PATH (install it, or pass --engine-bin /path/to/${binName}; allowed engines: ${ENGINES.join(', ')})`);
    }
    server = { cmd: bin, pre: [], post: [], label: bin };
  }
  if (!opts.needsSentinel) return { name, server };

  // Sentinel runs on the same engine as the data nodes: the builtin engine is its own Sentinel.
  return { name, server, sentinel: { ...server, post: ['--sentinel'], label: `${server.label} --sentinel` } };
}

/**
 * The node arguments that start the builtin engine in `engineDir` (default: this package's): its
 * start-up snapshot when this Node has a fresh one, else main.cjs (bundle + code cache), starting a
 * background build of the snapshot when there is none yet (an installed package's first start).
 * Both begin with the engine's V8 flags (engine/v8-flags.cts), which the snapshot and cache were made under.
 */
export function builtinEntry(engineDir = path.dirname(ENGINE_MAIN), env: NodeJS.ProcessEnv = process.env): string[] {
  if (!snapshotUnsupported(env)) {
    const s = snapshotState(engineDir);
    // `--`: what follows is the engine's (a first `--port` is not a Node option).
    if (s.state === 'fresh') return [...ENGINE_NODE_FLAGS, '--snapshot-blob', s.blob, '--'];
    if (s.state === 'stale') buildInBackground(engineDir);
  }
  return [...ENGINE_NODE_FLAGS, path.join(engineDir, 'main.cjs')];
}

/**
 * The environment of the supervisor and the nodes it starts: kvctl's own, minus NODE_EXTRA_CA_CERTS.
 * Node reads and parses that certificate file at every start (~50 ms of CPU each, before any of our
 * code runs) for TLS connections that neither the supervisor nor the engine ever makes. Plus glibc's
 * malloc.hugetlb tunable (mallocHugePages).
 */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _unused, ...rest } = env;
  return { ...rest, GLIBC_TUNABLES: mallocHugePages(rest.GLIBC_TUNABLES) };
}

const HUGETLB = 'glibc.malloc.hugetlb';

/**
 * GLIBC_TUNABLES with glibc.malloc.hugetlb=1 added (glibc 2.35+; older glibc and musl ignore it):
 * malloc asks for transparent huge pages (madvise) on the blocks it maps. A node started from the
 * snapshot reads the 6.6 MB blob into a zeroed buffer and copies the 3.7 MB heap image out of it
 * before V8 deserialises it: 4 KB pages made that ~2,100 of its ~6,200 page faults, each costly in a VM.
 * A value the user set for the tunable is kept.
 */
export function mallocHugePages(tunables: string | undefined): string {
  if (!tunables) return `${HUGETLB}=1`;
  if (tunables.split(':').some((t) => t.startsWith(`${HUGETLB}=`))) return tunables;
  return `${tunables}:${HUGETLB}=1`;
}

/** argv for one node. */
export function launchArgs(l: Launcher, conf: string): { cmd: string; args: string[] } {
  return { cmd: l.cmd, args: [...l.pre, conf, ...l.post] };
}
