// Build step (after tsc and the oclif manifest): esbuild packs the CLI (bin/run.js's @oclif/core, every
// command in dist/commands and what they import, npm packages included) into one CommonJS file,
// dist/cli.bundle.js, so a kvctl command starts without Node resolving, reading and compiling ~150
// modules one by one (most of what importing @oclif/core costs). Commands stay lazy: each is a
// dynamic import, so esbuild wraps it and its modules in an initialiser run on first use. The file is
// one function expression, compiled by dist/lib/cli-bundle.cjs (bin/run.js) with V8's code cache
// (dist/cli.bundle.cache, made here after a warm-up run of the bundle). dist/cli.bundle.json records
// the size and CRC-32 of every package file it was built from (dist modules, oclif.manifest.json): the
// bundle is used only while they still match (engine/bundle-digest.cts), else bin/run.js loads the
// modules as before. The engine itself is left out (kvctl server/sentinel import its ES modules).
// Usage: node scripts/bundle-cli.mjs (from the repository root, after tsc and scripts/oclif-manifest.mjs)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { build } from 'esbuild';

const root = path.resolve('.');
const dist = path.join(root, 'dist');
const bundle = path.join(dist, 'cli.bundle.js');
const require = createRequire(import.meta.url);
const { writeBundle } = require(path.join(dist, 'engine', 'bundle-digest.cjs'));
const rel = (f) => path.relative(root, path.resolve(f)).split(path.sep).join('/');

// The command table, from the manifest oclif itself uses to find commands.
const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'));
const commands = Object.entries(manifest.commands).map(([id, c]) => {
  if (c.relativePath?.[0] !== 'dist') throw new Error(`command ${id}: not under dist/ (${c.relativePath})`);
  return { id, file: c.relativePath.join('/') };
});
const entry = [
  `import { executeBundled } from './lib/bundled-cli.js';`,
  `const COMMANDS = {`,
  ...commands.map((c) => `  ${JSON.stringify(c.id)}: { file: ${JSON.stringify(c.file)}, load: () => import(${JSON.stringify(`./${c.file.slice('dist/'.length)}`)}) },`),
  `};`,
  `export const main = (root, argv) => executeBundled(root, argv, COMMANDS);`,
].join('\n');

// The precompiled templates with Handlebars' runtime (render/index.ts) and the standalone topology
// validator (topology/load.ts); their fallbacks (the Handlebars compiler, Ajv) stay required from disk.
const BUNDLED_REQUIRES = ['./templates.cjs', 'handlebars/runtime', './schema-validate.cjs'];
const requiresFound = new Set();
const START = path.join(dist, 'engine', 'start.js');
const IMPORT_MARK = 'kvctl-cli-import:';
const result = await build({
  stdin: { contents: entry, resolveDir: dist, sourcefile: 'cli-entry.js', loader: 'js' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  write: false,
  metafile: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'silent',
  // oclif requires TypeScript only to run a plugin's .ts sources (readTSConfig, in a try): never here.
  external: ['typescript'],
  plugins: [{
    name: 'kvctl-cli',
    setup(b) {
      // The engine runs in its own processes; only kvctl server/sentinel load it here, as ES modules,
      // through the loader's import (a vm.Script's own import() needs an experimental vm option).
      b.onResolve({ filter: /start\.js$/ }, (a) => (path.resolve(a.resolveDir, a.path) === START ? { path: `${IMPORT_MARK}./engine/start.js`, external: true } : undefined));
      b.onLoad({ filter: /\.js$/ }, (a) => {
        if (!a.path.startsWith(dist + path.sep)) return undefined;
        let text = readFileSync(a.path, 'utf8');
        if (!text.includes('import.meta')) return undefined;
        // import.meta.url of a dist module: its own file's URL, from where the bundle is (dist/).
        const url = `require("node:url").pathToFileURL(require("node:path").join(__dirname, ${JSON.stringify(path.relative(dist, a.path).split(path.sep).join('/'))})).href`;
        text = text.replaceAll('import.meta.url', url);
        // What `kvctl up` requires through createRequire on every run, bundled (still required on first
        // use): esbuild follows require('literal') only.
        text = text.replace(/\brequireHere\((['"])([^'"]+)\1\)/g, (call, _q, spec) => {
          if (!BUNDLED_REQUIRES.includes(spec)) return call;
          requiresFound.add(spec);
          return `require(${JSON.stringify(spec)})`;
        });
        return { contents: text, loader: 'js' };
      });
    },
  }],
});
const missing = BUNDLED_REQUIRES.filter((r) => !requiresFound.has(r));
if (missing.length) throw new Error(`cannot bundle the CLI: no requireHere(${missing.join(', ')}) left in dist (update BUNDLED_REQUIRES)`);
// Any other import.meta (or a dynamic import esbuild could not follow) would be broken in CommonJS.
const bad = result.warnings.filter((w) => /import\.meta|import\(/.test(w.text));
if (bad.length) throw new Error(`cannot bundle the CLI: ${bad.map((w) => `${w.location?.file}: ${w.text}`).join('; ')}`);
const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.endsWith('cli-entry.js')).map(rel);
const own = inputs.filter((f) => f.startsWith('dist/'));
const marked = new RegExp(`\\bimport\\("${IMPORT_MARK}([^"]+)"\\)`, 'g');
const body = result.outputFiles[0].text.replace(marked, (_m, spec) => `__kvctl_import(${JSON.stringify(spec)})`);
if (body.includes(IMPORT_MARK)) throw new Error('cannot bundle the CLI: an import of the engine esbuild did not emit as import("...")');
const out = `(function (require, module, exports, __filename, __dirname, __kvctl_import) {\n// Generated by scripts/bundle-cli.mjs (esbuild) from dist/ and node_modules: do not edit.\n${body}})\n`;

if (Buffer.from(out, 'latin1').toString('latin1') !== out) throw new Error('cannot bundle the CLI: a character beyond Latin-1 in the output (cli-bundle.cts reads it as Latin-1)');

// Compile and run it here as cli-bundle.cts will, then let it run a few commands (the code oclif runs
// for any command: config, manifest, parse; status and render's own), so the code cache holds them
// compiled, not only the top level.
const script = new vm.Script(out, { filename: bundle });
const mod = { exports: {} };
const { importFrom } = require(path.join(dist, 'lib', 'cli-bundle.cjs'));
script.runInThisContext()(createRequire(bundle), mod, mod.exports, bundle, dist, importFrom(dist));
if (typeof mod.exports.main !== 'function') throw new Error('the CLI bundle does not export main');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'kvctl-cli-bundle-'));
const write = process.stdout.write;
try {
  process.stdout.write = () => true;
  await mod.exports.main(root, ['status', '--json', '--dir', scratch]);
  await mod.exports.main(root, ['render', 'cluster', '--out', path.join(scratch, 'conf')]);
} finally {
  process.stdout.write = write;
}
if (process.exitCode) throw new Error(`the bundled CLI's warm-up failed (exit code ${process.exitCode})`);
rmSync(scratch, { recursive: true, force: true });

// Latin-1 on disk, read back as such: Node makes the string with a copy, where UTF-8 text (esbuild keeps a
// few non-ASCII characters, in regular expressions) must be decoded (~7 ms of the 1.3 MB at start-up).
writeBundle(bundle, out, 'latin1', script, root, [...own, 'oclif.manifest.json'].sort());
console.log(`CLI bundle: ${own.length} dist modules and ${inputs.length - own.length} package files into dist/cli.bundle.js (${out.length} bytes, esbuild)`);
