// The engine as a process, like redis-server: `node dist/engine/main.cjs [redis.conf] [--directive value]...`
// (main.js is the same for callers that use the older name). CommonJS: the ES module loader alone costs
// several milliseconds of start-up. Starts from dist/engine/main.bundle.js (scripts/bundle-engine.mjs,
// part of `npm run build`: every engine module in one file, by esbuild, compiled with V8's code cache)
// when the modules next to it still have the content it was built from (bundle-digest.cts): that
// starts far faster than loading ~120 ES modules. Any mismatch (a later tsc run, a missing file) or
// KVCTL_ENGINE_NO_BUNDLE=1 loads the ES modules instead.
import path from 'node:path';
import { compileFreshBundle } from './bundle-digest.cjs';
import { matchEngineFlagHash } from './v8-flags.cjs';

type StartModule = typeof import('./start.js');

/** KVCTL_ENGINE_TRACE_START=1: one stderr line saying how the engine started (tests check it). */
const trace = (msg: string) => {
  if (process.env.KVCTL_ENGINE_TRACE_START === '1') process.stderr.write(`kvctl engine: ${msg}\n`);
};

function bundled(): { start: StartModule; how: string } | null {
  if (process.env.KVCTL_ENGINE_NO_BUNDLE === '1') {
    trace('ES modules (KVCTL_ENGINE_NO_BUNDLE=1)');
    return null;
  }
  try {
    // V8 rejects a cache made by another V8 version or under other V8 flags (and compiles the source):
    // the cache was made under the engine's flags (v8-flags.cts), so give V8 their hash if the
    // command line lacked them; no other flag may be set before this point (runProcess sets one after).
    const b = compileFreshBundle(path.join(__dirname, 'main.bundle.js'), __dirname, 'utf8', matchEngineFlagHash);
    if (b === null) {
      trace('ES modules (the bundle is stale)');
      return null;
    }
    const mod = { exports: {} as StartModule };
    // This module's own require resolves as the bundle's would (same folder): no node:module
    // createRequire, whose ES-loader graph costs milliseconds to load.
    (b.script.runInThisContext() as (r: NodeJS.Require, m: typeof mod, e: StartModule) => void)(require, mod, mod.exports);
    trace(`bundle, code cache ${b.cache}`);
    return { start: mod.exports, how: b.cache === 'rejected' ? 'bundle-cache-rejected' : 'bundle' };
  } catch (e) {
    trace(`ES modules (${(e as Error).message})`);
    return null;
  }
}

async function main(): Promise<void> {
  const b = bundled();
  const start = b?.start ?? (await import('./start.js'));
  await start.runProcess(process.argv.slice(2), trace, b?.how ?? 'modules');
}

main().catch((e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
