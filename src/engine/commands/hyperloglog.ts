// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST. The value is a plain string in
// Redis's HLL layout (store/hll.ts), so it persists and replicates as any string does.
import type { CommandContext, CommandDef } from './table.js';
import { keyStr } from '../store/types.js';
import { markRaw } from '../store/string-encoding.js';
import { notifyKeyspaceEvent } from '../pubsub/notify.js';
import { WRONGTYPE } from './errors.js';
import * as H from '../store/hll.js';
import { LIMITS } from '../store/limits.js';

const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const INVALID = 'INVALIDOBJ Corrupted HLL object detected';

/** Dense HLL Buffers this module allocated: only these are updated in place (others may be shared). */
const owned = new WeakSet<Buffer>();

function own(b: Buffer): Buffer {
  owned.add(b);
  return markRaw(b);
}

/** The HLL at key: Buffer, null when missing, undefined after replying an error. */
function lookupHll(ctx: CommandContext, keyArg: Buffer): Buffer | null | undefined {
  const v = ctx.db.get(keyStr(keyArg));
  if (v === undefined) return null;
  if (!Buffer.isBuffer(v)) {
    ctx.reply.error(WRONGTYPE);
    return undefined;
  }
  if (!H.isHll(v)) {
    ctx.reply.error(NOT_HLL);
    return undefined;
  }
  return v;
}

/** A modifiable HLL: owned dense values in place, anything else as a copy with room to grow. */
function workOn(v: Buffer, extra: number): H.HllWork {
  if (H.isDense(v) && owned.has(v)) return { buf: v, len: v.length };
  return H.workOf(v, H.isDense(v) ? 0 : extra);
}

function store(ctx: CommandContext, key: string, w: H.HllWork, created: boolean): void {
  const b = H.finish(w);
  if (b !== ctx.db.data.get(key)) {
    if (created) ctx.db.set(key, own(b));
    else ctx.db.replace(key, own(b));
  } else {
    ctx.db.touch(key);
  }
}

function pfadd(ctx: CommandContext): void {
  const { argv, reply, db, srv } = ctx;
  const found = lookupHll(ctx, argv[1]);
  if (found === undefined) return;
  const key = keyStr(argv[1]);
  const created = found === null;
  const w = workOn(found ?? H.createHll(), 3 * (argv.length - 2));
  const maxBytes = LIMITS.hllSparseMaxBytes;
  let updated = created ? 1 : 0;
  for (let j = 2; j < argv.length; j++) {
    const count = H.patLen(argv[j]);
    const r = H.hllSet(w, H.patIndex, count, maxBytes);
    if (r < 0) {
      // Redis keeps what it changed before finding the corruption.
      store(ctx, key, w, created);
      return reply.error(INVALID);
    }
    updated += r;
  }
  if (updated) {
    H.invalidateCache(w.buf);
    store(ctx, key, w, created);
    notifyKeyspaceEvent(srv, '$', 'pfadd', argv[1], db.id);
    srv.dirty += updated;
  }
  reply.int(updated ? 1 : 0);
}

function pfcount(ctx: CommandContext): void {
  const { argv, reply, srv } = ctx;
  if (argv.length > 2) return pfcountUnion(ctx);
  const v = lookupHll(ctx, argv[1]);
  if (v === undefined) return;
  if (v === null) return reply.int(0);
  const cached = H.cachedCard(v);
  if (cached >= 0) return reply.int(cached);
  const card = H.hllCount(v);
  if (card < 0) return reply.error(INVALID);
  // The cache is part of the value: update it and propagate PFCOUNT, as Redis does.
  const key = keyStr(argv[1]);
  const w = workOn(v, 0);
  H.setCachedCard(w.buf, card);
  store(ctx, key, w, false);
  srv.dirty++;
  reply.int(card);
}

/**
 * PFCOUNT of several keys: the cardinality of their union. Keys are looked up (and sparse ones merged,
 * so a corrupt one is reported where Redis reports it) in order. Two dense HLLs, the usual case, are
 * counted in one pass without building the merged registers.
 */
function pfcountUnion(ctx: CommandContext): void {
  const { argv, reply } = ctx;
  const max = new Uint8Array(H.HLL_REGISTERS);
  let merged = false;
  const dense: Buffer[] = [];
  for (let j = 1; j < argv.length; j++) {
    const v = lookupHll(ctx, argv[j]);
    if (v === undefined) return;
    if (v === null) continue;
    if (H.isDense(v)) dense.push(v);
    else if (H.mergeInto(max, v)) merged = true;
    else return reply.error(INVALID);
  }
  if (!merged && dense.length === 2) return reply.int(H.denseUnionCount(dense[0], dense[1]));
  for (const v of dense) H.mergeInto(max, v);
  reply.int(H.rawCount(max));
}

function pfmerge(ctx: CommandContext): void {
  const { argv, reply, db, srv } = ctx;
  const max = new Uint8Array(H.HLL_REGISTERS);
  let useDense = false;
  let dest: Buffer | null = null;
  for (let j = 1; j < argv.length; j++) {
    const v = lookupHll(ctx, argv[j]);
    if (v === undefined) return;
    if (v === null) continue;
    if (j === 1) dest = v;
    if (H.isDense(v)) useDense = true;
    if (!H.mergeInto(max, v)) return reply.error(INVALID);
  }
  const key = keyStr(argv[1]);
  const created = dest === null;
  const w = workOn(dest ?? H.createHll(), 3 * H.HLL_REGISTERS);
  if (useDense && !H.sparseToDense(w)) return reply.error(INVALID);
  const maxBytes = srv.config.int('hll-sparse-max-bytes');
  for (let j = 0; j < H.HLL_REGISTERS; j++) if (max[j] !== 0) H.hllSet(w, j, max[j], maxBytes);
  H.invalidateCache(w.buf);
  store(ctx, key, w, created);
  notifyKeyspaceEvent(srv, '$', 'pfadd', argv[1], db.id);
  srv.dirty++;
  reply.ok();
}

function pfdebug(ctx: CommandContext): void {
  const { argv, reply, db, srv } = ctx;
  const sub = argv[1].toString().toLowerCase();
  const v = db.get(keyStr(argv[2]));
  if (v === undefined) return reply.error('ERR The specified key does not exist');
  const hll = lookupHll(ctx, argv[2]);
  if (!hll) return;
  const key = keyStr(argv[2]);
  const toDense = (): H.HllWork | null => {
    const w = workOn(hll, 0);
    if (H.isDense(hll)) return w;
    if (!H.sparseToDense(w)) {
      reply.error(INVALID);
      return null;
    }
    store(ctx, key, w, false);
    srv.dirty++; // the encoding change is propagated, as Redis forces it
    return w;
  };
  if (sub === 'getreg') {
    const w = toDense();
    if (!w) return;
    reply.array(H.HLL_REGISTERS);
    for (let j = 0; j < H.HLL_REGISTERS; j++) reply.int(H.denseGet(w.buf, j));
  } else if (sub === 'decode') {
    if (H.isDense(hll)) return reply.error('ERR HLL encoding is not sparse');
    reply.bulk(H.decodeSparse(hll));
  } else if (sub === 'encoding') {
    reply.simple(H.isDense(hll) ? 'dense' : 'sparse');
  } else if (sub === 'todense') {
    const was = H.isDense(hll);
    if (!toDense()) return;
    reply.int(was ? 0 : 1);
  } else {
    reply.error(`ERR Unknown PFDEBUG subcommand '${argv[1].toString('latin1')}'`);
  }
}

/**
 * PFSELFTEST: dense registers read back what was written at every position, and a sparse HLL that
 * is promoted while elements are added keeps counting exactly as a dense one fed the same elements.
 */
function pfselftest(ctx: CommandContext): void {
  const dense = { buf: Buffer.alloc(H.DENSE_SIZE), len: H.DENSE_SIZE };
  const ref = new Uint8Array(H.HLL_REGISTERS);
  for (let pass = 0; pass < 4; pass++) {
    dense.buf.fill(0, H.HDR);
    for (let i = 0; i < H.HLL_REGISTERS; i++) ref[i] = Math.floor(Math.random() * 64);
    for (let i = 0; i < H.HLL_REGISTERS; i++) H.denseSet(dense.buf, i, ref[i]);
    for (let i = 0; i < H.HLL_REGISTERS; i++) {
      if (H.denseGet(dense.buf, i) !== ref[i]) return ctx.reply.error(`ERR TESTFAILED Register error at ${i}`);
    }
  }
  const sparse = H.workOf(H.createHll(), 16 * 1024);
  const full = H.workOf(H.createHll(), 0);
  H.sparseToDense(full);
  const ele = Buffer.alloc(8);
  for (let n = 1; n <= 20000; n++) {
    ele.writeUInt32LE(n, 0);
    ele.writeUInt32LE(Math.floor(Math.random() * 4294967296), 4);
    const count = H.patLen(ele);
    H.hllSet(sparse, H.patIndex, count, 3000);
    H.hllSet(full, H.patIndex, count, 3000);
    if ((n & 1023) === 0 || n < 64) {
      const a = H.hllCount(H.finish(sparse));
      const b = H.hllCount(H.finish(full));
      if (a !== b) return ctx.reply.error(`ERR TESTFAILED sparse and dense disagree at ${n}: ${a} vs ${b}`);
      if (Math.abs(b - n) / n > 0.05 && n > 1000) return ctx.reply.error(`ERR TESTFAILED too big error. card:${n} abserr:${Math.abs(b - n)}`);
    }
  }
  ctx.reply.ok();
}

export const hyperloglogCommands: CommandDef[] = [
  { name: 'pfadd', handler: pfadd },
  { name: 'pfcount', handler: pfcount },
  { name: 'pfmerge', handler: pfmerge },
  { name: 'pfdebug', handler: pfdebug },
  { name: 'pfselftest', handler: pfselftest },
];
