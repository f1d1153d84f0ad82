// struct (Roberto Ierusalimschy's library, as Redis bundles it): pack / unpack / size of binary
// records described by a format: < > = ! endianness and alignment, x padding, b B h H l L T i[n] I[n]
// integers, f d floats, s zero-terminated strings, c[n] fixed strings (c0: length from the previous value).
import type { ScriptVm } from '../vm.js';
import { T_NUMBER, raiseWhere } from '../lua.js';

const MAXINTSIZE = 32;
const MAXALIGN = 8;

interface Opt {
  kind: string;
  size: number;
}

class Fmt {
  pos = 0;
  little = true;
  align = 1;
  constructor(readonly s: string, private readonly fail: (msg: string) => never) {}

  private num(def: number): number {
    if (!/[0-9]/.test(this.s[this.pos] ?? '')) return def;
    let n = 0;
    while (/[0-9]/.test(this.s[this.pos] ?? '')) n = n * 10 + Number(this.s[this.pos++]);
    return n;
  }

  /** The next data option, or null at the end (endianness and alignment options are applied here). */
  next(): Opt | null {
    while (this.pos < this.s.length) {
      const c = this.s[this.pos++];
      switch (c) {
        case 'b': case 'B': return { kind: c, size: 1 };
        case 'h': case 'H': return { kind: c, size: 2 };
        case 'l': case 'L': case 'T': return { kind: c, size: 8 };
        case 'f': return { kind: c, size: 4 };
        case 'd': return { kind: c, size: 8 };
        case 'x': return { kind: c, size: 1 };
        case 's': return { kind: c, size: 0 };
        case 'c': return { kind: c, size: this.num(1) };
        case 'i': case 'I': {
          const n = this.num(4);
          if (n > MAXINTSIZE) this.fail(`integral size ${n} is larger than limit of ${MAXINTSIZE}`);
          return { kind: c, size: n };
        }
        case ' ': break;
        case '>': this.little = false; break;
        case '<': case '=': this.little = true; break;
        case '!': {
          const a = this.num(MAXALIGN);
          if (a & (a - 1)) this.fail('alignment ' + a + ' is not a power of 2');
          this.align = a;
          break;
        }
        default: this.fail(`invalid format option '${c}'`);
      }
    }
    return null;
  }

  /** Padding before an option of this size at offset `len` (only with '!'). */
  pad(opt: Opt, len: number): number {
    if (opt.kind === 'c' || opt.kind === 's' || opt.kind === 'x') return 0;
    let a = opt.size;
    if (a <= 1) return 0;
    if (a > this.align) a = this.align;
    if (a & (a - 1)) this.fail('alignment ' + a + ' is not a power of 2');
    return (a - (len & (a - 1))) & (a - 1);
  }
}

function putInt(n: number, size: number, little: boolean, out: number[]): void {
  let v = BigInt.asUintN(size * 8, BigInt(Math.trunc(n)));
  const bytes: number[] = [];
  for (let i = 0; i < size; i++) {
    bytes.push(Number(v & 0xffn));
    v >>= 8n;
  }
  out.push(...(little ? bytes : bytes.reverse()));
}

function getInt(b: Buffer, pos: number, size: number, little: boolean, signed: boolean): number {
  let v = 0n;
  for (let i = 0; i < size; i++) {
    const byte = b[little ? pos + size - 1 - i : pos + i];
    v = (v << 8n) | BigInt(byte);
  }
  return Number(signed ? BigInt.asIntN(size * 8, v) : v);
}

export function installStruct(vm: ScriptVm, t: number): void {
  const { m, lua } = vm;
  const fmtOf = (L: number, fname: string) => {
    const f = lua.toBuffer(L, 1);
    if (f === null) return raiseWhere(lua, L, `bad argument #1 to '${fname}' (string expected, got no value)`);
    return new Fmt(f.toString('latin1'), (msg) => raiseWhere(lua, L, `bad argument #1 to '${fname}' (${msg})`));
  };
  lua.setFunction(vm.L, t, 'pack', (L) => {
    const f = fmtOf(L, 'pack');
    const out: number[] = [];
    let arg = 2;
    for (let opt = f.next(); opt; opt = f.next()) {
      for (let p = f.pad(opt, out.length); p > 0; p--) out.push(0);
      switch (opt.kind) {
        case 'x':
          out.push(0);
          break;
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
          if (m._lua_type(L, arg) !== T_NUMBER && lua.toBuffer(L, arg) === null) raiseWhere(lua, L, `bad argument #${arg} to 'pack' (number expected, got no value)`);
          putInt(m._lua_tonumber(L, arg++), opt.size, f.little, out);
          break;
        }
        case 'f': case 'd': {
          const b = Buffer.allocUnsafe(opt.size);
          const n = m._lua_tonumber(L, arg++);
          if (opt.kind === 'f') {
            if (f.little) b.writeFloatLE(n);
            else b.writeFloatBE(n);
          } else if (f.little) b.writeDoubleLE(n);
          else b.writeDoubleBE(n);
          out.push(...b);
          break;
        }
        case 'c': case 's': {
          const s = lua.toBuffer(L, arg);
          if (s === null) return raiseWhere(lua, L, `bad argument #${arg} to 'pack' (string expected, got no value)`);
          let size = opt.size;
          if (opt.kind === 's' || size === 0) size = s.length;
          if (s.length < size) raiseWhere(lua, L, `bad argument #${arg} to 'pack' (string too short)`);
          out.push(...s.subarray(0, size));
          if (opt.kind === 's') out.push(0);
          arg++;
          break;
        }
      }
    }
    lua.pushBuffer(L, Buffer.from(out));
    return 1;
  });
  lua.setFunction(vm.L, t, 'unpack', (L) => {
    const f = fmtOf(L, 'unpack');
    const data = lua.toBuffer(L, 2);
    if (data === null) return raiseWhere(lua, L, "bad argument #2 to 'unpack' (string expected, got no value)");
    let pos = m._lua_gettop(L) >= 3 ? Math.trunc(m._lua_tonumber(L, 3)) - 1 : 0;
    if (pos < 0) raiseWhere(lua, L, "bad argument #3 to 'unpack' (offset must be 1 or greater)");
    let n = 0;
    for (let opt = f.next(); opt; opt = f.next()) {
      pos += f.pad(opt, pos);
      if (opt.kind !== 's' && pos + opt.size > data.length) raiseWhere(lua, L, "bad argument #2 to 'unpack' (data string too short)");
      switch (opt.kind) {
        case 'x':
          pos += 1;
          continue;
        case 'b': case 'h': case 'l': case 'i':
          m._lua_pushnumber(L, getInt(data, pos, opt.size, f.little, true));
          break;
        case 'B': case 'H': case 'L': case 'T': case 'I':
          m._lua_pushnumber(L, getInt(data, pos, opt.size, f.little, false));
          break;
        case 'f':
          m._lua_pushnumber(L, f.little ? data.readFloatLE(pos) : data.readFloatBE(pos));
          break;
        case 'd':
          m._lua_pushnumber(L, f.little ? data.readDoubleLE(pos) : data.readDoubleBE(pos));
          break;
        case 'c': {
          let size = opt.size;
          if (size === 0) {
            if (n === 0 || m._lua_type(L, -1) !== T_NUMBER) lua.raiseString(L, "format 'c0' needs a previous size");
            size = m._lua_tonumber(L, -1);
            m._lua_settop(L, -2);
            n--;
            if (pos + size > data.length) raiseWhere(lua, L, "bad argument #2 to 'unpack' (data string too short)");
          }
          lua.pushBuffer(L, data.subarray(pos, pos + size));
          pos += size;
          n++;
          continue;
        }
        case 's': {
          const e = data.indexOf(0, pos);
          if (e < 0) lua.raiseString(L, 'unfinished string in data');
          lua.pushBuffer(L, data.subarray(pos, e));
          pos = e + 1;
          n++;
          continue;
        }
      }
      pos += opt.size;
      n++;
    }
    m._lua_pushnumber(L, pos + 1);
    return n + 1;
  });
  lua.setFunction(vm.L, t, 'size', (L) => {
    const f = fmtOf(L, 'size');
    let size = 0;
    for (let opt = f.next(); opt; opt = f.next()) {
      if (opt.kind === 's') raiseWhere(lua, L, "bad argument #1 to 'size' (option 's' has no fixed size)");
      size += f.pad(opt, size) + opt.size;
    }
    m._lua_pushnumber(L, size);
    return 1;
  });
}
