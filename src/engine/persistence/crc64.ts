// CRC-64/Jones as Redis uses it (reflected, polynomial 0xad93d23594c935a9, init 0, no final xor): the
// RDB file trailer and the DUMP payload footer. 64-bit arithmetic is done on two uint32 halves with
// slice-by-8 tables, because BigInt per byte is far too slow for multi-megabyte snapshots.
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5; // bit-reversed 0xad93d23594c935a9, split

const HI = new Uint32Array(8 * 256);
const LO = new Uint32Array(8 * 256);

for (let n = 0; n < 256; n++) {
  let hi = 0;
  let lo = n;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  HI[n] = hi;
  LO[n] = lo;
}
for (let t = 1; t < 8; t++) {
  for (let n = 0; n < 256; n++) {
    const pHi = HI[(t - 1) * 256 + n];
    const pLo = LO[(t - 1) * 256 + n];
    const idx = pLo & 0xff;
    HI[t * 256 + n] = (HI[idx] ^ (pHi >>> 8)) >>> 0;
    LO[t * 256 + n] = (LO[idx] ^ ((pLo >>> 8) | (pHi << 24))) >>> 0;
  }
}

/** A running CRC64 (feed chunks in order). */
export class Crc64 {
  hi = 0;
  lo = 0;

  update(buf: Uint8Array, start = 0, end = buf.length): this {
    let hi = this.hi;
    let lo = this.lo;
    let i = start;
    for (; i + 8 <= end; i += 8) {
      const a = (lo ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24))) >>> 0;
      const b = (hi ^ (buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24))) >>> 0;
      const i7 = 7 * 256 + (a & 0xff), i6 = 6 * 256 + ((a >>> 8) & 0xff), i5 = 5 * 256 + ((a >>> 16) & 0xff), i4 = 4 * 256 + (a >>> 24);
      const i3 = 3 * 256 + (b & 0xff), i2 = 2 * 256 + ((b >>> 8) & 0xff), i1 = 256 + ((b >>> 16) & 0xff), i0 = b >>> 24;
      hi = (HI[i7] ^ HI[i6] ^ HI[i5] ^ HI[i4] ^ HI[i3] ^ HI[i2] ^ HI[i1] ^ HI[i0]) >>> 0;
      lo = (LO[i7] ^ LO[i6] ^ LO[i5] ^ LO[i4] ^ LO[i3] ^ LO[i2] ^ LO[i1] ^ LO[i0]) >>> 0;
    }
    for (; i < end; i++) {
      const idx = (lo ^ buf[i]) & 0xff;
      lo = (LO[idx] ^ ((lo >>> 8) | (hi << 24))) >>> 0;
      hi = (HI[idx] ^ (hi >>> 8)) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  /** The CRC as 8 little-endian bytes (how RDB and DUMP store it). */
  digest(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32LE(this.lo, 0);
    out.writeUInt32LE(this.hi, 4);
    return out;
  }

  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

export function crc64(buf: Uint8Array, start = 0, end = buf.length): Crc64 {
  return new Crc64().update(buf, start, end);
}
