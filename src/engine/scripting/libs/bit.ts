// bit (LuaBitOp 1.0.2, as Redis bundles it): 32-bit operations on Lua numbers. Arguments are
// normalized like LuaBitOp's tobit: rounded to the nearest integer (ties to even) and wrapped modulo 2^32.
import type { ScriptVm } from '../vm.js';
import { T_NUMBER, raiseWhere } from '../lua.js';

function tobit(n: number): number {
  if (!Number.isFinite(n)) return 0;
  // The 2^52 + 2^51 trick LuaBitOp uses rounds half to even.
  let r = Math.round(n);
  if (Math.abs(n % 1) === 0.5 && r % 2 !== 0) r -= 1;
  return Number(BigInt.asIntN(32, BigInt(r)));
}

export function installBit(vm: ScriptVm, t: number): void {
  const { m, lua } = vm;
  const arg = (L: number, i: number, fn: string): number => {
    if (m._lua_type(L, i) !== T_NUMBER) {
      const b = lua.toBuffer(L, i);
      const n = b === null ? NaN : Number(b.toString('latin1').trim());
      if (Number.isNaN(n)) raiseWhere(lua, L, `bad argument #${i} to '${fn}' (number expected, got ${b === null ? 'no value' : 'string'})`);
      return tobit(n);
    }
    return tobit(m._lua_tonumber(L, i));
  };
  const def = (name: string, f: (L: number) => number) =>
    lua.setFunction(vm.L, t, name, (L) => {
      m._lua_pushnumber(L, f(L));
      return 1;
    });
  const fold = (name: string, op: (a: number, b: number) => number) =>
    def(name, (L) => {
      let r = arg(L, 1, name);
      for (let i = 2, n = m._lua_gettop(L); i <= n; i++) r = op(r, arg(L, i, name));
      return r | 0;
    });
  def('tobit', (L) => arg(L, 1, 'tobit'));
  def('bnot', (L) => ~arg(L, 1, 'bnot'));
  fold('band', (a, b) => a & b);
  fold('bor', (a, b) => a | b);
  fold('bxor', (a, b) => a ^ b);
  def('lshift', (L) => arg(L, 1, 'lshift') << (arg(L, 2, 'lshift') & 31));
  def('rshift', (L) => (arg(L, 1, 'rshift') >>> (arg(L, 2, 'rshift') & 31)) | 0);
  def('arshift', (L) => arg(L, 1, 'arshift') >> (arg(L, 2, 'arshift') & 31));
  def('rol', (L) => {
    const x = arg(L, 1, 'rol');
    const n = arg(L, 2, 'rol') & 31;
    return ((x << n) | (x >>> (32 - n))) | 0;
  });
  def('ror', (L) => {
    const x = arg(L, 1, 'ror');
    const n = arg(L, 2, 'ror') & 31;
    return ((x >>> n) | (x << (32 - n))) | 0;
  });
  def('bswap', (L) => {
    const x = arg(L, 1, 'bswap');
    return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) | 0;
  });
  lua.setFunction(vm.L, t, 'tohex', (L) => {
    const x = arg(L, 1, 'tohex');
    let n = m._lua_gettop(L) >= 2 ? arg(L, 2, 'tohex') : 8;
    let upper = false;
    if (n < 0) {
      n = -n;
      upper = true;
    }
    if (n > 8) n = 8;
    let s = (x >>> 0).toString(16).padStart(8, '0').slice(8 - n);
    if (upper) s = s.toUpperCase();
    lua.pushLatin1(L, s);
    return 1;
  });
}
