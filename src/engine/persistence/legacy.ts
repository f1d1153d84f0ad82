// Decoders for encodings only older Redis versions write, still found in dumps that 7.0 loads:
// ziplist (lists, hashes, sorted sets before listpacks) and zipmap (hashes before 2.6).
import { RdbError } from './errors.js';

/** Every element of a ziplist: <zlbytes u32> <zltail u32> <zllen u16> entries <0xff>. */
export function parseZiplist(zl: Buffer): Buffer[] {
  const bad = (why: string): never => {
    throw new RdbError(`Ziplist integrity check failed: ${why}`);
  };
  if (zl.length < 11 || zl.readUInt32LE(0) !== zl.length) bad('header');
  const out: Buffer[] = [];
  let pos = 10;
  const end = zl.length - 1;
  const need = (n: number) => {
    if (pos + n > end) bad('entry out of range');
  };
  while (pos < end && zl[pos] !== 0xff) {
    need(1);
    pos += zl[pos] < 254 ? 1 : 5; // prevlen
    need(1);
    const enc = zl[pos];
    const hi = enc >> 6;
    if (hi !== 3) {
      let n: number;
      if (hi === 0) {
        n = enc & 0x3f;
        pos += 1;
      } else if (hi === 1) {
        need(2);
        n = ((enc & 0x3f) << 8) | zl[pos + 1];
        pos += 2;
      } else {
        need(5);
        n = zl.readUInt32BE(pos + 1);
        pos += 5;
      }
      need(n);
      out.push(Buffer.from(zl.subarray(pos, pos + n)));
      pos += n;
      continue;
    }
    let v: number | bigint;
    if (enc === 0xc0) { need(3); v = zl.readInt16LE(pos + 1); pos += 3; }
    else if (enc === 0xd0) { need(5); v = zl.readInt32LE(pos + 1); pos += 5; }
    else if (enc === 0xe0) { need(9); v = zl.readBigInt64LE(pos + 1); pos += 9; }
    else if (enc === 0xf0) { need(4); v = zl.readIntLE(pos + 1, 3); pos += 4; }
    else if (enc === 0xfe) { need(2); v = zl.readInt8(pos + 1); pos += 2; }
    else if (enc >= 0xf1 && enc <= 0xfd) { v = (enc & 0x0f) - 1; pos += 1; }
    else return bad(`invalid encoding byte ${enc}`);
    out.push(Buffer.from(String(v)));
  }
  if (pos !== end) bad('missing terminator');
  return out;
}

/** Field/value pairs of a zipmap: <zmlen u8> (<len> field <len> <free u8> value <free bytes>)* <0xff>. */
export function parseZipmap(zm: Buffer): [Buffer, Buffer][] {
  const bad = (): never => {
    throw new RdbError('Zipmap integrity check failed.');
  };
  let pos = 1;
  const readLen = (): number => {
    if (pos >= zm.length) bad();
    const b = zm[pos];
    if (b < 254) {
      pos += 1;
      return b;
    }
    if (b === 254 && pos + 5 <= zm.length) {
      const n = zm.readUInt32LE(pos + 1);
      pos += 5;
      return n;
    }
    return bad();
  };
  const take = (n: number): Buffer => {
    if (pos + n > zm.length) bad();
    const b = Buffer.from(zm.subarray(pos, pos + n));
    pos += n;
    return b;
  };
  const out: [Buffer, Buffer][] = [];
  while (pos < zm.length && zm[pos] !== 0xff) {
    const field = take(readLen());
    const vlen = readLen();
    if (pos >= zm.length) bad();
    const free = zm[pos++];
    const value = take(vlen);
    pos += free;
    out.push([field, value]);
  }
  if (pos !== zm.length - 1) bad();
  return out;
}
