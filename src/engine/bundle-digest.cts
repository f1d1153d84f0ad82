// A bundle's content key, and the bundle's files as the build writes them and start-up reads them:
// X.bundle.js (one function expression), X.bundle.cache (V8's code cache for it) and X.bundle.json,
// the size and CRC-32 of every module it was built from. Two bundles use it: the engine's
// (dist/engine/main.bundle.*: scripts/bundle-engine.mjs, main.cts) and the CLI's (dist/cli.bundle.*:
// scripts/bundle-cli.mjs, lib/cli-bundle.cts). Content, not mtimes: npm pack and
// install give every file a new mtime, and the bundle must stay in use there. Reading and hashing all
// ~1.5 MB of modules on every start cost several ms, so a module whose size is as recorded and whose
// mtime is not after the bundle's (nothing rewrote it since the build: true in a checkout after
// `npm run build` and in an installed package, where npm gives every file the same mtime) counts as
// unchanged without being read; any other module is read and its CRC compared. CRC-32 (not a
// cryptographic hash) because this only detects a rebuild. CommonJS (.cts) so the CommonJS entry
// main.cts can require it without the ES module loader.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

interface BundleManifest {
  /** Module path relative to the bundle's modules folder ('/'-separated) -> [size in bytes, CRC-32 of its bytes]. */
  modules: Record<string, [number, number]>;
}

let table: Int32Array | undefined;

/** CRC-32 (IEEE, as zlib) in JavaScript, for Node 20 releases before zlib.crc32 (20.15). */
function crc32js(buf: Uint8Array): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < buf.length; i++) crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** CRC-32 of `buf`; node:zlib (a few ms to load) only on first use. */
export function crc32(buf: Uint8Array): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: loaded only when a module must be read
  const native = (require('node:zlib') as { crc32?: (b: Uint8Array) => number }).crc32;
  return native ? native(buf) : crc32js(buf);
}

/** True when every module in `manifest` (paths relative to `dir`) still has the recorded content. */
function modulesUnchanged(dir: string, manifest: BundleManifest, bundleMtimeMs: number): boolean {
  const entries = Object.entries(manifest.modules);
  if (entries.length === 0) return false;
  for (const [rel, [size, crc]] of entries) {
    const file = path.join(dir, rel);
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st || st.size !== size) return false;
    if (st.mtimeMs > bundleMtimeMs && crc32(readFileSync(file)) !== crc) return false;
  }
  return true;
}

/** X.bundle.json and X.bundle.cache beside X.bundle.js. */
const keyOf = (file: string) => file.replace(/\.js$/, '.json');
const cacheOf = (file: string) => file.replace(/\.js$/, '.cache');

/**
 * True when every module the key of the bundle at `file` lists (paths relative to `modulesDir`) still
 * has the recorded content; throws when the bundle or its key is missing or unreadable.
 */
export function bundleFresh(file: string, modulesDir: string): boolean {
  const manifest = JSON.parse(readFileSync(keyOf(file), 'utf8')) as BundleManifest;
  return modulesUnchanged(modulesDir, manifest, statSync(file).mtimeMs);
}

/**
 * The bundle at `file` compiled with its code cache, or null when a module its key lists (paths
 * relative to `modulesDir`) no longer has the recorded content; throws when the bundle or its key is
 * missing or unreadable. `beforeCompile` runs just before V8 compiles it (the engine sets its flag
 * hash there: V8 checks the cache against it).
 */
export function compileFreshBundle(file: string, modulesDir: string, encoding: BufferEncoding, beforeCompile?: () => void): { script: vm.Script; cache: 'accepted' | 'rejected' | 'missing' } | null {
  if (!bundleFresh(file, modulesDir)) return null;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheOf(file));
  } catch {
    cachedData = undefined; // compiled from source: slower, same behaviour
  }
  beforeCompile?.();
  const script = new vm.Script(readFileSync(file, encoding), { filename: file, cachedData });
  return { script, cache: cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted' };
}

/**
 * The build's side: writes the bundle's source, the code cache of `script` (compiled from it and
 * warmed up) and, last, its key over `modules` (paths relative to `modulesDir`). The old key goes
 * first, so a build stopped halfway leaves no key and start-up ignores the half-written bundle.
 */
export function writeBundle(file: string, text: string, encoding: BufferEncoding, script: vm.Script, modulesDir: string, modules: string[]): void {
  rmSync(keyOf(file), { force: true });
  writeFileSync(`${file}.tmp`, text, encoding);
  renameSync(`${file}.tmp`, file);
  writeFileSync(cacheOf(file), script.createCachedData());
  const manifest: BundleManifest = {
    modules: Object.fromEntries(modules.map((m) => {
      const bytes = readFileSync(path.join(modulesDir, m));
      return [m, [bytes.length, crc32(bytes)]];
    })),
  };
  writeFileSync(keyOf(file), JSON.stringify(manifest) + '\n');
}
