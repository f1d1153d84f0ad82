// BITFIELD and BITFIELD_RO: signed (i1..i64) and unsigned (u1..u63) integers at any bit offset of a
// string (`#n` offsets count in units of the type's width), read MSB first as SETBIT numbers bits;
// SET/INCRBY with OVERFLOW WRAP (default), SAT or FAIL (a null reply and no write). 64-bit values are
// BigInts. Writes grow the string to the farthest bit any SET/INCRBY reaches, as Redis does first.
import type { CommandContext, CommandDef } from './table.js';
import { keyStr } from '../store/types.js';
import { markRaw } from '../store/string-encoding.js';
import { notifyKeyspaceEvent } from '../pubsub/notify.js';
import { parseInt64 } from './args.js';
import { NOT_INTEGER, SYNTAX } from './errors.js';
import { getString } from './strings.js';

const BAD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const BAD_OFFSET = 'ERR bit offset is not an integer or out of range';

type Overflow = 'wrap' | 'sat' | 'fail';

interface Op {
  kind: 'get' | 'set' | 'incrby';
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  overflow: Overflow;
}

function readBits(p: Buffer, offset: number, bits: number, signed: boolean): bigint {
  let v = 0n;
  for (let j = 0; j < bits; j++, offset++) {
    // Offsets pass 2^31: no 32-bit shifts on them.
    const byte = Math.floor(offset / 8);
    const bit = byte < p.length ? (p[byte] >> (7 - (offset % 8))) & 1 : 0;
    v = (v << 1n) | BigInt(bit);
  }
  return signed ? BigInt.asIntN(bits, v) : v;
}

function writeBits(p: Buffer, offset: number, bits: number, value: bigint): void {
  const v = BigInt.asUintN(bits, value);
  for (let j = 0; j < bits; j++, offset++) {
    const on = (v >> BigInt(bits - 1 - j)) & 1n;
    const byte = Math.floor(offset / 8);
    const mask = 0x80 >> offset % 8;
    p[byte] = on ? p[byte] | mask : p[byte] & ~mask;
  }
}

const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/**
 * Redis's overflow check for `value + incr` in a field (SET passes the new value and 0): 1 above the
 * range, -1 below, 0 inside. Its int64 intermediates wrap, so e.g. an i63 SET far below the minimum
 * is seen as an overflow upwards (SAT stores the maximum): kept as Redis computes it.
 */
function overflowOf(value: bigint, incr: bigint, signed: boolean, bits: number): number {
  if (!signed) {
    const max = (1n << BigInt(bits)) - 1n;
    if (value > max || (incr > 0n && incr > i64(max - value))) return 1;
    if (incr < 0n && incr < i64(-value)) return -1;
    return 0;
  }
  const max = (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = i64(max - value);
  const minincr = i64(min - value);
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) return 1;
  if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) return -1;
  return 0;
}

/** The value to store for value + incr, or null when OVERFLOW FAIL refuses it. */
function fit(value: bigint, incr: bigint, signed: boolean, bits: number, overflow: Overflow): bigint | null {
  const o = overflowOf(value, incr, signed, bits);
  if (o === 0) return value + incr;
  if (overflow === 'fail') return null;
  if (overflow === 'sat') {
    if (!signed) return o > 0 ? (1n << BigInt(bits)) - 1n : 0n;
    return o > 0 ? (1n << BigInt(bits - 1)) - 1n : -(1n << BigInt(bits - 1));
  }
  const sum = BigInt.asUintN(64, value + incr);
  return signed ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum);
}

function parseType(b: Buffer): { signed: boolean; bits: number } | null {
  const signed = b[0] === 0x69; // 'i' (lower case only, as Redis)
  if (!signed && b[0] !== 0x75) return null;
  const n = parseInt64(b.subarray(1));
  if (n === null || n < 1n || n > (signed ? 64n : 63n)) return null;
  return { signed, bits: Number(n) };
}

function parseOffset(ctx: CommandContext, b: Buffer, bits: number): number | null {
  const hash = b[0] === 0x23;
  let v = parseInt64(hash ? b.subarray(1) : b);
  if (v === null) return null;
  if (hash) v *= BigInt(bits);
  if (v < 0n || v >> 3n >= BigInt(ctx.srv.config.int('proto-max-bulk-len'))) return null;
  return Number(v);
}

function bitfield(ctx: CommandContext, readonlyCmd: boolean): void {
  const { argv, reply, db, srv } = ctx;
  const ops: Op[] = [];
  let overflow: Overflow = 'wrap';
  let readonly = true;
  let highest = 0;
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const sub = argv[j].toString('latin1').toLowerCase();
    if (sub === 'overflow' && left >= 1) {
      const t = argv[++j].toString('latin1').toLowerCase();
      if (t !== 'wrap' && t !== 'sat' && t !== 'fail') return reply.error('ERR Invalid OVERFLOW type specified');
      overflow = t;
      continue;
    }
    if (!((sub === 'get' && left >= 2) || ((sub === 'set' || sub === 'incrby') && left >= 3))) return reply.error(SYNTAX);
    const type = parseType(argv[j + 1]);
    if (!type) return reply.error(BAD_TYPE);
    const offset = parseOffset(ctx, argv[j + 2], type.bits);
    if (offset === null) return reply.error(BAD_OFFSET);
    let value = 0n;
    if (sub !== 'get') {
      readonly = false;
      const v = parseInt64(argv[j + 3]);
      if (v === null) return reply.error(NOT_INTEGER);
      value = v;
      highest = Math.max(highest, offset + type.bits - 1);
    }
    ops.push({ kind: sub as Op['kind'], ...type, offset, value, overflow });
    j += sub === 'get' ? 2 : 3;
  }
  const key = keyStr(argv[1]);
  let p = getString(ctx, argv[1]);
  if (p === undefined) return;
  if (!readonly) {
    if (readonlyCmd) return reply.error('ERR BITFIELD_RO only supports the GET subcommand');
    // A new Buffer: the old one may be shared with a snapshot or a propagated argv.
    const grown = Buffer.alloc(Math.max(p?.length ?? 0, Math.floor(highest / 8) + 1));
    p?.copy(grown);
    p = grown;
    db.set(key, markRaw(p), true);
  }
  reply.array(ops.length);
  let changes = 0;
  for (const op of ops) {
    if (op.kind === 'get') {
      reply.int(p ? readBits(p, op.offset, op.bits, op.signed) : 0n);
      continue;
    }
    const buf = p as Buffer;
    const old = readBits(buf, op.offset, op.bits, op.signed);
    // SET's value is taken as C does: an unsigned field sees a negative value as 2^64 + value.
    const next = op.kind === 'incrby'
      ? fit(old, op.value, op.signed, op.bits, op.overflow)
      : fit(op.signed ? op.value : BigInt.asUintN(64, op.value), 0n, op.signed, op.bits, op.overflow);
    changes++;
    if (next === null) {
      reply.null();
      continue;
    }
    writeBits(buf, op.offset, op.bits, next);
    reply.int(op.kind === 'incrby' ? next : old);
  }
  if (changes) {
    notifyKeyspaceEvent(srv, '$', 'setbit', argv[1], db.id);
    srv.dirty += changes;
  }
}

export const bitfieldCommands: CommandDef[] = [
  { name: 'bitfield', handler: (ctx) => bitfield(ctx, false) },
  { name: 'bitfield_ro', handler: (ctx) => bitfield(ctx, true) },
];
