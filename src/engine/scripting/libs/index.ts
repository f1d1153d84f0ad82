// The host libraries scripts get besides Lua's own: Redis's math.random, cjson, cmsgpack, bit, struct.
import type { ScriptVm } from '../vm.js';
import { LUA_GLOBALSINDEX } from '../lua.js';
import { installRandom } from './random.js';

export function installHostLibs(vm: ScriptVm): void {
  const { m, lua, L } = vm;
  lua.getField(L, LUA_GLOBALSINDEX, 'math');
  installRandom(vm, m._lua_gettop(L));
  m._lua_settop(L, -2);
}
