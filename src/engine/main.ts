// The engine as a process, like redis-server: `node dist/engine/main.js [redis.conf] [--directive value]...`
// Starts from dist/engine/main.bundle.js (scripts/bundle-engine.mjs, part of `npm run build`: all engine
// modules in one file, compiled with V8's code cache) when it was built from exactly the modules next
// to it: that starts far faster than loading ~120 ES modules. Any mismatch (a later tsc run, a
// missing file) or KVCTL_ENGINE_NO_BUNDLE=1 loads the ES modules instead.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

// The keyspace is one big, long-lived heap: growing the old generation by 15% per major GC instead of
// V8's default (up to 2-4x) keeps the resident size ~15% lower at 1M keys (issue 2, memory goal).
v8.setFlagsFromString('--heap-growing-percent=15');

type StartModule = typeof import('./start.js');

function bundled(): StartModule | null {
  if (process.env.KVCTL_ENGINE_NO_BUNDLE === '1') return null;
  try {
    const at = (f: string) => fileURLToPath(new URL(f, import.meta.url));
    const manifest = JSON.parse(readFileSync(at('./main.bundle.json'), 'utf8')) as { files: Record<string, [number, number]> };
    for (const [rel, [size, mtime]] of Object.entries(manifest.files)) {
      const st = statSync(at(`./${rel}`));
      if (st.size !== size || st.mtimeMs !== mtime) return null;
    }
    const file = at('./main.bundle.js');
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(at('./main.bundle.cache'));
    } catch {
      cachedData = undefined;
    }
    // A cache from another Node/V8 version or other flags is rejected by V8 and the source compiled.
    const script = new vm.Script(readFileSync(file, 'utf8'), { filename: file, cachedData });
    const mod = { exports: {} as StartModule };
    (script.runInThisContext() as (r: NodeJS.Require, m: typeof mod, e: StartModule) => void)(createRequire(file), mod, mod.exports);
    return mod.exports;
  } catch {
    return null;
  }
}

const { startFromArgs } = bundled() ?? (await import('./start.js'));

startFromArgs(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exit(code);
  },
  (e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  },
);
