// node:crypto on first use. Loading it costs a few ms of every node's start-up (its module graph is
// large) although a node that serves PING needs only random ids, which /dev/urandom gives for one
// read. CommonJS (.cts) so that `require` is Node's own, in the ES modules as in the esbuild bundle.
import { closeSync, openSync, readSync } from 'node:fs';
type NodeCrypto = typeof import('node:crypto');

let loaded: NodeCrypto | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the point of this module
const crypto = (): NodeCrypto => (loaded ??= require('node:crypto') as NodeCrypto);

/** n cryptographically random bytes: /dev/urandom where there is one, else node:crypto. */
export function randomBytes(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      if (readSync(fd, out, 0, n, null) === n) return out;
    } finally {
      closeSync(fd);
    }
  } catch {
    // no /dev/urandom (Windows): node:crypto below
  }
  return crypto().randomBytes(n);
}

export const createHash = (algorithm: string): ReturnType<NodeCrypto['createHash']> => crypto().createHash(algorithm);

export const timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView): boolean => crypto().timingSafeEqual(a, b);
