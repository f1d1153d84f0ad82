// Bit commands over string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP. Bit 0 is the most
// significant bit of byte 0, as in Redis. Ranges are byte ranges unless BIT is given (7.0).
import type { CommandContext, CommandDef } from './table.js';
import { keyStr } from '../store/types.js';
import { markRaw } from '../store/string-encoding.js';
import { is, parseInt64 } from './args.js';
import { NOT_INTEGER, SYNTAX, WRONGTYPE } from './errors.js';
import { getString } from './strings.js';

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** SETBIT/GETBIT offset: 0 <= offset and offset/8 < proto-max-bulk-len, or null. */
function bitOffset(ctx: CommandContext, arg: Buffer): number | null {
  const v = parseInt64(arg);
  if (v === null || v < 0n || v >> 3n >= BigInt(ctx.srv.config.int('proto-max-bulk-len'))) return null;
  return Number(v);
}

/** Resolves a [start, end] range (BYTE or BIT units, negatives from the end) to bit positions. */
function bitRange(start: bigint, end: bigint, strlen: number, bitUnits: boolean): [number, number] {
  const total = BigInt(bitUnits ? strlen * 8 : strlen);
  if (start < 0n) start += total;
  if (end < 0n) end += total;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= total) end = total - 1n;
  const s = Number(start > total ? total : start);
  const e = Number(end);
  return bitUnits ? [s, e] : [s * 8, e * 8 + 7];
}

/** Mask of the bits of byte `i` that lie inside [sb, eb]. */
function byteMask(i: number, sb: number, eb: number): number {
  let m = 0xff;
  if (i === sb >> 3) m &= 0xff >> (sb & 7);
  if (i === eb >> 3) m &= (0xff << (7 - (eb & 7))) & 0xff;
  return m;
}

function countBits(p: Buffer, sb: number, eb: number): number {
  if (sb > eb) return 0;
  const first = sb >> 3;
  const last = eb >> 3;
  let n = 0;
  for (let i = first; i <= last; i++) {
    const m = i === first || i === last ? byteMask(i, sb, eb) : 0xff;
    n += POPCOUNT[p[i] & m];
  }
  return n;
}

/** First bit equal to `bit` in [sb, eb], or -1. */
function findBit(p: Buffer, bit: number, sb: number, eb: number): number {
  const first = sb >> 3;
  const last = eb >> 3;
  for (let i = first; i <= last; i++) {
    const m = i === first || i === last ? byteMask(i, sb, eb) : 0xff;
    const hits = (bit ? p[i] : ~p[i]) & m;
    if (hits !== 0) return i * 8 + Math.clz32(hits & 0xff) - 24;
  }
  return -1;
}

function bitcount(ctx: CommandContext): void {
  const { argv, reply } = ctx;
  const v = getString(ctx, argv[1]);
  if (v === undefined) return;
  if (v === null) return reply.int(0);
  if (argv.length === 2) return reply.int(countBits(v, 0, v.length * 8 - 1));
  if (argv.length !== 4 && argv.length !== 5) return reply.error(SYNTAX);
  const s = parseInt64(argv[2]);
  if (s === null) return reply.error(NOT_INTEGER);
  const e = parseInt64(argv[3]);
  if (e === null) return reply.error(NOT_INTEGER);
  let bitUnits = false;
  if (argv.length === 5) {
    if (is(argv[4], 'bit')) bitUnits = true;
    else if (!is(argv[4], 'byte')) return reply.error(SYNTAX);
  }
  // Both ends from the end and crossed: an empty range (Redis checks this before clamping).
  if (s < 0n && e < 0n && s > e) return reply.int(0);
  const [sb, eb] = bitRange(s, e, v.length, bitUnits);
  reply.int(countBits(v, sb, eb));
}

function bitpos(ctx: CommandContext): void {
  const { argv, reply } = ctx;
  const bitArg = parseInt64(argv[2]);
  if (bitArg === null) return reply.error(NOT_INTEGER);
  if (bitArg !== 0n && bitArg !== 1n) return reply.error('ERR The bit argument must be 1 or 0.');
  const bit = Number(bitArg);
  const found = ctx.db.get(keyStr(argv[1]));
  // A missing key is an endless run of zeros.
  if (found === undefined) return reply.int(bit ? -1 : 0);
  if (!Buffer.isBuffer(found)) return reply.error(WRONGTYPE);
  const v = found;
  if (argv.length > 6) return reply.error(SYNTAX);
  let sb = 0;
  let eb = v.length * 8 - 1;
  const endGiven = argv.length >= 5;
  if (argv.length >= 4) {
    const s = parseInt64(argv[3]);
    if (s === null) return reply.error(NOT_INTEGER);
    let bitUnits = false;
    if (argv.length === 6) {
      if (is(argv[5], 'bit')) bitUnits = true;
      else if (!is(argv[5], 'byte')) return reply.error(SYNTAX);
    }
    let e = BigInt(bitUnits ? v.length * 8 - 1 : v.length - 1);
    if (endGiven) {
      const pe = parseInt64(argv[4]);
      if (pe === null) return reply.error(NOT_INTEGER);
      e = pe;
    }
    [sb, eb] = bitRange(s, e, v.length, bitUnits);
  }
  if (sb > eb) return reply.int(-1);
  const pos = findBit(v, bit, sb, eb);
  // Looking for a 0 past the end of the string: without an explicit end it is the padding bit.
  if (pos === -1 && bit === 0 && !endGiven) return reply.int((eb >> 3) * 8 + 8);
  reply.int(pos);
}

function bitop(ctx: CommandContext): void {
  const { argv, reply, db, srv } = ctx;
  const op = is(argv[1], 'and') ? 'and' : is(argv[1], 'or') ? 'or' : is(argv[1], 'xor') ? 'xor' : is(argv[1], 'not') ? 'not' : null;
  if (op === null) return reply.error(SYNTAX);
  if (op === 'not' && argv.length !== 4) return reply.error('ERR BITOP NOT must be called with a single source key.');
  const srcs: Buffer[] = [];
  let maxLen = 0;
  for (let i = 3; i < argv.length; i++) {
    const v = db.get(keyStr(argv[i]));
    if (v !== undefined && !Buffer.isBuffer(v)) return reply.error(WRONGTYPE);
    const b = v ?? Buffer.alloc(0);
    srcs.push(b);
    if (b.length > maxLen) maxLen = b.length;
  }
  const dest = keyStr(argv[2]);
  if (maxLen === 0) {
    if (db.delete(dest)) srv.dirty++;
    return reply.int(0);
  }
  const out = Buffer.alloc(maxLen);
  if (op === 'not') {
    for (let j = 0; j < maxLen; j++) out[j] = ~srcs[0][j] & 0xff;
  } else {
    srcs[0].copy(out);
    for (let k = 1; k < srcs.length; k++) {
      const s = srcs[k];
      for (let j = 0; j < maxLen; j++) {
        const b = j < s.length ? s[j] : 0;
        out[j] = op === 'and' ? out[j] & b : op === 'or' ? out[j] | b : out[j] ^ b;
      }
    }
  }
  db.set(dest, markRaw(out));
  srv.dirty++;
  reply.int(maxLen);
}

export const bitCommands: CommandDef[] = [
  {
    name: 'setbit',
    handler(ctx) {
      const { argv, reply, db, srv } = ctx;
      const off = bitOffset(ctx, argv[2]);
      if (off === null) return reply.error('ERR bit offset is not an integer or out of range');
      const on = parseInt64(argv[3]);
      if (on !== 0n && on !== 1n) return reply.error('ERR bit is not an integer or out of range');
      const cur = getString(ctx, argv[1]);
      if (cur === undefined) return;
      const byte = off >> 3;
      // Always a new Buffer: a value may be shared with a snapshot being written or a propagated argv.
      const o = Buffer.alloc(Math.max(cur?.length ?? 0, byte + 1));
      cur?.copy(o);
      const mask = 0x80 >> (off & 7);
      const old = o[byte] & mask ? 1 : 0;
      if (on === 1n) o[byte] |= mask;
      else o[byte] &= ~mask;
      db.set(keyStr(argv[1]), markRaw(o), true);
      srv.dirty++;
      reply.int(old);
    },
  },
  {
    name: 'getbit',
    handler(ctx) {
      const off = bitOffset(ctx, ctx.argv[2]);
      if (off === null) return ctx.reply.error('ERR bit offset is not an integer or out of range');
      const v = getString(ctx, ctx.argv[1]);
      if (v === undefined) return;
      const byte = off >> 3;
      ctx.reply.int(v !== null && byte < v.length && v[byte] & (0x80 >> (off & 7)) ? 1 : 0);
    },
  },
  { name: 'bitcount', handler: bitcount },
  { name: 'bitpos', handler: bitpos },
  { name: 'bitop', handler: bitop },
];

