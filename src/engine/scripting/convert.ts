// Conversions between Lua values and Redis replies, as Redis 7.0's script_lua.c defines them:
// - RESP -> Lua (what redis.call returns): parsed straight from the reply bytes a command produced.
// - Lua -> RESP (what a script returns): written to the caller's reply writer.
import type { ReplyWriter } from '../protocol/writer.js';
import { formatDouble17 } from '../protocol/double.js';
import { type Lua, T_BOOLEAN, T_NUMBER, T_STRING, T_TABLE } from './lua.js';

const CR = 13;

function lineEnd(b: Buffer, p: number): number {
  const e = b.indexOf(CR, p);
  return e < 0 ? b.length : e;
}

function intAt(b: Buffer, p: number, e: number): number {
  return Number(b.latin1Slice(p, e));
}

/**
 * Pushes the Lua form of one RESP reply starting at pos; returns the position after it.
 * `errors` collects nothing: an error reply becomes {err=...} like any other table, the caller
 * decides whether it raises (redis.call) or returns (redis.pcall).
 */
export function pushReply(lua: Lua, L: number, b: Buffer, pos: number): number {
  const m = lua.m;
  const t = b[pos];
  const e = lineEnd(b, pos + 1);
  switch (t) {
    case 58: // ':' integer
      m._lua_pushnumber(L, intAt(b, pos + 1, e));
      return e + 2;
    case 36: { // '$' bulk
      const n = intAt(b, pos + 1, e);
      if (n < 0) {
        m._lua_pushboolean(L, 0);
        return e + 2;
      }
      lua.pushBuffer(L, b.subarray(e + 2, e + 2 + n));
      return e + 2 + n + 2;
    }
    case 43: // '+' status -> {ok=...}
      m._lua_createtable(L, 0, 1);
      lua.pushBuffer(L, b.subarray(pos + 1, e));
      m._lua_setfield(L, -2, lua.cname('ok'));
      return e + 2;
    case 45: // '-' error -> {err=...}
      m._lua_createtable(L, 0, 1);
      lua.pushBuffer(L, b.subarray(pos + 1, e));
      m._lua_setfield(L, -2, lua.cname('err'));
      return e + 2;
    case 42: // '*' array
    case 62: { // '>' push (not expected from commands run by scripts; read as an array)
      const n = intAt(b, pos + 1, e);
      if (n < 0) {
        m._lua_pushboolean(L, 0);
        return e + 2;
      }
      m._lua_createtable(L, n, 0);
      let p = e + 2;
      for (let i = 1; i <= n; i++) {
        p = pushReply(lua, L, b, p);
        m._lua_rawseti(L, -2, i);
      }
      return p;
    }
    case 37: { // '%' map -> {map={k=v...}}
      const n = intAt(b, pos + 1, e);
      m._lua_createtable(L, 0, 1);
      m._lua_createtable(L, 0, n);
      let p = e + 2;
      for (let i = 0; i < n; i++) {
        p = pushReply(lua, L, b, p);
        p = pushReply(lua, L, b, p);
        m._lua_rawset(L, -3);
      }
      m._lua_setfield(L, -2, lua.cname('map'));
      return p;
    }
    case 126: { // '~' set -> {set={member=true...}}
      const n = intAt(b, pos + 1, e);
      m._lua_createtable(L, 0, 1);
      m._lua_createtable(L, 0, n);
      let p = e + 2;
      for (let i = 0; i < n; i++) {
        p = pushReply(lua, L, b, p);
        m._lua_pushboolean(L, 1);
        m._lua_rawset(L, -3);
      }
      m._lua_setfield(L, -2, lua.cname('set'));
      return p;
    }
    case 95: // '_' null -> nil
      m._lua_pushnil(L);
      return e + 2;
    case 35: // '#' boolean
      m._lua_pushboolean(L, b[pos + 1] === 116 ? 1 : 0);
      return e + 2;
    case 44: // ',' double -> {double=number}
      m._lua_createtable(L, 0, 1);
      m._lua_pushnumber(L, parseRespDouble(b.latin1Slice(pos + 1, e)));
      m._lua_setfield(L, -2, lua.cname('double'));
      return e + 2;
    case 40: // '(' big number -> {big_number=string}
      m._lua_createtable(L, 0, 1);
      lua.pushBuffer(L, b.subarray(pos + 1, e));
      m._lua_setfield(L, -2, lua.cname('big_number'));
      return e + 2;
    case 61: { // '=' verbatim -> {verbatim_string={format=, string=}}
      const n = intAt(b, pos + 1, e);
      const body = b.subarray(e + 2, e + 2 + n);
      m._lua_createtable(L, 0, 1);
      m._lua_createtable(L, 0, 2);
      lua.pushBuffer(L, body.subarray(0, 3));
      m._lua_setfield(L, -2, lua.cname('format'));
      lua.pushBuffer(L, body.subarray(4));
      m._lua_setfield(L, -2, lua.cname('string'));
      m._lua_setfield(L, -2, lua.cname('verbatim_string'));
      return e + 2 + n + 2;
    }
    default:
      m._lua_pushnil(L);
      return b.length;
  }
}

function parseRespDouble(s: string): number {
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}

/**
 * Lua numbers become integers the way C's (long long) cast does on x86-64: truncated toward zero,
 * and anything out of range (or NaN) becomes INT64_MIN.
 */
function luaNumberToInt(n: number): number | bigint {
  const t = Math.trunc(n);
  if (Number.isSafeInteger(t)) return t;
  if (!(t < 2 ** 63 && t >= -(2 ** 63))) return -9223372036854775808n;
  return BigInt(t);
}

/** Redis replaces \r and \n in status and error lines with spaces. */
function oneLine(b: Buffer): string {
  const s = b.latin1Slice(0, b.length);
  return s.replace(/[\r\n]/g, ' ');
}

/**
 * Writes the Lua value at idx as a reply. `scriptResp` is the protocol the script chose with
 * redis.setresp (booleans differ); the writer's own resp decides RESP2/RESP3 encodings.
 */
export function writeLuaValue(lua: Lua, L: number, idx: number, out: ReplyWriter, scriptResp: 2 | 3, depth = 0): void {
  const m = lua.m;
  const type = m._lua_type(L, idx);
  switch (type) {
    case T_STRING:
      out.bulk(lua.toBuffer(L, idx));
      return;
    case T_BOOLEAN: {
      const v = m._lua_toboolean(L, idx) !== 0;
      if (scriptResp === 2) {
        if (v) out.int(1);
        else out.null();
      } else out.bool(v);
      return;
    }
    case T_NUMBER:
      out.int(luaNumberToInt(m._lua_tonumber(L, idx)));
      return;
    case T_TABLE:
      writeTable(lua, L, idx < 0 ? m._lua_gettop(L) + idx + 1 : idx, out, scriptResp, depth);
      return;
    default:
      out.null();
  }
}

/** Number of key/value pairs in the table at absolute index t. */
function countPairs(lua: Lua, L: number, t: number): number {
  const m = lua.m;
  let n = 0;
  m._lua_pushnil(L);
  while (m._lua_next(L, t) !== 0) {
    n++;
    m._lua_settop(L, -2);
  }
  return n;
}

function fieldType(lua: Lua, L: number, idx: number, name: string): number {
  lua.getField(L, idx, name);
  return lua.m._lua_type(L, -1);
}

function writeTable(lua: Lua, L: number, t: number, out: ReplyWriter, scriptResp: 2 | 3, depth: number): void {
  const m = lua.m;
  if (depth > 1000) {
    out.error('ERR reached lua stack limit');
    return;
  }
  // {err=...}: an error reply.
  if (fieldType(lua, L, t, 'err') === T_STRING) {
    const msg = lua.toBuffer(L, -1) as Buffer;
    m._lua_settop(L, -2);
    out.error(oneLine(msg));
    return;
  }
  m._lua_settop(L, -2);
  if (fieldType(lua, L, t, 'ok') === T_STRING) {
    const msg = lua.toBuffer(L, -1) as Buffer;
    m._lua_settop(L, -2);
    out.simple(oneLine(msg));
    return;
  }
  m._lua_settop(L, -2);
  {
    if (fieldType(lua, L, t, 'double') === T_NUMBER) {
      const d = m._lua_tonumber(L, -1);
      m._lua_settop(L, -2);
      out.double(d);
      return;
    }
    m._lua_settop(L, -2);
    if (fieldType(lua, L, t, 'big_number') === T_STRING) {
      const s = oneLine(lua.toBuffer(L, -1) as Buffer);
      m._lua_settop(L, -2);
      if (out.resp === 3) out.raw('(' + s + '\r\n');
      else out.bulk(Buffer.from(s, 'latin1'));
      return;
    }
    m._lua_settop(L, -2);
    if (fieldType(lua, L, t, 'map') === T_TABLE) {
      const mt = m._lua_gettop(L);
      out.map(countPairs(lua, L, mt));
      m._lua_pushnil(L);
      while (m._lua_next(L, mt) !== 0) {
        const top = m._lua_gettop(L);
        writeLuaValue(lua, L, top - 1, out, scriptResp, depth + 1);
        writeLuaValue(lua, L, top, out, scriptResp, depth + 1);
        m._lua_settop(L, -2);
      }
      m._lua_settop(L, -2);
      return;
    }
    m._lua_settop(L, -2);
    if (fieldType(lua, L, t, 'set') === T_TABLE) {
      const st = m._lua_gettop(L);
      out.set(countPairs(lua, L, st));
      m._lua_pushnil(L);
      while (m._lua_next(L, st) !== 0) {
        writeLuaValue(lua, L, m._lua_gettop(L) - 1, out, scriptResp, depth + 1);
        m._lua_settop(L, -2);
      }
      m._lua_settop(L, -2);
      return;
    }
    m._lua_settop(L, -2);
    if (fieldType(lua, L, t, 'verbatim_string') === T_TABLE) {
      const vt = m._lua_gettop(L);
      const fmt = fieldType(lua, L, vt, 'format') === T_STRING ? (lua.toBuffer(L, -1) as Buffer) : null;
      m._lua_settop(L, -2);
      const str = fieldType(lua, L, vt, 'string') === T_STRING ? (lua.toBuffer(L, -1) as Buffer) : null;
      m._lua_settop(L, -2);
      m._lua_settop(L, -2);
      if (fmt && str && fmt.length === 3) {
        if (out.resp === 3) {
          out.raw(`=${str.length + 4}\r\n${fmt.latin1Slice(0, 3)}:`);
          out.rawBuffer(str);
          out.raw('\r\n');
        } else out.bulk(str);
        return;
      }
    } else m._lua_settop(L, -2);
  }
  // An array: elements 1..n up to the first nil.
  let n = 0;
  for (;;) {
    m._lua_rawgeti(L, t, n + 1);
    const nil = m._lua_type(L, -1) === 0;
    m._lua_settop(L, -2);
    if (nil) break;
    n++;
  }
  out.array(n);
  for (let i = 1; i <= n; i++) {
    m._lua_rawgeti(L, t, i);
    writeLuaValue(lua, L, m._lua_gettop(L), out, scriptResp, depth + 1);
    m._lua_settop(L, -2);
  }
}

/** A Lua number as redis.call's argument: %.17g as Redis 7.0 (integral values below 1e17 print as integers). */
export function numberArg(n: number): string {
  return formatDouble17(n);
}
