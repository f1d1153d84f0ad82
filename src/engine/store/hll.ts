// HyperLogLog values as Redis 7.0 lays them out inside a string, byte for byte, so keys move between
// the engine and redis-server (RDB, DUMP/RESTORE, replication) and PFMERGE mixes both freely.
//
// Layout: "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | 8-byte little-endian cached
// cardinality (bit 7 of the last byte set = stale) | registers. 16384 registers of 6 bits; dense packs
// them LSB-first, sparse is a run-length code: 00llllll ZERO (1-64 zero registers), 01llllll llllllll
// XZERO (1-16384), 1vvvvvll VAL (1-4 registers of value 1-32). Registers are set from a 64-bit
// MurmurHash64A (seed 0xadc83b19) of the element: its low 14 bits pick the register, the position of
// the first 1 bit among the other 50 is the value. The estimate is Ertl's improved estimator, as 7.0.

export const HLL_P = 14;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_Q = 64 - HLL_P;
export const HDR = 16;
export const DENSE_SIZE = HDR + ((HLL_REGISTERS * 6 + 7) >> 3);
const ENC_DENSE = 0;
const ENC_SPARSE = 1;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
const ALPHA_INF = 0.7213475204444817; // 0.5 / ln 2

// ---------------------------------------------------------------------------------------------
// MurmurHash64A over 32-bit halves (BigInt would be ~20x slower on PFADD's hot path). Every product
// is by the constant m, so it is written out per half on locals: no shared state between calls.

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

/** Low half of (h:l) * m. */
const mulLo = (l: number): number => Math.imul(l, M_LO) >>> 0;

/**
 * High half of (h:l) * m mod 2^64 (l unsigned): the high 32 bits of l * M_LO, exact in doubles when
 * split at M_LO's 16-bit halves (each product < 2^48), plus the two cross products mod 2^32.
 */
const mulHi = (h: number, l: number): number =>
  (Math.floor((l * 0x5bd1 + Math.floor((l * 0xe995) / 65536)) / 65536) + Math.imul(h, M_LO) + Math.imul(l, M_HI)) >>> 0;

/** Redis's MurmurHash64A; the result is left in hashHi:hashLo (unsigned 32-bit halves). */
export let hashHi = 0;
export let hashLo = 0;
export function murmur64a(data: Uint8Array, seed: number): void {
  const len = data.length;
  let hh = mulHi(0, len);
  let hl = (mulLo(len) ^ seed) >>> 0;
  const rem = len & 7;
  const end = len - rem;
  for (let i = 0; i < end; i += 8) {
    const kl = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
    const kh = (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24)) >>> 0;
    const mh = mulHi(kh, kl);
    const ml = (mulLo(kl) ^ (mh >>> 15)) >>> 0; // k ^= k >> 47
    hh = (hh ^ mulHi(mh, ml)) >>> 0;
    hl = (hl ^ mulLo(ml)) >>> 0;
    const nh = mulHi(hh, hl);
    hl = mulLo(hl);
    hh = nh;
  }
  // The 1-7 trailing bytes, little-endian (Redis's fall-through switch).
  if (rem > 0) {
    for (let i = rem - 1; i >= 4; i--) hh ^= data[end + i] << ((i - 4) * 8);
    for (let i = Math.min(rem, 4) - 1; i >= 0; i--) hl ^= data[end + i] << (i * 8);
    hh >>>= 0;
    hl >>>= 0;
    const nh = mulHi(hh, hl);
    hl = mulLo(hl);
    hh = nh;
  }
  hl = (hl ^ (hh >>> 15)) >>> 0;
  const fh = mulHi(hh, hl);
  hashHi = fh;
  hashLo = (mulLo(hl) ^ (fh >>> 15)) >>> 0;
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Register index and run length for an element (Redis's hllPatLen); index in patIndex. */
export let patIndex = 0;
export function patLen(ele: Uint8Array): number {
  murmur64a(ele, 0xadc83b19);
  patIndex = hashLo & (HLL_REGISTERS - 1);
  const low = ((hashLo >>> HLL_P) | (hashHi << (32 - HLL_P))) >>> 0;
  if (low !== 0) return 1 + ctz32(low);
  return 33 + ctz32((hashHi >>> HLL_P) | (1 << (HLL_Q - 32)));
}

// ---------------------------------------------------------------------------------------------
// Header and validity.

/** An empty HLL as PFADD creates it: sparse, one XZERO covering every register, cached count 0. */
export function createHll(): Buffer {
  const b = Buffer.alloc(HDR + 2);
  b.write('HYLL', 0, 'latin1');
  b[4] = ENC_SPARSE;
  b[HDR] = 0x40 | ((SPARSE_XZERO_MAX_LEN - 1) >> 8);
  b[HDR + 1] = (SPARSE_XZERO_MAX_LEN - 1) & 0xff;
  return b;
}

/** Redis's isHLLObjectOrReply test (minus the type check). */
export function isHll(b: Buffer): boolean {
  if (b.length < HDR) return false;
  if (b[0] !== 0x48 || b[1] !== 0x59 || b[2] !== 0x4c || b[3] !== 0x4c) return false;
  if (b[4] > ENC_SPARSE) return false;
  return b[4] !== ENC_DENSE || b.length === DENSE_SIZE;
}

export const isDense = (b: Buffer): boolean => b[4] === ENC_DENSE;

export function invalidateCache(b: Buffer): void {
  b[15] |= 0x80;
}

/** The cached cardinality, or -1 when stale. */
export function cachedCard(b: Buffer): number {
  if (b[15] & 0x80) return -1;
  return b.readUInt32LE(8) + b.readUInt32LE(12) * 4294967296;
}

export function setCachedCard(b: Buffer, card: number): void {
  b.writeUInt32LE(card >>> 0, 8);
  b.writeUInt32LE(Math.floor(card / 4294967296) >>> 0, 12);
}

// ---------------------------------------------------------------------------------------------
// Dense registers (6 bits each, LSB first, starting at byte 16).

export function denseGet(b: Uint8Array, reg: number): number {
  const bit = reg * 6;
  const byte = HDR + (bit >> 3);
  const fb = bit & 7;
  return ((b[byte] >> fb) | ((b[byte + 1] ?? 0) << (8 - fb))) & 63;
}

function denseWrite(b: Uint8Array, reg: number, val: number): void {
  const bit = reg * 6;
  const byte = HDR + (bit >> 3);
  const fb = bit & 7;
  b[byte] = (b[byte] & ~(63 << fb)) | (val << fb);
  if (byte + 1 < b.length) b[byte + 1] = (b[byte + 1] & ~(63 >> (8 - fb))) | (val >> (8 - fb));
}

/** Raises a dense register to `count`; true when it changed. */
export function denseSet(b: Uint8Array, reg: number, count: number): boolean {
  if (count <= denseGet(b, reg)) return false;
  denseWrite(b, reg, count);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Sparse representation, edited in a working buffer with spare room.

const isZero = (c: number): boolean => (c & 0xc0) === 0;
const isXZero = (c: number): boolean => (c & 0xc0) === 0x40;
const zeroLen = (c: number): number => (c & 0x3f) + 1;
const xzeroLen = (c: number, d: number): number => (((c & 0x3f) << 8) | d) + 1;
const valValue = (c: number): number => ((c >> 2) & 0x1f) + 1;
const valLen = (c: number): number => (c & 3) + 1;
const valByte = (val: number, len: number): number => 0x80 | ((val - 1) << 2) | (len - 1);

/**
 * Walks the sparse opcodes of b[HDR..end): visit(value, run, firstRegister, isXZero) per opcode
 * (value 0 for ZERO/XZERO runs) until it returns false. Returns the registers covered up to there.
 */
function walkSparse(b: Uint8Array, end: number, visit: (value: number, run: number, at: number, xzero: boolean) => boolean): number {
  let idx = 0;
  let p = HDR;
  while (p < end) {
    const c = b[p];
    let v = 0;
    let run: number;
    if (isZero(c)) run = zeroLen(c);
    else if (isXZero(c)) run = xzeroLen(c, b[++p]);
    else {
      v = valValue(c);
      run = valLen(c);
    }
    if (!visit(v, run, idx, isXZero(c))) break;
    idx += run;
    p++;
  }
  return idx;
}

/** An HLL being modified: `buf` has room to grow; `len` bytes of it are the value. */
export interface HllWork {
  buf: Buffer;
  len: number;
}

/** A working copy of an HLL with room for `extra` more bytes. */
export function workOf(v: Buffer, extra: number): HllWork {
  const buf = Buffer.alloc(v.length + extra);
  v.copy(buf);
  return { buf, len: v.length };
}

/** The value the work holds, as a Buffer of its own. */
export function finish(w: HllWork): Buffer {
  return w.len === w.buf.length ? w.buf : Buffer.from(w.buf.subarray(0, w.len));
}

/** Sparse -> dense (keeping the header's cache bytes), or false when the sparse code is corrupt. */
export function sparseToDense(w: HllWork): boolean {
  const src = w.buf;
  if (src[4] === ENC_DENSE) return true;
  const dense = Buffer.alloc(DENSE_SIZE);
  src.copy(dense, 0, 0, HDR);
  dense[4] = ENC_DENSE;
  const idx = walkSparse(src, w.len, (v, run, at) => {
    if (v === 0) return true;
    if (run + at > HLL_REGISTERS) return false;
    for (let i = 0; i < run; i++) denseWrite(dense, at + i, v);
    return true;
  });
  if (idx !== HLL_REGISTERS) return false;
  w.buf = dense;
  w.len = DENSE_SIZE;
  return true;
}

/**
 * Redis's hllSparseSet: raises register `index` to `count` in a sparse HLL, splitting and merging
 * opcodes exactly as Redis does, promoting to dense when the value needs it or the code would grow
 * past maxBytes. 1 = changed, 0 = unchanged, -1 = corrupt.
 */
export function sparseSet(w: HllWork, index: number, count: number, maxBytes: number): number {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(w, index, count);
  const b = w.buf;
  let end = w.len;
  let p = HDR;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const c = b[p];
    let oplen = 1;
    if (isZero(c)) span = zeroLen(c);
    else if (c & 0x80) span = valLen(c);
    else {
      span = xzeroLen(c, b[p + 1]);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;
  const op = b[p];
  let next = isXZero(op) ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const zero = isZero(op);
  const xzero = isXZero(op);
  const runlen = zero ? zeroLen(op) : xzero ? xzeroLen(op, b[p + 1]) : valLen(op);

  let updatedInPlace = false;
  if (!zero && !xzero) {
    if (valValue(op) >= count) return 0;
    if (runlen === 1) {
      b[p] = valByte(count, 1);
      updatedInPlace = true;
    }
  }
  if (zero && runlen === 1) {
    b[p] = valByte(count, 1);
    updatedInPlace = true;
  }
  if (!updatedInPlace) {
    // Split the opcode into up to three: [before] VAL(count) [after].
    const seq: number[] = [];
    const last = first + span - 1;
    const pushZeros = (len: number): void => {
      if (len > SPARSE_ZERO_MAX_LEN) seq.push(0x40 | ((len - 1) >> 8), (len - 1) & 0xff);
      else seq.push(len - 1);
    };
    if (zero || xzero) {
      if (index !== first) pushZeros(index - first);
      seq.push(valByte(count, 1));
      if (index !== last) pushZeros(last - index);
    } else {
      const cur = valValue(op);
      if (index !== first) seq.push(valByte(cur, index - first));
      seq.push(valByte(count, 1));
      if (index !== last) seq.push(valByte(cur, last - index));
    }
    const delta = seq.length - (xzero ? 2 : 1);
    if (delta > 0 && w.len + delta > maxBytes) return promote(w, index, count);
    if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
    w.len += delta;
    end += delta;
    for (let i = 0; i < seq.length; i++) b[p + i] = seq[i];
  }
  // Merge adjacent VALs of the same value, scanning up to 5 opcodes from the previous one.
  p = prev >= 0 ? prev : HDR;
  let scan = 5;
  while (p < end && scan--) {
    const c = b[p];
    if (isXZero(c)) {
      p += 2;
      continue;
    }
    if (isZero(c)) {
      p++;
      continue;
    }
    if (p + 1 < end && b[p + 1] & 0x80) {
      const v1 = valValue(c);
      if (v1 === valValue(b[p + 1])) {
        const len = valLen(c) + valLen(b[p + 1]);
        if (len <= SPARSE_VAL_MAX_LEN) {
          b[p + 1] = valByte(v1, len);
          b.copyWithin(p, p + 1, end);
          w.len--;
          end--;
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(b);
  return 1;
}

function promote(w: HllWork, index: number, count: number): number {
  if (!sparseToDense(w)) return -1;
  denseSet(w.buf, index, count);
  return 1;
}

/** Raises a register in whichever encoding the work holds. */
export function hllSet(w: HllWork, index: number, count: number, maxBytes: number): number {
  if (w.buf[4] === ENC_DENSE) return denseSet(w.buf, index, count) ? 1 : 0;
  return sparseSet(w, index, count, maxBytes);
}

// ---------------------------------------------------------------------------------------------
// Merge and count.

/** max[i] = max(max[i], register i of hll); false when a sparse HLL is corrupt. */
export function mergeInto(max: Uint8Array, hll: Buffer): boolean {
  if (hll[4] === ENC_DENSE) {
    // Four registers per 3 bytes, as histogram() reads them (PFCOUNT of several keys, PFMERGE).
    for (let p = HDR, i = 0; i < HLL_REGISTERS; p += 3, i += 4) {
      const x = hll[p] | (hll[p + 1] << 8) | (hll[p + 2] << 16);
      const r0 = x & 63;
      const r1 = (x >> 6) & 63;
      const r2 = (x >> 12) & 63;
      const r3 = x >> 18;
      if (r0 > max[i]) max[i] = r0;
      if (r1 > max[i + 1]) max[i + 1] = r1;
      if (r2 > max[i + 2]) max[i + 2] = r2;
      if (r3 > max[i + 3]) max[i + 3] = r3;
    }
    return true;
  }
  const covered = walkSparse(hll, hll.length, (v, run, at) => {
    if (v === 0) return true;
    if (run + at > HLL_REGISTERS) return false;
    for (let i = at; i < at + run; i++) if (v > max[i]) max[i] = v;
    return true;
  });
  return covered === HLL_REGISTERS;
}

/** PFCOUNT of two dense HLLs: both read and their union counted in one pass, no merged registers kept. */
export function denseUnionCount(a: Buffer, b: Buffer): number {
  const h = new Int32Array(256);
  for (let p = HDR; p < DENSE_SIZE; p += 3) {
    const x = a[p] | (a[p + 1] << 8) | (a[p + 2] << 16);
    const y = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
    const x0 = x & 63;
    const y0 = y & 63;
    const x1 = (x >> 6) & 63;
    const y1 = (y >> 6) & 63;
    const x2 = (x >> 12) & 63;
    const y2 = (y >> 12) & 63;
    const x3 = x >> 18;
    const y3 = y >> 18;
    h[x0 > y0 ? x0 : y0]++;
    h[64 + (x1 > y1 ? x1 : y1)]++;
    h[128 + (x2 > y2 ? x2 : y2)]++;
    h[192 + (x3 > y3 ? x3 : y3)]++;
  }
  return estimate4(h);
}

/** Register histogram of an HLL value; null when the sparse code is corrupt. */
function histogram(hll: Buffer): Int32Array | null {
  const h = new Int32Array(64);
  if (hll[4] === ENC_DENSE) {
    // Four registers per 3 bytes.
    for (let p = HDR; p + 2 < DENSE_SIZE; p += 3) {
      const x = hll[p] | (hll[p + 1] << 8) | (hll[p + 2] << 16);
      h[x & 63]++;
      h[(x >> 6) & 63]++;
      h[(x >> 12) & 63]++;
      h[(x >> 18) & 63]++;
    }
    return h;
  }
  const covered = walkSparse(hll, hll.length, (v, run) => {
    h[v] += run;
    return true;
  });
  return covered === HLL_REGISTERS ? h : null;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrime: number;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrime: number;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (zPrime !== z);
  return z / 3;
}

function estimate(h: ArrayLike<number>): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - h[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += h[j];
    z *= 0.5;
  }
  z += m * sigma(h[0] / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

/** The estimated cardinality of an HLL value, or -1 when it is corrupt. */
export function hllCount(hll: Buffer): number {
  const h = histogram(hll);
  return h === null ? -1 : estimate(h);
}

/** The estimate from four interleaved register histograms (h[0..255]: four of 64 counters). */
function estimate4(h: Int32Array): number {
  for (let j = 0; j < 64; j++) h[j] += h[64 + j] + h[128 + j] + h[192 + j];
  return estimate(h);
}

/** The estimated cardinality of raw registers (one byte each), as PFCOUNT of several keys. */
export function rawCount(regs: Uint8Array): number {
  // Four histograms filled in turn: consecutive increments of one counter would wait on each other.
  const h = new Int32Array(256);
  for (let i = 0; i < HLL_REGISTERS; i += 4) {
    h[regs[i]]++;
    h[64 + regs[i + 1]]++;
    h[128 + regs[i + 2]]++;
    h[192 + regs[i + 3]]++;
  }
  return estimate4(h);
}

/** Sparse opcodes as PFDEBUG DECODE prints them. */
export function decodeSparse(hll: Buffer): string {
  const out: string[] = [];
  walkSparse(hll, hll.length, (v, run, _at, xzero) => {
    out.push(v === 0 ? `${xzero ? 'Z' : 'z'}:${run}` : `v:${v},${run}`);
    return true;
  });
  return out.join(' ');
}
