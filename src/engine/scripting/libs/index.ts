// The host libraries scripts get besides Lua's own: Redis's math.random, cjson, cmsgpack, bit, struct.
import type { ScriptVm } from '../vm.js';
import { LUA_GLOBALSINDEX } from '../lua.js';
import { installRandom } from './random.js';
import { installCjson } from './cjson.js';
import { installCmsgpack } from './cmsgpack.js';
import { installBit } from './bit.js';
import { installStruct } from './struct.js';

export function installHostLibs(vm: ScriptVm): void {
  const { m, lua, L } = vm;
  lua.getField(L, LUA_GLOBALSINDEX, 'math');
  installRandom(vm, m._lua_gettop(L));
  m._lua_settop(L, -2);
  for (const [name, install] of [['cjson', installCjson], ['cmsgpack', installCmsgpack], ['bit', installBit], ['struct', installStruct]] as const) {
    m._lua_createtable(L, 0, 16);
    install(vm, m._lua_gettop(L));
    m._lua_setfield(L, LUA_GLOBALSINDEX, lua.cname(name));
  }
}
