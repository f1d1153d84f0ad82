// math.random / math.randomseed as Redis's scripts see them: Redis's own lrand48 (48-bit LCG, the
// state shared by every script on the node and never reseeded between scripts), not the C library's.
import type { ScriptVm } from '../vm.js';
import { T_NUMBER, raiseWhere } from '../lua.js';

const A = 0x5deece66dn;
const C = 0xbn;
const MASK = (1n << 48n) - 1n;
const LRAND48_MAX = 2147483647;

let state = 0x1234abcd330en;

function lrand48(): number {
  state = (A * state + C) & MASK;
  return Number(state >> 17n);
}

function srand48(seed: number): void {
  state = ((BigInt.asUintN(32, BigInt(Math.trunc(seed))) << 16n) | 0x330en) & MASK;
}

export function installRandom(vm: ScriptVm, mathIdx: number): void {
  const { m, lua, L } = vm;
  lua.setFunction(L, mathIdx, 'random', (T) => {
    const r = (lrand48() % LRAND48_MAX) / LRAND48_MAX;
    const argc = m._lua_gettop(T);
    if (argc === 0) {
      m._lua_pushnumber(T, r);
      return 1;
    }
    const check = (i: number): number => {
      if (m._lua_type(T, i) !== T_NUMBER && lua.toBuffer(T, i) === null) raiseWhere(lua, T, `bad argument #${i} to 'random' (number expected, got no value)`);
      return Math.trunc(m._lua_tonumber(T, i));
    };
    if (argc === 1) {
      const u = check(1);
      if (u < 1) raiseWhere(lua, T, "bad argument #1 to 'random' (interval is empty)");
      m._lua_pushnumber(T, Math.floor(r * u) + 1);
      return 1;
    }
    if (argc === 2) {
      const l = check(1);
      const u = check(2);
      if (l > u) raiseWhere(lua, T, "bad argument #2 to 'random' (interval is empty)");
      m._lua_pushnumber(T, Math.floor(r * (u - l + 1)) + l);
      return 1;
    }
    return lua.raiseString(T, 'wrong number of arguments');
  });
  lua.setFunction(L, mathIdx, 'randomseed', (T) => {
    srand48(m._lua_tonumber(T, 1));
    return 0;
  });
}
