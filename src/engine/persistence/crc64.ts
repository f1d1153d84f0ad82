// CRC-64/Jones as Redis uses it (reflected, polynomial 0xad93d23594c935a9, init 0, no final xor): the
// RDB file trailer and the DUMP payload footer. 64-bit arithmetic is done on two uint32 halves with
// slice-by-8 tables, because BigInt per byte is far too slow for multi-megabyte snapshots. The tables
// are interleaved (lo, hi of an entry side by side, one cache line) and the input is read a 32-bit
// word at a time where the platform is little-endian: ~2x the speed of byte loads (RDB load checks
// the whole file).
import os from 'node:os';
import { wasmCrc } from './crc64-wasm.js';

/** From this many bytes, an update runs in WebAssembly (crc64-wasm.ts); below, the call and the copy into its memory cost more than they save. */
const WASM_MIN = 4096;

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

/** Both halves of each entry side by side: T[2 * e] is the low word, T[2 * e + 1] the high one. */
const T = new Int32Array(8 * 512);
for (let e = 0; e < 8 * 256; e++) {
  T[2 * e] = LO[e];
  T[2 * e + 1] = HI[e];
}

const LITTLE_ENDIAN = os.endianness() === 'LE';

/** A running CRC64 (feed chunks in order). */
export class Crc64 {
  hi = 0;
  lo = 0;

  update(buf: Uint8Array, start = 0, end = buf.length): this {
    if (end - start >= WASM_MIN) {
      const crc = wasmCrc(LO, HI).update((BigInt(this.hi) << 32n) | BigInt(this.lo), buf, start, end);
      this.hi = Number(BigInt.asUintN(32, crc >> 32n));
      this.lo = Number(BigInt.asUintN(32, crc));
      return this;
    }
    let hi = this.hi | 0;
    let lo = this.lo | 0;
    let i = start;
    if (LITTLE_ENDIAN && end - i >= 64) {
      // Byte by byte up to a 4-byte aligned address, then two words per round.
      for (; ((buf.byteOffset + i) & 3) !== 0; i++) {
        const t = ((lo ^ buf[i]) & 0xff) << 1;
        lo = T[t] ^ ((lo >>> 8) | (hi << 24));
        hi = T[t + 1] ^ (hi >>> 8);
      }
      const words = ((end - i) >> 3) << 1;
      const u = new Int32Array(buf.buffer, buf.byteOffset + i, words);
      for (let w = 0; w < words; w += 2) {
        const a = lo ^ u[w];
        const b = hi ^ u[w + 1];
        const i7 = (7 * 256 + (a & 0xff)) << 1, i6 = (6 * 256 + ((a >>> 8) & 0xff)) << 1, i5 = (5 * 256 + ((a >>> 16) & 0xff)) << 1, i4 = (4 * 256 + (a >>> 24)) << 1;
        const i3 = (3 * 256 + (b & 0xff)) << 1, i2 = (2 * 256 + ((b >>> 8) & 0xff)) << 1, i1 = (256 + ((b >>> 16) & 0xff)) << 1, i0 = (b >>> 24) << 1;
        lo = T[i7] ^ T[i6] ^ T[i5] ^ T[i4] ^ T[i3] ^ T[i2] ^ T[i1] ^ T[i0];
        hi = T[i7 + 1] ^ T[i6 + 1] ^ T[i5 + 1] ^ T[i4 + 1] ^ T[i3 + 1] ^ T[i2 + 1] ^ T[i1 + 1] ^ T[i0 + 1];
      }
      i += words << 2;
    }
    for (; i + 8 <= end; i += 8) {
      const a = lo ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
      const b = hi ^ (buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24));
      const i7 = (7 * 256 + (a & 0xff)) << 1, i6 = (6 * 256 + ((a >>> 8) & 0xff)) << 1, i5 = (5 * 256 + ((a >>> 16) & 0xff)) << 1, i4 = (4 * 256 + (a >>> 24)) << 1;
      const i3 = (3 * 256 + (b & 0xff)) << 1, i2 = (2 * 256 + ((b >>> 8) & 0xff)) << 1, i1 = (256 + ((b >>> 16) & 0xff)) << 1, i0 = (b >>> 24) << 1;
      lo = T[i7] ^ T[i6] ^ T[i5] ^ T[i4] ^ T[i3] ^ T[i2] ^ T[i1] ^ T[i0];
      hi = T[i7 + 1] ^ T[i6 + 1] ^ T[i5 + 1] ^ T[i4 + 1] ^ T[i3 + 1] ^ T[i2 + 1] ^ T[i1 + 1] ^ T[i0 + 1];
    }
    for (; i < end; i++) {
      const t = ((lo ^ buf[i]) & 0xff) << 1;
      lo = T[t] ^ ((lo >>> 8) | (hi << 24));
      hi = T[t + 1] ^ (hi >>> 8);
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this;
  }

  /** The CRC as 8 little-endian bytes (how RDB and DUMP store it). */
  digest(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32LE(this.lo, 0);
    out.writeUInt32LE(this.hi, 4);
    return out;
  }

  /** Writes digest()'s 8 bytes into buf at `at`. */
  writeTo(buf: Buffer, at: number): void {
    buf.writeUInt32LE(this.lo, at);
    buf.writeUInt32LE(this.hi, at + 4);
  }

  /** Whether the 8 bytes of buf at `at` are digest()'s. */
  matches(buf: Buffer, at: number): boolean {
    return buf.readUInt32LE(at) === this.lo && buf.readUInt32LE(at + 4) === this.hi;
  }

  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

export function crc64(buf: Uint8Array, start = 0, end = buf.length): Crc64 {
  return new Crc64().update(buf, start, end);
}
