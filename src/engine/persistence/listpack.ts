// Listpack (Redis 7's compact encoding of small lists, hashes and sorted sets inside RDB values):
// <total-bytes u32le> <count u16le> entries <0xff>; each entry is an encoding byte(s), data, and a
// "backlen" (the entry's size in 7-bit groups) so the list can be walked backwards.
import { backlenSize, strElemSize, writeStr } from '../store/lp-codec.js';
import { RdbError } from './errors.js';

const EOF = 0xff;

/** Bytes one element adds to a listpack (used to split quicklist nodes at a size limit). */
export function listpackEntrySize(e: Buffer): number {
  return strElemSize(e);
}

export function buildListpack(entries: Buffer[]): Buffer {
  let total = 6 + 1;
  for (const e of entries) total += strElemSize(e);
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32LE(total, 0);
  out.writeUInt16LE(entries.length < 65535 ? entries.length : 65535, 4);
  let pos = 6;
  for (const e of entries) pos = writeStr(out, pos, e);
  out[pos] = EOF;
  return out;
}

/** Every element of a listpack, integers rendered as decimal strings (as Redis returns them). */
export function parseListpack(lp: Buffer): Buffer[] {
  const bad = (why: string): never => {
    throw new RdbError(`Listpack integrity check failed: ${why}`);
  };
  if (lp.length < 7) bad('too short');
  if (lp.readUInt32LE(0) !== lp.length) bad('total bytes mismatch');
  const count = lp.readUInt16LE(4);
  const out: Buffer[] = [];
  let pos = 6;
  const need = (n: number) => {
    if (pos + n > lp.length - 1) bad('entry out of range');
  };
  while (pos < lp.length && lp[pos] !== EOF) {
    const start = pos;
    const b = lp[pos];
    let v: Buffer;
    if (b < 0x80) {
      v = Buffer.from(String(b));
      pos += 1;
    } else if (b < 0xc0) {
      const n = b & 0x3f;
      need(1 + n);
      v = Buffer.from(lp.subarray(pos + 1, pos + 1 + n));
      pos += 1 + n;
    } else if (b < 0xe0) {
      need(2);
      let n = ((b & 0x1f) << 8) | lp[pos + 1];
      if (n >= 4096) n -= 8192;
      v = Buffer.from(String(n));
      pos += 2;
    } else if (b < 0xf0) {
      need(2);
      const n = ((b & 0x0f) << 8) | lp[pos + 1];
      need(2 + n);
      v = Buffer.from(lp.subarray(pos + 2, pos + 2 + n));
      pos += 2 + n;
    } else if (b === 0xf0) {
      need(5);
      const n = lp.readUInt32LE(pos + 1);
      need(5 + n);
      v = Buffer.from(lp.subarray(pos + 5, pos + 5 + n));
      pos += 5 + n;
    } else if (b === 0xf1) {
      need(3);
      v = Buffer.from(String(lp.readInt16LE(pos + 1)));
      pos += 3;
    } else if (b === 0xf2) {
      need(4);
      v = Buffer.from(String(lp.readIntLE(pos + 1, 3)));
      pos += 4;
    } else if (b === 0xf3) {
      need(5);
      v = Buffer.from(String(lp.readInt32LE(pos + 1)));
      pos += 5;
    } else if (b === 0xf4) {
      need(9);
      v = Buffer.from(String(lp.readBigInt64LE(pos + 1)));
      pos += 9;
    } else {
      return bad(`invalid encoding byte ${b}`);
    }
    pos += backlenSize(pos - start);
    out.push(v);
  }
  if (pos !== lp.length - 1) bad('missing terminator');
  if (count !== 65535 && count !== out.length) bad('element count mismatch');
  return out;
}
