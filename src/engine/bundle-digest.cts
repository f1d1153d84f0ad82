// The content key of dist/engine/main.bundle.js: the CRC-32 of every module it was built from
// (scripts/bundle-engine.mjs records them, main.cts checks them). Content, not mtimes: npm pack and
// install give every file a new mtime, and the bundle must stay in use there. CRC-32 (not a
// cryptographic hash) because this only detects a rebuild, and node:crypto costs milliseconds to load.
// CommonJS (.cts) so the CommonJS entry main.cts can require it without the ES module loader.
import zlib from 'node:zlib';

export interface BundleManifest {
  /** Module path relative to dist/engine ('/'-separated) -> CRC-32 of its bytes. */
  modules: Record<string, number>;
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

const native = (zlib as { crc32?: (b: Uint8Array) => number }).crc32;
export const crc32: (buf: Uint8Array) => number = native ? (b) => native(b) : crc32js;
