// Engine modules kept out of main.bundle.js, and so out of the V8 start-up snapshot every node
// deserialises: each is bundled into dist/engine/chunks/<name>.cjs and required the first time one of
// its exports is called. In the main bundle the module is a stub of forwarding functions (so every
// export must be a plain function); the chunk holds the module and whatever only it imports, and gets
// the modules it shares with the main bundle from the main bundle itself (HOST below), so there is
// one instance of each (one Server class, one WeakMap of per-server state). The ES modules (tsc's
// output, main.cjs's fallback) are unchanged: there the import is static, as written.
// Used by scripts/bundle-engine.mjs.
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** name: the chunk's file (chunks/<name>.cjs); entry: the module it replaces, under dist/engine. */
export const LAZY_CHUNKS = [
  // Only a --sentinel node runs it (start.ts).
  { name: 'sentinel', entry: 'sentinel/index.js' },
  // COMMAND DOCS' texts (~180 KB of source the snapshot would hold); read by COMMAND DOCS only.
  { name: 'command-docs', entry: 'commands/generated/command-docs.js' },
];

const HOST_PREFIX = 'kvctl-host:';
const HOST_MODULE = 'kvctl-lazy:host';

/** esbuild options shared by the main bundle and the chunks. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  // npm dependencies (the Lua VM, loaded on the first script) stay require()d from node_modules.
  packages: 'external',
  format: 'cjs',
  target: 'node20',
  write: false,
  metafile: true,
  sourcemap: false,
  // Whitespace only (names and syntax stay as written): the source text is part of the V8 start-up
  // snapshot every node deserialises (1.33 -> 1.06 MB; the snapshot's isolate part 2.38 -> 2.10 MB).
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'silent',
};

// esbuild's __toESM copies every export of a module into a new object of getters, at each import site:
// for Node's built-ins (node:fs has ~100 exports, ~20 sites) that was ~10% of the engine's start-up
// CPU. A built-in is a plain object whose default import is itself, so an object inheriting from it
// with a \`default\` reads the same, for O(1).
const BUILTIN = /__toESM\(require\("(node:[a-z_/]+)"\),\s*1\)/g;
/** esbuild output with built-in imports made O(1) (the helper defined first). */
export function builtinImports(body) {
  return 'var __builtin = (mod) => Object.create(mod, { default: { value: mod, enumerable: true } });\n' + body.replace(BUILTIN, '__builtin(require("$1"))');
}

const rel = (root, f) => path.relative(root, path.resolve(f)).split(path.sep).join('/');

/** Each chunk's export names, from its ES module; throws unless every export is a plain function. */
async function exportNames(root) {
  const names = new Map();
  for (const c of LAZY_CHUNKS) {
    const ns = await import(pathToFileURL(path.join(root, c.entry)).href);
    const bad = Object.entries(ns).filter(([, v]) => typeof v !== 'function' || /^class\b/.test(Function.prototype.toString.call(v)));
    if (bad.length) throw new Error(`lazy chunk ${c.entry}: exports ${bad.map(([k]) => k).join(', ')} are not plain functions (the stub only forwards calls)`);
    names.set(c.name, Object.keys(ns));
  }
  return names;
}

/**
 * The plugin of the main build: each chunk's entry becomes a stub that requires chunks/<name>.cjs on
 * its first call, handing it HOST, the namespaces of the main bundle's modules the chunks import.
 */
function stubPlugin(root, names, hostModules) {
  const byEntry = new Map(LAZY_CHUNKS.map((c) => [path.join(root, c.entry), c]));
  return {
    name: 'kvctl-lazy-stubs',
    setup(b) {
      b.onResolve({ filter: /^\.\/chunks\// }, (a) => ({ path: a.path, external: true }));
      b.onResolve({ filter: new RegExp(`^${HOST_MODULE}$`) }, () => ({ path: HOST_MODULE, namespace: 'kvctl-lazy' }));
      b.onLoad({ filter: /.*/, namespace: 'kvctl-lazy' }, () => ({
        resolveDir: root,
        loader: 'js',
        contents: [
          ...hostModules.map((m, i) => `import * as m${i} from ${JSON.stringify(`./${m}`)};`),
          `export const HOST = { ${hostModules.map((m, i) => `${JSON.stringify(m)}: m${i}`).join(', ')} };`,
        ].join('\n'),
      }));
      b.onLoad({ filter: /\.js$/ }, (a) => {
        const c = byEntry.get(a.path);
        if (!c) return undefined;
        const load = `__chunk_${c.name.replace(/\W/g, '_')}`;
        return {
          resolveDir: root,
          loader: 'js',
          contents: [
            `import { HOST } from ${JSON.stringify(HOST_MODULE)};`,
            `let loaded;`,
            // The bundle's own require (main.cjs's, or the snapshot's, which resolves from main.bundle.js).
            `const ${load} = () => (loaded ??= require(${JSON.stringify(`./chunks/${c.name}.cjs`)})(HOST));`,
            ...names.get(c.name).map((n) => `export function ${n}(...args) { return ${load}().${n}(...args); }`),
          ].join('\n'),
        };
      });
    },
  };
}

/**
 * Builds the main bundle from `entry` with the chunks' stubs, then the chunks against it, and writes
 * the chunks to dist/engine/chunks. Returns the main build's result (its text not yet written), the
 * main bundle's modules and the chunks' (both relative to `root`).
 */
export async function buildWithChunks(root, entry) {
  const names = await exportNames(root);
  const mainBuild = (hostModules) => build({ ...BUNDLE_OPTIONS, entryPoints: [entry], plugins: [stubPlugin(root, names, hostModules)] });
  const inputs = (r) => Object.keys(r.metafile.inputs).filter((f) => !f.startsWith('kvctl-lazy:')).map((f) => rel(root, f));
  const first = await mainBuild([]);
  const entries = new Set(LAZY_CHUNKS.map((c) => c.entry));
  const mainModules = new Set(inputs(first).filter((m) => !entries.has(m)));
  const host = new Set();
  const chunks = [];
  for (const c of LAZY_CHUNKS) {
    const r = await build({
      ...BUNDLE_OPTIONS,
      entryPoints: [path.join(root, c.entry)],
      plugins: [{
        name: 'kvctl-lazy-host',
        setup(b) {
          b.onResolve({ filter: /^\.\.?\// }, (a) => {
            const m = rel(root, path.resolve(a.resolveDir, a.path));
            if (!mainModules.has(m)) return undefined; // the chunk's own: bundled into it
            host.add(m);
            return { path: HOST_PREFIX + m, external: true };
          });
        },
      }],
    });
    const body = builtinImports(r.outputFiles[0].text);
    // A default or namespace import of a host module would go through esbuild's __toESM, which copies
    // the namespace's getters once (no live bindings) and adds a default: only named imports are safe.
    if (body.includes(`__toESM(require("${HOST_PREFIX}`)) throw new Error(`lazy chunk ${c.entry}: a default or namespace import of an engine module (use named imports)`);
    chunks.push({ ...c, body, modules: inputs(r).filter((m) => !mainModules.has(m)) });
  }
  const main = await mainBuild([...host].sort());
  const again = new Set(inputs(main).filter((m) => !entries.has(m)));
  if (again.size !== mainModules.size || [...again].some((m) => !mainModules.has(m))) throw new Error('lazy chunks: the main bundle changed its modules when given the host table');
  const dir = path.join(root, 'chunks');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const c of chunks) writeFileSync(path.join(dir, `${c.name}.cjs`), chunkSource(c.body));
  return { main, mainModules: inputs(main), chunkModules: chunks.flatMap((c) => c.modules), chunkFiles: chunks.map((c) => `chunks/${c.name}.cjs`) };
}

/** A chunk as a CommonJS module exporting (HOST) => the entry's exports; run once by its stub. */
function chunkSource(body) {
  return `'use strict';
// Generated by scripts/lazy-chunks.mjs (esbuild) from dist/engine: do not edit.
const nodeRequire = require;
module.exports = (HOST) => {
  const require = (id) => (id.startsWith(${JSON.stringify(HOST_PREFIX)}) ? HOST[id.slice(${HOST_PREFIX.length})] : nodeRequire(id));
  const module = { exports: {} };
  const exports = module.exports;
${body}
  return module.exports;
};
`;
}
