// cmsgpack as Redis bundles it (lua_cmsgpack 0.4): pack(...) concatenates each value's MessagePack
// encoding (integral numbers as the smallest integer type, others as float32 when exact, else
// float64; tables as arrays when keys are 1..n, else maps; nesting past 16 becomes nil), unpack
// returns every value of a buffer, unpack_one / unpack_limit return an offset first.
import type { ScriptVm } from '../vm.js';
import { T_BOOLEAN, T_NUMBER, T_STRING, T_TABLE, raiseWhere } from '../lua.js';

const MAX_NESTING = 16;
const f32 = new Float32Array(1);

class Out {
  buf = Buffer.allocUnsafe(256);
  n = 0;
  room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.n + k));
    this.buf.copy(b, 0, 0, this.n);
    this.buf = b;
  }
  byte(...bs: number[]): void {
    this.room(bs.length);
    for (const b of bs) this.buf[this.n++] = b;
  }
  bytes(b: Buffer): void {
    this.room(b.length);
    b.copy(this.buf, this.n);
    this.n += b.length;
  }
}

function packInt(o: Out, n: number): void {
  const b = Buffer.allocUnsafe(9);
  if (n >= 0) {
    if (n <= 127) return o.byte(n);
    if (n <= 0xff) return o.byte(0xcc, n);
    if (n <= 0xffff) return o.byte(0xcd, n >> 8, n & 0xff);
    if (n <= 0xffffffff) {
      b[0] = 0xce;
      b.writeUInt32BE(n, 1);
      return o.bytes(b.subarray(0, 5));
    }
    b[0] = 0xcf;
    b.writeBigUInt64BE(BigInt(n), 1);
    return o.bytes(b);
  }
  if (n >= -32) return o.byte(n & 0xff);
  if (n >= -128) return o.byte(0xd0, n & 0xff);
  if (n >= -32768) return o.byte(0xd1, (n >> 8) & 0xff, n & 0xff);
  if (n >= -2147483648) {
    b[0] = 0xd2;
    b.writeInt32BE(n, 1);
    return o.bytes(b.subarray(0, 5));
  }
  b[0] = 0xd3;
  b.writeBigInt64BE(BigInt(n), 1);
  return o.bytes(b);
}

function packNumber(o: Out, n: number): void {
  // IS_INT64_EQUIVALENT: integral and representable as int64.
  if (Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63) return packInt(o, n);
  f32[0] = n;
  const b = Buffer.allocUnsafe(9);
  if (f32[0] === n || (Number.isNaN(n) && Number.isNaN(f32[0]))) {
    b[0] = 0xca;
    b.writeFloatBE(n, 1);
    return o.bytes(b.subarray(0, 5));
  }
  b[0] = 0xcb;
  b.writeDoubleBE(n, 1);
  o.bytes(b);
}

function packLen(o: Out, n: number, fix: number, fixMax: number, c16: number, c32: number, c8?: number): void {
  if (n < fixMax) return o.byte(fix | n);
  if (c8 !== undefined && n <= 0xff) return o.byte(c8, n);
  if (n <= 0xffff) return o.byte(c16, n >> 8, n & 0xff);
  o.byte(c32, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

/** lua_cmsgpack's table_is_an_array: every key a positive integer and as many keys as the largest. */
function isArray(vm: ScriptVm, L: number, t: number): number {
  const m = vm.m;
  let count = 0;
  let max = 0;
  m._lua_pushnil(L);
  while (m._lua_next(L, t) !== 0) {
    m._lua_settop(L, -2);
    if (m._lua_type(L, -1) !== T_NUMBER) {
      m._lua_settop(L, -2);
      return -1;
    }
    const k = m._lua_tonumber(L, -1);
    if (!(k > 0 && Number.isInteger(k))) {
      m._lua_settop(L, -2);
      return -1;
    }
    if (k > max) max = k;
    count++;
  }
  return max === count ? count : -1;
}

function packValue(vm: ScriptVm, L: number, idx: number, level: number, o: Out): void {
  const m = vm.m;
  switch (m._lua_type(L, idx)) {
    case T_STRING: {
      const s = vm.lua.toBuffer(L, idx) as Buffer;
      packLen(o, s.length, 0xa0, 32, 0xda, 0xdb, 0xd9);
      return o.bytes(s);
    }
    case T_NUMBER:
      return packNumber(o, m._lua_tonumber(L, idx));
    case T_BOOLEAN:
      return o.byte(m._lua_toboolean(L, idx) ? 0xc3 : 0xc2);
    case T_TABLE: {
      if (level >= MAX_NESTING) return o.byte(0xc0);
      const n = isArray(vm, L, idx);
      if (n >= 0) {
        packLen(o, n, 0x90, 16, 0xdc, 0xdd);
        for (let i = 1; i <= n; i++) {
          m._lua_rawgeti(L, idx, i);
          packValue(vm, L, m._lua_gettop(L), level + 1, o);
          m._lua_settop(L, -2);
        }
        return;
      }
      let count = 0;
      m._lua_pushnil(L);
      while (m._lua_next(L, idx) !== 0) {
        count++;
        m._lua_settop(L, -2);
      }
      packLen(o, count, 0x80, 16, 0xde, 0xdf);
      m._lua_pushnil(L);
      while (m._lua_next(L, idx) !== 0) {
        const top = m._lua_gettop(L);
        packValue(vm, L, top - 1, level + 1, o);
        packValue(vm, L, top, level + 1, o);
        m._lua_settop(L, -2);
      }
      return;
    }
    default:
      o.byte(0xc0);
  }
}

class Truncated extends Error {}
class BadFormat extends Error {}

/** Decodes one value at pos onto the Lua stack; returns the position after it. */
function unpackValue(vm: ScriptVm, L: number, b: Buffer, pos: number): number {
  const m = vm.m;
  const need = (k: number) => {
    if (pos + k > b.length) throw new Truncated();
  };
  need(1);
  const c = b[pos++];
  const str = (len: number) => {
    need(len);
    vm.lua.pushBuffer(L, b.subarray(pos, pos + len));
    return pos + len;
  };
  const arr = (len: number) => {
    m._lua_createtable(L, len, 0);
    for (let i = 1; i <= len; i++) {
      pos = unpackValue(vm, L, b, pos);
      m._lua_rawseti(L, -2, i);
    }
    return pos;
  };
  const map = (len: number) => {
    m._lua_createtable(L, 0, len);
    for (let i = 0; i < len; i++) {
      pos = unpackValue(vm, L, b, pos);
      pos = unpackValue(vm, L, b, pos);
      m._lua_rawset(L, -3);
    }
    return pos;
  };
  if (c <= 0x7f) return m._lua_pushnumber(L, c), pos;
  if (c >= 0xe0) return m._lua_pushnumber(L, c - 256), pos;
  if ((c & 0xe0) === 0xa0) return str(c & 0x1f);
  if ((c & 0xf0) === 0x90) return arr(c & 0x0f);
  if ((c & 0xf0) === 0x80) return map(c & 0x0f);
  switch (c) {
    case 0xc0: m._lua_pushnil(L); return pos;
    case 0xc2: m._lua_pushboolean(L, 0); return pos;
    case 0xc3: m._lua_pushboolean(L, 1); return pos;
    case 0xca: need(4); m._lua_pushnumber(L, b.readFloatBE(pos)); return pos + 4;
    case 0xcb: need(8); m._lua_pushnumber(L, b.readDoubleBE(pos)); return pos + 8;
    case 0xcc: need(1); m._lua_pushnumber(L, b[pos]); return pos + 1;
    case 0xcd: need(2); m._lua_pushnumber(L, b.readUInt16BE(pos)); return pos + 2;
    case 0xce: need(4); m._lua_pushnumber(L, b.readUInt32BE(pos)); return pos + 4;
    case 0xcf: need(8); m._lua_pushnumber(L, Number(b.readBigUInt64BE(pos))); return pos + 8;
    case 0xd0: need(1); m._lua_pushnumber(L, b.readInt8(pos)); return pos + 1;
    case 0xd1: need(2); m._lua_pushnumber(L, b.readInt16BE(pos)); return pos + 2;
    case 0xd2: need(4); m._lua_pushnumber(L, b.readInt32BE(pos)); return pos + 4;
    case 0xd3: need(8); m._lua_pushnumber(L, Number(b.readBigInt64BE(pos))); return pos + 8;
    case 0xd9: need(1); pos += 1; return str(b[pos - 1]);
    case 0xda: need(2); pos += 2; return str(b.readUInt16BE(pos - 2));
    case 0xdb: need(4); pos += 4; return str(b.readUInt32BE(pos - 4));
    case 0xdc: need(2); pos += 2; return arr(b.readUInt16BE(pos - 2));
    case 0xdd: need(4); pos += 4; return arr(b.readUInt32BE(pos - 4));
    case 0xde: need(2); pos += 2; return map(b.readUInt16BE(pos - 2));
    case 0xdf: need(4); pos += 4; return map(b.readUInt32BE(pos - 4));
    default: throw new BadFormat();
  }
}

/** Unpacks up to `limit` values (0 = all) from offset; returns [count, next offset or -1 at the end]. */
function unpackMany(vm: ScriptVm, L: number, b: Buffer, offset: number, limit: number): [number, number] {
  let pos = offset;
  let n = 0;
  try {
    while (pos < b.length && (limit === 0 || n < limit)) {
      pos = unpackValue(vm, L, b, pos);
      n++;
    }
  } catch (e) {
    if (e instanceof Truncated) raiseWhere(vm.lua, L, 'Missing bytes in input.');
    if (e instanceof BadFormat) raiseWhere(vm.lua, L, 'Bad data format in input.');
    throw e;
  }
  return [n, pos < b.length ? pos : -1];
}

export function installCmsgpack(vm: ScriptVm, t: number): void {
  const { m, lua } = vm;
  lua.setFunction(vm.L, t, 'pack', (L) => {
    const argc = m._lua_gettop(L);
    if (argc === 0) raiseWhere(lua, L, "bad argument #0 to 'pack' (MessagePack pack needs input.)");
    if (!(m as unknown as { _lua_checkstack(L: number, n: number): number })._lua_checkstack(L, argc)) lua.raiseString(L, 'Too many arguments for MessagePack pack.');
    const o = new Out();
    for (let i = 1; i <= argc; i++) packValue(vm, L, i, 0, o);
    lua.pushBuffer(L, o.buf.subarray(0, o.n));
    return 1;
  });
  const unpacker = (fixedLimit: number | null) => (L: number) => {
    const s = lua.toBuffer(L, 1);
    if (s === null) return raiseWhere(lua, L, "bad argument #1 to 'unpack' (string expected, got no value)");
    let limit = 0;
    let offset = 0;
    if (fixedLimit !== null) {
      limit = fixedLimit > 0 ? fixedLimit : Math.trunc(m._lua_tonumber(L, 2));
      offset = Math.trunc(m._lua_tonumber(L, fixedLimit > 0 ? 2 : 3));
      if (offset < 0 || limit < 0) lua.raiseString(L, `Invalid request to unpack with offset of ${offset} and limit of ${limit}.`);
      if (offset > s.length) lua.raiseString(L, 'Start offset ' + offset + ' greater than input length ' + s.length + '.');
    }
    const base = m._lua_gettop(L);
    const [n, next] = unpackMany(vm, L, s, offset, limit);
    if (fixedLimit === null) return n;
    // unpack_one / unpack_limit: the next offset (-1 at the end) comes before the values.
    m._lua_pushnumber(L, next);
    m._lua_insert(L, base + 1);
    return n + 1;
  };
  lua.setFunction(vm.L, t, 'unpack', unpacker(null));
  lua.setFunction(vm.L, t, 'unpack_one', unpacker(1));
  lua.setFunction(vm.L, t, 'unpack_limit', unpacker(0));
  lua.setStringField(vm.L, t, '_NAME', 'cmsgpack');
  lua.setStringField(vm.L, t, '_VERSION', 'lua-cmsgpack 0.4.0');
}
