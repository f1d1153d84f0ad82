// MEMORY USAGE as redis-server 7.0 (jemalloc) would report it: the key's sds, its dictEntry and the
// value's allocations rounded to jemalloc's size classes. Strings follow Redis's layouts exactly (int,
// embstr up to 44 bytes, raw sds with its 1-9 byte header); compact aggregates are sized as the
// listpack/intset Redis would hold; big ones as Redis's estimate (per-element sizes times the count).
import type { StoredValue } from './types.js';
import { ListValue } from './list.js';
import { HashValue } from './hash.js';
import { SetValue } from './set.js';
import { ZSetValue } from './zset.js';
import { isCanonicalInt } from './string-encoding.js';
import { keyBuf } from './types.js';

const ROBJ = 16;
const DICT_ENTRY = 24;
const DICT = 56;
const QUICKLIST = 40;
const QUICKLIST_NODE = 40;
const SKIPLIST_NODE_BASE = 24;

/** jemalloc's usable size for a request of n bytes (8, 16, then 16-byte steps to 128, then 4 classes per doubling). */
export function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const pow = 2 ** Math.floor(Math.log2(n - 1));
  const step = pow / 4;
  return pow + Math.ceil((n - pow) / step) * step;
}

/** Allocation of an sds string of len bytes (type 5 for short keys, 8/16/32/64 headers). */
function sdsSize(len: number, allowType5: boolean): number {
  const hdr = len < 32 && allowType5 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : len < 2 ** 32 ? 9 : 17;
  return jemallocSize(hdr + len + 1);
}

function stringSize(b: Buffer | string): number {
  const len = b.length;
  const bytes = typeof b === 'string' ? keyBuf(b) : b;
  if (len <= 20 && isCanonicalInt(bytes)) return ROBJ;
  if (len <= 44) return jemallocSize(ROBJ + 3 + len + 1);
  return ROBJ + sdsSize(len, false);
}

/** Bytes a listpack entry takes for this element (encoding, data, back-length). */
function lpEntry(b: Buffer): number {
  let enc: number;
  if (b.length <= 20 && isCanonicalInt(b)) {
    const v = BigInt(b.latin1Slice(0, b.length));
    if (v >= 0n && v <= 127n) enc = 1;
    else if (v >= -4096n && v <= 4095n) enc = 2;
    else if (v >= -32768n && v <= 32767n) enc = 3;
    else if (v >= -8388608n && v <= 8388607n) enc = 4;
    else if (v >= -2147483648n && v <= 2147483647n) enc = 5;
    else enc = 9;
  } else enc = (b.length < 64 ? 1 : b.length < 4096 ? 2 : 5) + b.length;
  return enc + (enc < 128 ? 1 : enc < 16384 ? 2 : enc < 2097152 ? 3 : 4);
}

function listpackSize(items: Iterable<Buffer>): number {
  let n = 7;
  for (const b of items) n += lpEntry(b);
  return jemallocSize(n);
}

const slots = (n: number): number => (n <= 4 ? 4 : 2 ** Math.ceil(Math.log2(n)));

function* flat<T>(pairs: Iterable<[T, T]>): Iterable<T> {
  for (const [a, b] of pairs) {
    yield a;
    yield b;
  }
}

function valueSize(v: StoredValue): number {
  if (typeof v === 'string' || Buffer.isBuffer(v)) return stringSize(v);
  if (v instanceof ListValue) {
    // quicklist nodes of up to 8 KB listpacks (list-max-listpack-size -2)
    let bytes = 7;
    let nodes = 0;
    let total = 0;
    for (const b of v) {
      const e = lpEntry(b);
      if (bytes + e > 8192 && bytes > 7) {
        total += QUICKLIST_NODE + jemallocSize(bytes);
        nodes++;
        bytes = 7;
      }
      bytes += e;
    }
    if (v.length > 0 || nodes === 0) total += QUICKLIST_NODE + jemallocSize(bytes);
    return ROBJ + QUICKLIST + total;
  }
  if (v instanceof HashValue) {
    if (v.encoding() === 'listpack') return ROBJ + listpackSize(flat(v.entries()));
    let n = ROBJ + DICT + 8 * slots(v.size);
    for (const [f, x] of v.entries()) n += DICT_ENTRY + sdsSize(f.length, false) + sdsSize(x.length, false);
    return n;
  }
  if (v instanceof SetValue) {
    if (v.intset) {
      let width = 2;
      for (const m of v.members()) {
        const x = BigInt(m.latin1Slice(0, m.length));
        if (x < -2147483648n || x > 2147483647n) width = 8;
        else if ((x < -32768n || x > 32767n) && width < 4) width = 4;
      }
      return ROBJ + jemallocSize(8 + width * v.size);
    }
    let n = ROBJ + DICT + 8 * slots(v.size);
    for (const m of v.members()) n += DICT_ENTRY + sdsSize(m.length, false);
    return n;
  }
  if (v instanceof ZSetValue) {
    if (v.encoding() === 'listpack') {
      const items: Buffer[] = [];
      for (const [m, s] of v.entries()) items.push(m, Buffer.from(String(s)));
      return ROBJ + listpackSize(items);
    }
    let n = ROBJ + 16 + 32 + DICT + 8 * slots(v.size) + jemallocSize(SKIPLIST_NODE_BASE + 32 * 16);
    for (const [m] of v.entries()) n += sdsSize(m.length, false) + DICT_ENTRY + jemallocSize(SKIPLIST_NODE_BASE + 16 * 2);
    return n;
  }
  return v.memoryUsage();
}

/** MEMORY USAGE of a key holding v. */
export function keyMemoryUsage(key: string, v: StoredValue): number {
  return sdsSize(key.length, true) + DICT_ENTRY + valueSize(v);
}
