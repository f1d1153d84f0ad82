// Intset: the sorted integer array small all-integer sets use in RDB (type 11):
// <encoding u32le: 2|4|8> <length u32le> <values, little-endian, ascending>.
import { RdbError } from './errors.js';

export function buildIntset(members: Iterable<Buffer>): Buffer {
  const vals = [...members].map((m) => BigInt(m.latin1Slice(0, m.length))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let width = 2;
  for (const v of vals) {
    if (v < -2147483648n || v > 2147483647n) width = 8;
    else if ((v < -32768n || v > 32767n) && width < 4) width = 4;
  }
  const out = Buffer.allocUnsafe(8 + vals.length * width);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(vals.length, 4);
  let pos = 8;
  for (const v of vals) {
    if (width === 2) pos = out.writeInt16LE(Number(v), pos);
    else if (width === 4) pos = out.writeInt32LE(Number(v), pos);
    else pos = out.writeBigInt64LE(v, pos);
  }
  return out;
}

export function parseIntset(b: Buffer): Buffer[] {
  if (b.length < 8) throw new RdbError('Intset integrity check failed: too short');
  const width = b.readUInt32LE(0);
  const n = b.readUInt32LE(4);
  if ((width !== 2 && width !== 4 && width !== 8) || 8 + n * width !== b.length) throw new RdbError('Intset integrity check failed.');
  const out: Buffer[] = [];
  for (let i = 0, pos = 8; i < n; i++, pos += width) {
    const v = width === 2 ? b.readInt16LE(pos) : width === 4 ? b.readInt32LE(pos) : b.readBigInt64LE(pos);
    out.push(Buffer.from(String(v)));
  }
  return out;
}
