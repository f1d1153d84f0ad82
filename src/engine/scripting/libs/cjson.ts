// cjson as Redis bundles it (lua-cjson 2.1 settings): encode with %.14g numbers, "/" escaped, tables
// as arrays when every key is a positive integer (sparse ones refused), decode to tables with
// cjson.null (a NULL light userdata) for null, and lua-cjson's error texts.
import type { ScriptVm } from '../vm.js';
import { T_BOOLEAN, T_NIL, T_NUMBER, T_STRING, T_TABLE, formatG, raiseWhere } from '../lua.js';

const T_LIGHTUSERDATA = 2;
const MAX_DEPTH = 1000;
const TYPE_NAMES = ['nil', 'boolean', 'userdata', 'number', 'string', 'table', 'function', 'userdata', 'thread'];

class EncodeError extends Error {}

function escapeString(b: Buffer, out: number[]): void {
  out.push(34);
  for (const c of b) {
    if (c === 34) out.push(92, 34);
    else if (c === 92) out.push(92, 92);
    else if (c === 47) out.push(92, 47);
    else if (c === 8) out.push(92, 98);
    else if (c === 12) out.push(92, 102);
    else if (c === 10) out.push(92, 110);
    else if (c === 13) out.push(92, 114);
    else if (c === 9) out.push(92, 116);
    else if (c < 32 || c === 127) {
      const h = c.toString(16).padStart(4, '0');
      out.push(92, 117, ...Buffer.from(h));
    } else out.push(c);
  }
  out.push(34);
}

function pushAscii(s: string, out: number[]): void {
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

function encodeNumber(n: number, out: number[]): void {
  if (!Number.isFinite(n)) throw new EncodeError('Cannot serialise number: must not be NaN or Inf');
  pushAscii(formatG(n, 14), out);
}

function encodeValue(vm: ScriptVm, L: number, idx: number, depth: number, out: number[]): void {
  const m = vm.m;
  const t = m._lua_type(L, idx);
  switch (t) {
    case T_STRING:
      return escapeString(vm.lua.toBuffer(L, idx) as Buffer, out);
    case T_NUMBER:
      return encodeNumber(m._lua_tonumber(L, idx), out);
    case T_BOOLEAN:
      return pushAscii(m._lua_toboolean(L, idx) ? 'true' : 'false', out);
    case T_NIL:
      return pushAscii('null', out);
    case T_LIGHTUSERDATA:
      if ((m as unknown as { _lua_touserdata(L: number, i: number): number })._lua_touserdata(L, idx) === 0) return pushAscii('null', out);
      break;
    case T_TABLE:
      return encodeTable(vm, L, idx, depth + 1, out);
  }
  throw new EncodeError(`Cannot serialise ${TYPE_NAMES[t] ?? 'userdata'}: type not supported`);
}

/** lua-cjson's lua_array_length: the max index if every key is a positive integer, else -1. */
function arrayLength(vm: ScriptVm, L: number, t: number): number {
  const m = vm.m;
  let max = 0;
  let items = 0;
  m._lua_pushnil(L);
  while (m._lua_next(L, t) !== 0) {
    if (m._lua_type(L, -2) === T_NUMBER) {
      const k = m._lua_tonumber(L, -2);
      if (Math.floor(k) === k && k >= 1) {
        if (k > max) max = k;
        items++;
        m._lua_settop(L, -2);
        continue;
      }
    }
    m._lua_settop(L, -3);
    return -1;
  }
  if (max > items * 2 && max > 10) throw new EncodeError('Cannot serialise table: excessively sparse array');
  return max;
}

function encodeTable(vm: ScriptVm, L: number, t: number, depth: number, out: number[]): void {
  const m = vm.m;
  if (depth > MAX_DEPTH) throw new EncodeError(`Cannot serialise, excessive nesting (${depth})`);
  const abs = t < 0 ? m._lua_gettop(L) + t + 1 : t;
  const len = arrayLength(vm, L, abs);
  if (len > 0) {
    out.push(91);
    for (let i = 1; i <= len; i++) {
      if (i > 1) out.push(44);
      m._lua_rawgeti(L, abs, i);
      encodeValue(vm, L, m._lua_gettop(L), depth, out);
      m._lua_settop(L, -2);
    }
    out.push(93);
    return;
  }
  out.push(123);
  let first = true;
  m._lua_pushnil(L);
  while (m._lua_next(L, abs) !== 0) {
    if (!first) out.push(44);
    first = false;
    const kt = m._lua_type(L, -2);
    if (kt === T_STRING) escapeString(vm.lua.toBuffer(L, -2) as Buffer, out);
    else if (kt === T_NUMBER) {
      out.push(34);
      encodeNumber(m._lua_tonumber(L, -2), out);
      out.push(34);
    } else {
      m._lua_settop(L, -3);
      throw new EncodeError(`Cannot serialise ${TYPE_NAMES[kt] ?? 'userdata'}: table key must be a number or string`);
    }
    out.push(58);
    encodeValue(vm, L, m._lua_gettop(L), depth, out);
    m._lua_settop(L, -2);
  }
  out.push(125);
}

/** JSON decoding straight onto the Lua stack, with lua-cjson's token names in errors. */
class Decoder {
  pos = 0;
  constructor(private readonly vm: ScriptVm, private readonly L: number, private readonly s: Buffer) {}

  private fail(expected: string, found: string, at: number): never {
    throw new EncodeError(`Expected ${expected} but found ${found} at character ${at + 1}`);
  }

  private skipWs(): void {
    const s = this.s;
    while (this.pos < s.length && (s[this.pos] === 32 || s[this.pos] === 9 || s[this.pos] === 10 || s[this.pos] === 13)) this.pos++;
  }

  /** The next token's name as lua-cjson reports it (without consuming it). */
  private peekName(): string {
    this.skipWs();
    if (this.pos >= this.s.length) return 'T_END';
    const c = this.s[this.pos];
    const names: Record<number, string> = { 123: 'T_OBJ_BEGIN', 125: 'T_OBJ_END', 91: 'T_ARR_BEGIN', 93: 'T_ARR_END', 58: 'T_COLON', 44: 'T_COMMA', 34: 'T_STRING' };
    if (names[c]) return names[c];
    if (c === 45 || (c >= 48 && c <= 57)) return 'T_NUMBER';
    if (this.startsWith('true') || this.startsWith('false')) return 'T_BOOLEAN';
    if (this.startsWith('null')) return 'T_NULL';
    return 'invalid token';
  }

  private startsWith(w: string): boolean {
    return this.s.latin1Slice(this.pos, Math.min(this.s.length, this.pos + w.length)) === w;
  }

  value(depth: number): void {
    const { vm, L } = this;
    const m = vm.m;
    this.skipWs();
    const at = this.pos;
    const name = this.peekName();
    switch (name) {
      case 'T_OBJ_BEGIN':
        return this.object(depth + 1, at);
      case 'T_ARR_BEGIN':
        return this.array(depth + 1, at);
      case 'T_STRING':
        vm.lua.pushBuffer(L, this.string());
        return;
      case 'T_NUMBER':
        m._lua_pushnumber(L, this.number());
        return;
      case 'T_BOOLEAN': {
        const t = this.startsWith('true');
        this.pos += t ? 4 : 5;
        m._lua_pushboolean(L, t ? 1 : 0);
        return;
      }
      case 'T_NULL':
        this.pos += 4;
        (m as unknown as { _lua_pushlightuserdata(L: number, p: number): void })._lua_pushlightuserdata(L, 0);
        return;
      default:
        this.fail('value', name, at);
    }
  }

  private object(depth: number, at: number): void {
    const { L } = this;
    const m = this.vm.m;
    if (depth > MAX_DEPTH) throw new EncodeError(`Found too many nested data structures (${depth}) at character ${at + 1}`);
    this.pos++;
    m._lua_createtable(L, 0, 0);
    if (this.peekName() === 'T_OBJ_END') {
      this.pos++;
      return;
    }
    for (;;) {
      const kn = this.peekName();
      if (kn !== 'T_STRING') this.fail('object key string', kn, this.pos);
      this.vm.lua.pushBuffer(L, this.string());
      const cn = this.peekName();
      if (cn !== 'T_COLON') this.fail('colon', cn, this.pos);
      this.pos++;
      this.value(depth);
      m._lua_rawset(L, -3);
      const nn = this.peekName();
      if (nn === 'T_OBJ_END') {
        this.pos++;
        return;
      }
      if (nn !== 'T_COMMA') this.fail('comma or object end', nn, this.pos);
      this.pos++;
    }
  }

  private array(depth: number, at: number): void {
    const { L } = this;
    const m = this.vm.m;
    if (depth > MAX_DEPTH) throw new EncodeError(`Found too many nested data structures (${depth}) at character ${at + 1}`);
    this.pos++;
    m._lua_createtable(L, 0, 0);
    if (this.peekName() === 'T_ARR_END') {
      this.pos++;
      return;
    }
    for (let i = 1; ; i++) {
      this.value(depth);
      m._lua_rawseti(L, -2, i);
      const nn = this.peekName();
      if (nn === 'T_ARR_END') {
        this.pos++;
        return;
      }
      if (nn !== 'T_COMMA') this.fail('comma or array end', nn, this.pos);
      this.pos++;
    }
  }

  private number(): number {
    const rest = this.s.latin1Slice(this.pos, Math.min(this.s.length, this.pos + 400));
    const mt = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(rest);
    if (!mt || /^-?0[xX]/.test(rest)) this.fail('value', 'invalid number', this.pos);
    this.pos += mt[0].length;
    return Number(mt[0]);
  }

  private string(): Buffer {
    const s = this.s;
    const start = this.pos;
    this.pos++;
    const out: number[] = [];
    for (;;) {
      if (this.pos >= s.length) this.fail('value', 'unexpected end of string', start);
      const c = s[this.pos++];
      if (c === 34) break;
      if (c !== 92) {
        out.push(c);
        continue;
      }
      const e = s[this.pos++];
      const simple: Record<number, number> = { 34: 34, 92: 92, 47: 47, 98: 8, 102: 12, 110: 10, 114: 13, 116: 9 };
      if (simple[e] !== undefined) {
        out.push(simple[e]);
        continue;
      }
      if (e !== 117) this.fail('value', 'invalid escape code', start);
      let cp = this.hex4(start);
      if (cp >= 0xd800 && cp <= 0xdbff && s[this.pos] === 92 && s[this.pos + 1] === 117) {
        this.pos += 2;
        const lo = this.hex4(start);
        if (lo >= 0xdc00 && lo <= 0xdfff) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        else this.fail('value', 'invalid unicode escape code', start);
      } else if (cp >= 0xd800 && cp <= 0xdfff) this.fail('value', 'invalid unicode escape code', start);
      out.push(...Buffer.from(String.fromCodePoint(cp)));
    }
    return Buffer.from(out);
  }

  private hex4(start: number): number {
    const h = this.s.latin1Slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('value', 'invalid unicode escape code', start);
    this.pos += 4;
    return parseInt(h, 16);
  }

  end(): void {
    const n = this.peekName();
    if (n !== 'T_END') this.fail('the end', n, this.pos);
  }
}

export function installCjson(vm: ScriptVm, t: number): void {
  const { m, lua } = vm;
  lua.setFunction(vm.L, t, 'encode', (L) => {
    if (m._lua_gettop(L) !== 1) raiseWhere(lua, L, "bad argument #1 to 'encode' (expected 1 argument)");
    const out: number[] = [];
    try {
      encodeValue(vm, L, 1, 0, out);
    } catch (e) {
      if (e instanceof EncodeError) raiseWhere(lua, L, e.message);
      throw e;
    }
    lua.pushBuffer(L, Buffer.from(out));
    return 1;
  });
  lua.setFunction(vm.L, t, 'decode', (L) => {
    if (m._lua_gettop(L) !== 1) raiseWhere(lua, L, "bad argument #1 to 'decode' (expected 1 argument)");
    const s = lua.toBuffer(L, 1);
    if (s === null) return raiseWhere(lua, L, `bad argument #1 to 'decode' (string expected, got ${TYPE_NAMES[m._lua_type(L, 1)] ?? 'no value'})`);
    const d = new Decoder(vm, L, s);
    try {
      d.value(0);
      d.end();
    } catch (e) {
      if (e instanceof EncodeError) raiseWhere(lua, L, e.message);
      throw e;
    }
    return 1;
  });
  (m as unknown as { _lua_pushlightuserdata(L: number, p: number): void })._lua_pushlightuserdata(vm.L, 0);
  m._lua_setfield(vm.L, t, lua.cname('null'));
  lua.setStringField(vm.L, t, '_NAME', 'cjson');
  lua.setStringField(vm.L, t, '_VERSION', '2.1.0');
}
