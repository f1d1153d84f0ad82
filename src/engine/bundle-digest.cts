// The content key of dist/engine/main.bundle.js: the size and CRC-32 of every module it was built from
// (scripts/bundle-engine.mjs records them, main.cts checks them). Content, not mtimes: npm pack and
// install give every file a new mtime, and the bundle must stay in use there. Reading and hashing all
// ~1.5 MB of modules on every start cost several ms, so a module whose size is as recorded and whose
// mtime is not after the bundle's (nothing rewrote it since the build: true in a checkout after
// `npm run build` and in an installed package, where npm gives every file the same mtime) counts as
// unchanged without being read; any other module is read and its CRC compared. CRC-32 (not a
// cryptographic hash) because this only detects a rebuild. CommonJS (.cts) so the CommonJS entry
// main.cts can require it without the ES module loader.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface BundleManifest {
  /** Module path relative to dist/engine ('/'-separated) -> [size in bytes, CRC-32 of its bytes]. */
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
export function modulesUnchanged(dir: string, manifest: BundleManifest, bundleMtimeMs: number): boolean {
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
