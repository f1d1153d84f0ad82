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
import { StreamValue } from './stream.js';
import { LIMITS } from './limits.js';
import { raxNodeCount } from './stream-rax.js';
import type { IdMap } from './stream-group.js';

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

/** The quicklist Redis 7.0 would hold for a list: nodes of listpacks up to 8 KB (list-max-listpack-size -2). */
export interface QuicklistShape {
  nodes: number;
  /** Bytes of all the nodes' listpacks. */
  bytes: number;
  /** Those listpacks' jemalloc allocations. */
  allocated: number;
}

export function quicklistShape(v: ListValue): QuicklistShape {
  const shape: QuicklistShape = { nodes: 0, bytes: 0, allocated: 0 };
  const close = (lp: number): void => {
    shape.nodes++;
    shape.bytes += lp;
    shape.allocated += jemallocSize(lp);
  };
  let lp = 7;
  for (const b of v) {
    const e = lpEntry(b);
    if (lp + e > 8192 && lp > 7) {
      close(lp);
      lp = 7;
    }
    lp += e;
  }
  if (lp > 7 || shape.nodes === 0) close(lp);
  return shape;
}

function valueSize(v: StoredValue, samples: number): number {
  if (typeof v === 'string' || Buffer.isBuffer(v)) return stringSize(v);
  if (v instanceof ListValue) {
    const q = quicklistShape(v);
    return ROBJ + QUICKLIST + q.nodes * QUICKLIST_NODE + q.allocated;
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
  if (v instanceof StreamValue) return streamSize(v, samples);
  return v.memoryUsage();
}

/** sizeof(stream), sizeof(streamCG), sizeof(streamConsumer), sizeof(streamNACK) in Redis 7.0. */
const STREAM = 80;
const STREAM_CG = 40;
const STREAM_CONSUMER = 24;
const STREAM_NACK = 24;

/** Redis's streamRadixTreeMemoryUsage: 16 bytes per key and 4 + 30 words per rax node. */
function raxUsage(keys: bigint[]): number {
  return keys.length * 16 + raxNodeCount(keys) * (4 + 8 * 30);
}

function pelKeys(pel: IdMap<unknown>): bigint[] {
  const out: bigint[] = [];
  for (const [id] of pel.entries()) out.push(id);
  return out;
}

/**
 * A stream as Redis's objectComputeSize counts it: the rax of nodes, the first `samples` nodes'
 * listpack allocations averaged over all but the last node plus the last node's own, and the consumer
 * groups' PELs and consumers. A node made by XADD starts as a 4 KB allocation (Redis preallocates
 * min(4096, stream-node-max-bytes)) and grows as it fills.
 */
function streamSize(v: StreamValue, samples: number): number {
  const nodes = v.liveNodes();
  let n = ROBJ + STREAM + raxUsage(nodes.map((x) => x.master));
  const max = LIMITS.streamNodeMaxBytes;
  const prealloc = max > 0 && max < 4096 ? max : 4096;
  const alloc = (len: number): number => jemallocSize(Math.max(prealloc, len));
  const sampled = Math.min(samples === 0 ? nodes.length : samples, nodes.length);
  let lp = 0;
  for (let i = 0; i < sampled; i++) lp += alloc(nodes[i].len);
  if (nodes.length <= sampled) n += lp;
  else n += Math.floor(lp / sampled) * (nodes.length - 1) + alloc(nodes[nodes.length - 1].len);
  for (const g of v.groups.values()) {
    n += STREAM_CG + raxUsage(pelKeys(g.pel)) + STREAM_NACK * g.pel.size;
    for (const c of g.consumers.values()) n += STREAM_CONSUMER + c.name.length + raxUsage(pelKeys(c.pel));
  }
  return n;
}

/** MEMORY USAGE of a key holding v. */
export function keyMemoryUsage(key: string, v: StoredValue, samples = 5): number {
  return sdsSize(key.length, true) + DICT_ENTRY + valueSize(v, samples);
}
