// How bin/run.js starts the CLI from dist/cli.bundle.js (scripts/bundle-cli.mjs): compiled with V8's
// code cache beside it, and only while every package file it was built from still has the content
// recorded in dist/cli.bundle.json (engine/bundle-digest.cts: sizes, and CRC-32 of any file newer than
// the bundle), so a later tsc run or a new oclif manifest makes kvctl load its modules instead. An
// installed package (new mtimes, same content) keeps using it. KVCTL_CLI_NO_BUNDLE=1 turns it off.
// CommonJS (.cts): bin/run.js requires it before any ES module of the CLI is loaded.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileFreshBundle } from '../engine/bundle-digest.cjs';

export type BundledMain = (root: string, argv: string[]) => Promise<unknown>;

type ImportFn = (spec: string) => Promise<unknown>;

/**
 * The bundle's import() of the ES modules it left out (the engine, for kvctl server/sentinel), `spec`
 * relative to dist/: code compiled by vm.Script cannot import() without an experimental vm option.
 */
export function importFrom(dist: string): ImportFn {
  return (spec) => import(pathToFileURL(path.join(dist, spec)).href);
}

/** KVCTL_CLI_TRACE_START=1: one stderr line saying how the CLI started (tests check it). */
function trace(msg: string): void {
  if (process.env.KVCTL_CLI_TRACE_START === '1') process.stderr.write(`kvctl cli: ${msg}\n`);
}

/** The bundle's main for the package at `root`, or null (after saying why) when it must not be used. */
export function loadCliBundle(root: string): BundledMain | null {
  if (process.env.KVCTL_CLI_NO_BUNDLE === '1') {
    trace('modules (KVCTL_CLI_NO_BUNDLE=1)');
    return null;
  }
  const dist = path.join(root, 'dist');
  const file = path.join(dist, 'cli.bundle.js');
  try {
    // Latin-1: the build writes it so (scripts/bundle-cli.mjs), a copy instead of UTF-8 decoding.
    const b = compileFreshBundle(file, root, 'latin1');
    if (b === null) {
      trace('modules (the bundle is stale)');
      return null;
    }
    const mod = { exports: {} as { main?: BundledMain } };
    type Wrapper = (r: NodeJS.Require, m: typeof mod, e: typeof mod.exports, filename: string, dirname: string, imp: ImportFn) => void;
    // This module's require resolves as the bundle's would (what it requires at all: Node's built-ins;
    // npm packages are found from the package either way).
    (b.script.runInThisContext() as Wrapper)(require, mod, mod.exports, file, dist, importFrom(dist));
    if (typeof mod.exports.main !== 'function') throw new Error('no main in the bundle');
    trace(`bundle, code cache ${b.cache}`);
    return mod.exports.main;
  } catch (e) {
    trace(`modules (${(e as Error).message})`);
    return null;
  }
}
