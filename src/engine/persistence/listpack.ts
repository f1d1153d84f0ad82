// Listpack (Redis 7's compact encoding of small lists, hashes and sorted sets inside RDB values):
// <total-bytes u32le> <count u16le> entries <0xff>; each entry is an encoding byte(s), data, and a
// "backlen" (the entry's size in 7-bit groups) so the list can be walked backwards.
import { isCanonicalInt } from '../store/string-encoding.js';
import { RdbError } from './errors.js';

const EOF = 0xff;

/** Bytes of the backlen for an entry whose encoding+data take `l` bytes. */
function backlenSize(l: number): number {
  return l < 128 ? 1 : l < 16384 ? 2 : l < 2097152 ? 3 : l < 268435456 ? 4 : 5;
}

function writeBacklen(out: Buffer, pos: number, l: number): number {
  const n = backlenSize(l);
  // Most significant group first; every byte but the first has the high bit set.
  for (let k = 0; k < n; k++) {
    const group = (l / 2 ** (7 * (n - 1 - k))) & 127;
    out[pos + k] = k === 0 ? group : group | 128;
  }
  return pos + n;
}

/** Encoded size (encoding + data) of one element, and its integer value when stored as one. */
function plan(e: Buffer): { size: number; int: bigint | null } {
  if (e.length <= 20 && isCanonicalInt(e)) {
    const v = BigInt(e.latin1Slice(0, e.length));
    if (v >= 0n && v <= 127n) return { size: 1, int: v };
    if (v >= -4096n && v <= 4095n) return { size: 2, int: v };
    if (v >= -32768n && v <= 32767n) return { size: 3, int: v };
    if (v >= -8388608n && v <= 8388607n) return { size: 4, int: v };
    if (v >= -2147483648n && v <= 2147483647n) return { size: 5, int: v };
    return { size: 9, int: v };
  }
  const n = e.length;
  return { size: (n < 64 ? 1 : n < 4096 ? 2 : 5) + n, int: null };
}

/** Bytes one element adds to a listpack (used to split quicklist nodes at a size limit). */
export function listpackEntrySize(e: Buffer): number {
  const s = plan(e).size;
  return s + backlenSize(s);
}

export function buildListpack(entries: Buffer[]): Buffer {
  const plans = entries.map(plan);
  let total = 6 + 1;
  for (const p of plans) total += p.size + backlenSize(p.size);
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32LE(total, 0);
  out.writeUInt16LE(entries.length < 65535 ? entries.length : 65535, 4);
  let pos = 6;
  for (let i = 0; i < entries.length; i++) {
    const { size, int } = plans[i];
    const start = pos;
    if (int !== null) {
      const v = Number(int);
      if (size === 1) out[pos++] = v;
      else if (size === 2) {
        const u = v & 0x1fff;
        out[pos++] = 0xc0 | (u >> 8);
        out[pos++] = u & 0xff;
      } else if (size === 3) {
        out[pos++] = 0xf1;
        pos = out.writeInt16LE(v, pos);
      } else if (size === 4) {
        out[pos++] = 0xf2;
        pos = out.writeIntLE(v, pos, 3);
      } else if (size === 5) {
        out[pos++] = 0xf3;
        pos = out.writeInt32LE(v, pos);
      } else {
        out[pos++] = 0xf4;
        pos = out.writeBigInt64LE(int, pos);
      }
    } else {
      const e = entries[i];
      const n = e.length;
      if (n < 64) out[pos++] = 0x80 | n;
      else if (n < 4096) {
        out[pos++] = 0xe0 | (n >> 8);
        out[pos++] = n & 0xff;
      } else {
        out[pos++] = 0xf0;
        pos = out.writeUInt32LE(n, pos);
      }
      pos += e.copy(out, pos);
    }
    pos = writeBacklen(out, pos, pos - start);
  }
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
