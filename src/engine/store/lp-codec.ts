// Listpack element codec: reads and writes single elements in place (encoding byte(s), data, backlen).
// Stream nodes are kept as real Redis listpacks (stream-node.ts), and persistence/listpack.ts builds
// the RDB listpacks of hashes, sets and lists with the same writer.

/** What the last readElem() found: an integer (in `int`) or a string (buf[strStart, strEnd)). */
export const cur = { isInt: false, int: 0n, strStart: 0, strEnd: 0, next: 0 };

export function backlenSize(l: number): number {
  return l < 128 ? 1 : l < 16384 ? 2 : l < 2097152 ? 3 : l < 268435456 ? 4 : 5;
}

function writeBacklen(out: Buffer, pos: number, l: number): number {
  const n = backlenSize(l);
  for (let k = 0; k < n; k++) {
    const group = Math.floor(l / 2 ** (7 * (n - 1 - k))) & 127;
    out[pos + k] = k === 0 ? group : group | 128;
  }
  return pos + n;
}

/** Encoding+data bytes of an integer element. */
export function intDataSize(v: bigint): number {
  if (v >= 0n && v <= 127n) return 1;
  if (v >= -4096n && v <= 4095n) return 2;
  if (v >= -32768n && v <= 32767n) return 3;
  if (v >= -8388608n && v <= 8388607n) return 4;
  if (v >= -2147483648n && v <= 2147483647n) return 5;
  return 9;
}

/** Redis's string2ll on the bytes (what lpAppend stores as an integer), or null. */
export function asInt(e: Buffer): bigint | null {
  const n = e.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (e[0] === 45) {
    if (n === 1) return null;
    i = 1;
  }
  if (e[i] === 48) return n === 1 ? 0n : null;
  for (let j = i; j < n; j++) if (e[j] < 48 || e[j] > 57) return null;
  if (n - i < 16) return BigInt(Number(e.latin1Slice(0, n)));
  const v = BigInt(e.latin1Slice(0, n));
  return v > 9223372036854775807n || v < -9223372036854775808n ? null : v;
}

/** Total bytes (with backlen) of an integer element. */
export function intElemSize(v: bigint): number {
  const s = intDataSize(v);
  return s + backlenSize(s);
}

/** Total bytes (with backlen) of a string element as lpAppend stores it (integers as integers). */
export function strElemSize(e: Buffer): number {
  const iv = asInt(e);
  if (iv !== null) return intElemSize(iv);
  const n = e.length;
  const s = (n < 64 ? 1 : n < 4096 ? 2 : 5) + n;
  return s + backlenSize(s);
}

export function writeInt(out: Buffer, pos: number, v: bigint): number {
  if (intDataSize(v) !== 9) return writeIntNum(out, pos, Number(v));
  out[pos] = 0xf4;
  out.writeBigInt64LE(v, pos + 1);
  out[pos + 9] = 9; // backlen
  return pos + 10;
}

/** intDataSize for a safe-integer number (no BigInt: stream appends are hot). */
export function intDataSizeNum(v: number): number {
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

/** intElemSize for a safe-integer number (integer elements are at most 9 bytes: a 1-byte backlen). */
export function intElemSizeNum(v: number): number {
  return intDataSizeNum(v) + 1;
}

/** writeInt for a safe-integer number: the same bytes, a BigInt only for the 64-bit form. */
export function writeIntNum(out: Buffer, pos: number, v: number): number {
  const size = intDataSizeNum(v);
  if (size === 1) {
    out[pos] = v;
    out[pos + 1] = 1; // backlen
    return pos + 2;
  }
  if (size === 9) return writeInt(out, pos, BigInt(v));
  const start = pos;
  if (size === 2) {
    const u = v & 0x1fff;
    out[pos++] = 0xc0 | (u >> 8);
    out[pos++] = u & 0xff;
  } else if (size === 3) {
    out[pos++] = 0xf1;
    pos = out.writeInt16LE(v, pos);
  } else if (size === 4) {
    out[pos++] = 0xf2;
    pos = out.writeIntLE(v, pos, 3);
  } else {
    out[pos++] = 0xf3;
    pos = out.writeInt32LE(v, pos);
  }
  out[pos] = pos - start; // backlen: one byte below 128
  return pos + 1;
}

export function writeStr(out: Buffer, pos: number, e: Buffer): number {
  const iv = asInt(e);
  if (iv !== null) return writeInt(out, pos, iv);
  const start = pos;
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
  return writeBacklen(out, pos, pos - start);
}

export class LpError extends Error {}

/** Decodes the element at pos into `cur` (throws LpError past `end`). */
export function readElem(lp: Buffer, pos: number, end: number): void {
  const b = lp[pos];
  let dataEnd: number;
  if (b < 0x80) {
    cur.isInt = true;
    cur.int = BigInt(b);
    dataEnd = pos + 1;
  } else if (b < 0xc0) {
    cur.isInt = false;
    cur.strStart = pos + 1;
    dataEnd = cur.strEnd = pos + 1 + (b & 0x3f);
  } else if (b < 0xe0) {
    let n = ((b & 0x1f) << 8) | lp[pos + 1];
    if (n >= 4096) n -= 8192;
    cur.isInt = true;
    cur.int = BigInt(n);
    dataEnd = pos + 2;
  } else if (b < 0xf0) {
    cur.isInt = false;
    cur.strStart = pos + 2;
    dataEnd = cur.strEnd = pos + 2 + (((b & 0x0f) << 8) | lp[pos + 1]);
  } else if (b === 0xf0) {
    cur.isInt = false;
    cur.strStart = pos + 5;
    if (pos + 5 > end) throw new LpError('entry out of range');
    dataEnd = cur.strEnd = pos + 5 + lp.readUInt32LE(pos + 1);
  } else if (b === 0xf1) {
    cur.isInt = true;
    dataEnd = pos + 3;
    if (dataEnd > end) throw new LpError('entry out of range');
    cur.int = BigInt(lp.readInt16LE(pos + 1));
  } else if (b === 0xf2) {
    cur.isInt = true;
    dataEnd = pos + 4;
    if (dataEnd > end) throw new LpError('entry out of range');
    cur.int = BigInt(lp.readIntLE(pos + 1, 3));
  } else if (b === 0xf3) {
    cur.isInt = true;
    dataEnd = pos + 5;
    if (dataEnd > end) throw new LpError('entry out of range');
    cur.int = BigInt(lp.readInt32LE(pos + 1));
  } else if (b === 0xf4) {
    cur.isInt = true;
    dataEnd = pos + 9;
    if (dataEnd > end) throw new LpError('entry out of range');
    cur.int = lp.readBigInt64LE(pos + 1);
  } else {
    throw new LpError(`invalid encoding byte ${b}`);
  }
  cur.next = dataEnd + backlenSize(dataEnd - pos);
  if (cur.next > end) throw new LpError('entry out of range');
}

/** The element at pos as an integer (throws when it is a string that is not one). */
export function readInt(lp: Buffer, pos: number, end: number): bigint {
  readElem(lp, pos, end);
  if (cur.isInt) return cur.int;
  const v = asInt(lp.subarray(cur.strStart, cur.strEnd));
  if (v === null) throw new LpError('expected an integer element');
  return v;
}

/**
 * The element at pos as bytes (integers rendered in decimal, as Redis replies them). Strings are views
 * into the node: valid until the stream changes (copy before keeping them).
 */
export function readBytes(lp: Buffer, pos: number, end: number): Buffer {
  readElem(lp, pos, end);
  if (cur.isInt) return Buffer.from(String(cur.int));
  return lp.subarray(cur.strStart, cur.strEnd);
}

/** Skips the element at pos, returning the next position (also in cur.next; no value is decoded). */
export function skip(lp: Buffer, pos: number, end: number): number {
  const b = lp[pos];
  let dataEnd: number;
  if (b < 0x80) dataEnd = pos + 1;
  else if (b < 0xc0) dataEnd = pos + 1 + (b & 0x3f);
  else if (b < 0xe0) dataEnd = pos + 2;
  else if (b < 0xf0) dataEnd = pos + 2 + (((b & 0x0f) << 8) | lp[pos + 1]);
  else if (b === 0xf0) {
    if (pos + 5 > end) throw new LpError('entry out of range');
    dataEnd = pos + 5 + lp.readUInt32LE(pos + 1);
  } else if (b <= 0xf4) dataEnd = pos + (b === 0xf1 ? 3 : b === 0xf2 ? 4 : b === 0xf3 ? 5 : 9);
  else throw new LpError(`invalid encoding byte ${b}`);
  const next = dataEnd + backlenSize(dataEnd - pos);
  if (next > end) throw new LpError('entry out of range');
  cur.next = next;
  return next;
}

/**
 * The integer element at pos as a number when it is stored in at most 32 bits (every count, flag and
 * ID difference of an ordinary stream node), else NaN (strings, 64-bit integers: use readInt). Sets
 * cur.next either way. No BigInt is made: this is the hot path of stream scans.
 */
export function readSmallInt(lp: Buffer, pos: number, end: number): number {
  const b = lp[pos];
  let v: number;
  let dataEnd: number;
  if (b < 0x80) {
    v = b;
    dataEnd = pos + 1;
  } else if (b >= 0xc0 && b < 0xe0) {
    v = ((b & 0x1f) << 8) | lp[pos + 1];
    if (v >= 4096) v -= 8192;
    dataEnd = pos + 2;
  } else if (b >= 0xf1 && b <= 0xf3) {
    dataEnd = pos + (b === 0xf1 ? 3 : b === 0xf2 ? 4 : 5);
    if (dataEnd > end) throw new LpError('entry out of range');
    v = b === 0xf1 ? lp.readInt16LE(pos + 1) : b === 0xf2 ? lp.readIntLE(pos + 1, 3) : lp.readInt32LE(pos + 1);
  } else {
    skip(lp, pos, end);
    return NaN;
  }
  const next = dataEnd + backlenSize(dataEnd - pos);
  if (next > end) throw new LpError('entry out of range');
  cur.next = next;
  return v;
}
