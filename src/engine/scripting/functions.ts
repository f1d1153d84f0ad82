// FUNCTION libraries: parsing a library's `#!lua name=<lib>` metadata, running its code once with the
// library API (redis.register_function) to collect its functions, and the registry FCALL looks in.
// Libraries that arrive before the VM exists (an RDB loaded at start-up or by a full sync) are kept as
// code and compiled when the VM is created (the first FCALL / FUNCTION command loads it).
import type { ScriptVm } from './vm.js';
import { LUA_REGISTRYINDEX, T_FUNCTION, T_NUMBER, T_STRING, T_TABLE } from './lua.js';
import { flagByName } from './flags.js';

export interface LuaFunction {
  name: string;
  ref: number;
  flags: number;
  description: string | null;
  library: Library;
}

export interface Library {
  name: string;
  code: Buffer;
  functions: Map<string, LuaFunction>;
}

const NAME_RE = /^[A-Za-z0-9_]+$/;
const BAD_NAME = 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';

/** The library name from the code's first line, or the error (without "ERR "). */
export function libraryName(code: Buffer): string | { error: string } {
  if (code.length < 2 || code[0] !== 0x23 || code[1] !== 0x21) return { error: 'Missing library metadata' };
  let end = code.indexOf(10);
  if (end < 0) end = code.length;
  const parts = code.latin1Slice(2, end).split(' ').filter((p) => p !== '');
  const engine = parts[0] ?? '';
  if (engine.toLowerCase() !== 'lua') return { error: `Engine '${engine}' not found` };
  let name: string | null = null;
  for (const p of parts.slice(1)) {
    if (p.startsWith('name=')) name = p.slice(5);
    else return { error: `Invalid metadata value given: ${p}` };
  }
  if (name === null) return { error: 'Library name was not given' };
  if (!NAME_RE.test(name)) return { error: BAD_NAME };
  return name;
}

class RegisterError extends Error {}

/** redis.register_function(name, callback) / register_function{function_name=, callback=, flags=, description=}. */
function registerFunction(vm: ScriptVm, L: number, lib: Library): number {
  const { m, lua } = vm;
  const fail = (msg: string): never => {
    throw new RegisterError(msg);
  };
  let name: string | null = null;
  let flags = 0;
  let description: string | null = null;
  let callbackRef = -1;
  const takeCallback = (idx: number) => {
    m._lua_pushvalue(L, idx);
    callbackRef = m._luaL_ref(L, LUA_REGISTRYINDEX);
  };
  const argc = m._lua_gettop(L);
  if (argc === 1 && m._lua_type(L, 1) === T_TABLE) {
    m._lua_pushnil(L);
    while (m._lua_next(L, 1) !== 0) {
      const key = m._lua_type(L, -2) === T_STRING ? lua.toLatin1(L, -2) : null;
      if (key === 'function_name') {
        if (m._lua_type(L, -1) !== T_STRING) fail('function_name argument given to redis.register_function must be a string');
        name = lua.toLatin1(L, -1);
      } else if (key === 'description') {
        if (m._lua_type(L, -1) !== T_STRING) fail('description argument given to redis.register_function must be a string');
        description = lua.toLatin1(L, -1);
      } else if (key === 'callback') {
        if (m._lua_type(L, -1) !== T_FUNCTION) fail('callback argument given to redis.register_function must be a function');
        takeCallback(-1);
      } else if (key === 'flags') {
        if (m._lua_type(L, -1) !== T_TABLE) fail('flags argument to redis.register_function must be a table representing function flags');
        const ft = m._lua_gettop(L);
        for (let i = 1; ; i++) {
          m._lua_rawgeti(L, ft, i);
          if (m._lua_type(L, -1) === 0) {
            m._lua_settop(L, -2);
            break;
          }
          const f = m._lua_type(L, -1) === T_STRING ? flagByName(lua.toLatin1(L, -1) as string) : undefined;
          if (f === undefined) fail('unknown flag given');
          flags |= f as number;
          m._lua_settop(L, -2);
        }
      } else fail('unknown argument given to redis.register_function');
      m._lua_settop(L, -2);
    }
    if (name === null) fail('redis.register_function must get a function name argument');
    if (callbackRef === -1) fail('redis.register_function must get a callback argument');
  } else if (argc === 2) {
    if (m._lua_type(L, 1) !== T_STRING && m._lua_type(L, 1) !== T_NUMBER) fail('first argument to redis.register_function must be a string');
    if (m._lua_type(L, 2) !== T_FUNCTION) fail('second argument to redis.register_function must be a function');
    name = lua.toLatin1(L, 1);
    takeCallback(2);
  } else fail('wrong number of arguments to redis.register_function');
  const fname = name as string;
  if (!NAME_RE.test(fname)) fail(BAD_NAME);
  if (lib.functions.has(fname)) fail('Function already exists in the library');
  lib.functions.set(fname, { name: fname, ref: callbackRef, flags, description, library: lib });
  return 0;
}

/** Runs a library's code and collects its functions; returns the library or the error reply. */
export function compileLibrary(vm: ScriptVm, name: string, code: Buffer): Library | string {
  const lib: Library = { name, code, functions: new Map() };
  // The shebang line becomes a comment so line numbers stay those of the code.
  const body = Buffer.concat([Buffer.from('--'), code.subarray(2)]);
  const fn = vm.compile(body, '@user_function');
  if (typeof fn === 'string') return `ERR Error compiling function: ${fn}`;
  const { m, lua, L } = vm;
  m._lua_rawgeti(L, LUA_REGISTRYINDEX, fn);
  vm.unref(fn);
  vm.loadingLibrary = (T) => {
    try {
      return registerFunction(vm, T, lib);
    } catch (e) {
      if (!(e instanceof RegisterError)) throw e;
      m._lua_createtable(T, 0, 1);
      lua.pushString(T, 'ERR ' + e.message);
      m._lua_setfield(T, -2, lua.cname('err'));
      return lua.raise();
    }
  };
  vm.setLoadMode(true);
  vm.loadDeadline = Date.now() + 500;
  let state;
  try {
    state = vm.callProtected();
  } finally {
    vm.setLoadMode(false);
    vm.loadingLibrary = null;
    vm.loadDeadline = 0;
  }
  if (state.kind === 'error') {
    dropLibrary(vm, lib);
    return `ERR Error registering functions: ${state.message}`;
  }
  if (lib.functions.size === 0) return 'ERR No functions registered';
  return lib;
}

export function dropLibrary(vm: ScriptVm | null, lib: Library): void {
  if (vm) for (const f of lib.functions.values()) vm.unref(f.ref);
}

/** Every library and function of the node. */
/** Redis's function dict compares names case-insensitively (ASCII only, as strcasecmp). */
export function functionKey(name: string): string {
  return name.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

export class FunctionRegistry {
  readonly libraries = new Map<string, Library>();
  /** Every library's functions by functionKey(name): FCALL f1 finds F1 as in Redis. */
  readonly functions = new Map<string, LuaFunction>();
  /** Library codes waiting for the VM (loaded from an RDB before any scripting command). */
  pending: Buffer[] = [];

  /** Adds a compiled library (replacing one of the same name); returns an error reply on a clash. */
  add(vm: ScriptVm | null, lib: Library, replace: boolean): string | null {
    const old = this.libraries.get(lib.name);
    if (old && !replace) return `ERR Library '${lib.name}' already exists`;
    for (const f of lib.functions.keys()) {
      const other = this.functions.get(functionKey(f));
      if (other && other.library.name !== lib.name) return `ERR Function ${f} already exists`;
    }
    if (old) this.remove(vm, old.name);
    this.libraries.set(lib.name, lib);
    for (const f of lib.functions.values()) this.functions.set(functionKey(f.name), f);
    return null;
  }

  remove(vm: ScriptVm | null, name: string): boolean {
    const lib = this.libraries.get(name);
    if (!lib) return false;
    for (const f of lib.functions.keys()) this.functions.delete(functionKey(f));
    this.libraries.delete(name);
    dropLibrary(vm, lib);
    return true;
  }

  flush(vm: ScriptVm | null): void {
    for (const name of [...this.libraries.keys()]) this.remove(vm, name);
    this.pending = [];
  }

  /** Library codes as FUNCTION DUMP and the RDB carry them (pending ones included). */
  codes(): Buffer[] {
    return [...[...this.libraries.values()].map((l) => l.code), ...this.pending];
  }

  /** Bytes of library code (INFO used_memory_functions). */
  get codeBytes(): number {
    let n = 0;
    for (const c of this.codes()) n += c.length;
    return n;
  }
}

/** Compiles and adds one library from its code (FUNCTION LOAD, RESTORE, RDB load). */
export function loadLibrary(vm: ScriptVm, reg: FunctionRegistry, code: Buffer, replace: boolean): Library | string {
  const name = libraryName(code);
  if (typeof name !== 'string') return 'ERR ' + name.error;
  if (!replace && reg.libraries.has(name)) return `ERR Library '${name}' already exists`;
  const lib = compileLibrary(vm, name, code);
  if (typeof lib === 'string') return lib;
  const err = reg.add(vm, lib, replace);
  if (err !== null) {
    dropLibrary(vm, lib);
    return err;
  }
  return lib;
}
