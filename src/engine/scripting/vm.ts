// One Lua VM for the node's scripts and function libraries: created on first use, set up with the
// redis.* API, the host libraries and the sandbox, then reused. Compiled functions live in the Lua
// registry (refs); a script runs in its own coroutine so a busy one can hand control back.
import { Lua, type LuaModule, LUA_GLOBALSINDEX, LUA_REGISTRYINDEX, LUA_YIELD, T_STRING, T_TABLE, GC_COUNT, GC_COUNTB, stackFrames } from './lua.js';
import { SANDBOX_LUA, INTERNAL_CHUNK } from './sandbox.js';
import { installRedisApi } from './api.js';
import { installHostLibs } from './libs/index.js';
import type { RunCtx } from './run-context.js';

/** How a run ended: finished (its return value is on the thread's stack), failed, or suspended. */
export type RunState = { kind: 'ok' } | { kind: 'error'; message: string } | { kind: 'yield' };

export class ScriptVm {
  readonly lua: Lua;
  readonly L: number;
  /** The real globals table (KEYS/ARGV are set there); scripts see a read-only proxy of it. */
  private readonly globalsRef: number;
  /** The sandbox's switch between the scripts' globals and FUNCTION LOAD's library API. */
  private readonly loadModeRef: number;
  private readonly keysNameRef: number;
  private readonly argvNameRef: number;
  /** A coroutine whose script ended normally, ready for the next one (saves a thread per run). */
  private spare: { T: number; threadRef: number } | null = null;
  /** The script currently running (redis.call needs it), null between scripts. */
  current: RunCtx | null = null;
  /** The hook asked for a yield and the current thread may be suspended. */
  yieldRequested = false;
  /** Set by the host while FUNCTION LOAD runs a library's code (register_function works only then). */
  loadingLibrary: ((L: number) => number) | null = null;
  /** While FUNCTION LOAD runs library code: the time it must end by (0 otherwise). */
  loadDeadline = 0;

  constructor(readonly m: LuaModule) {
    this.L = m._luaL_newstate();
    this.lua = new Lua(m, this.L);
    const { lua, L } = this;
    m._luaL_openlibs(L);
    lua.setFunction(L, LUA_GLOBALSINDEX, '__kvctl_can_yield', (T) => {
      m._lua_pushboolean(T, this.yieldRequested && this.canYield(T, 1) ? 1 : 0);
      return 1;
    });
    lua.setFunction(L, LUA_GLOBALSINDEX, '__kvctl_register_function', (T) => {
      if (!this.loadingLibrary) return lua.raiseString(T, 'redis.register_function can only be called on FUNCTION LOAD command');
      return this.loadingLibrary(T);
    });
    installRedisApi(this);
    installHostLibs(this);
    const err = lua.load(L, Buffer.from(SANDBOX_LUA), INTERNAL_CHUNK);
    if (err !== null) throw new Error('Lua sandbox: ' + err);
    if (m._lua_pcall(L, 0, 3, 0) !== 0) throw new Error('Lua sandbox: ' + lua.toLatin1(L, -1));
    // Stack: proxy, G, set_load_mode. Keep G and the switch in the registry, make the proxy the globals.
    this.loadModeRef = m._luaL_ref(L, LUA_REGISTRYINDEX);
    this.globalsRef = m._luaL_ref(L, LUA_REGISTRYINDEX);
    (m as unknown as { _lua_replace(L: number, i: number): void })._lua_replace(L, LUA_GLOBALSINDEX);
    // The names KEYS and ARGV as Lua strings, pushed by ref on every run (no copy, no interning).
    lua.pushLatin1(L, 'KEYS');
    this.keysNameRef = m._luaL_ref(L, LUA_REGISTRYINDEX);
    lua.pushLatin1(L, 'ARGV');
    this.argvNameRef = m._luaL_ref(L, LUA_REGISTRYINDEX);
  }

  /** Compiles code as a function kept in the registry; returns the ref or the compile error. */
  compile(code: Uint8Array, chunkName: string): number | string {
    const err = this.lua.load(this.L, code, chunkName);
    if (err !== null) return err;
    return this.m._luaL_ref(this.L, LUA_REGISTRYINDEX);
  }

  unref(ref: number): void {
    this.m._luaL_unref(this.L, LUA_REGISTRYINDEX, ref);
  }

  /** Library code (FUNCTION LOAD) sees only the reduced redis table while `on`. */
  setLoadMode(on: boolean): void {
    const { m, L } = this;
    m._lua_rawgeti(L, LUA_REGISTRYINDEX, this.loadModeRef);
    m._lua_pushboolean(L, on ? 1 : 0);
    m._lua_pcall(L, 1, 0, 0);
  }

  /** Runs the function on top of L's stack with no arguments (protected); returns null or the error. */
  callProtected(): RunState {
    const { m, L } = this;
    if (m._lua_pcall(L, 0, 0, 0) === 0) return { kind: 'ok' };
    const msg = this.plainErrorMessage(L);
    m._lua_settop(L, -2);
    return { kind: 'error', message: msg };
  }

  /** An error value as Redis's error handler reports it: a table's `err`, or "ERR " + the text. */
  plainErrorMessage(T: number): string {
    const { m, lua } = this;
    if (m._lua_type(T, -1) === T_TABLE) {
      lua.getField(T, -1, 'err');
      const msg = m._lua_type(T, -1) === T_STRING ? (lua.toLatin1(T, -1) as string) : 'ERR unknown error';
      m._lua_settop(T, -2);
      return msg;
    }
    const s = lua.toLatin1(T, -1);
    return 'ERR ' + (s ?? (m._lua_type(T, -1) === 0 ? 'nil' : 'unknown error'));
  }

  /** Sets KEYS and ARGV in the real globals (the proxy would refuse). */
  setKeysArgs(keys: Buffer[], args: Buffer[]): void {
    const { m, L } = this;
    m._lua_rawgeti(L, LUA_REGISTRYINDEX, this.globalsRef);
    this.setList(this.keysNameRef, keys);
    this.setList(this.argvNameRef, args);
    m._lua_settop(L, -2);
  }

  /** globals[name] = a new array of `list` (globals on top of the stack, the name a registry ref). */
  private setList(nameRef: number, list: Buffer[]): void {
    const { m, L, lua } = this;
    m._lua_rawgeti(L, LUA_REGISTRYINDEX, nameRef);
    m._lua_createtable(L, list.length, 0);
    for (let i = 0; i < list.length; i++) {
      lua.pushBuffer(L, list[i]);
      m._lua_rawseti(L, -2, i + 1);
    }
    m._lua_rawset(L, -3);
  }

  /** A new coroutine running the function `ref` with the values pushed by `pushArgs`; anchored by a ref. */
  newThread(ref: number): { T: number; threadRef: number } {
    const { m, L } = this;
    let t = this.spare;
    this.spare = null;
    if (t === null) {
      const T = m._lua_newthread(L);
      t = { T, threadRef: m._luaL_ref(L, LUA_REGISTRYINDEX) };
    }
    m._lua_rawgeti(t.T, LUA_REGISTRYINDEX, ref);
    return t;
  }

  /** Resumes T (nargs values on its stack above the function at first). */
  resume(T: number, nargs: number): RunState {
    const rc = this.m._lua_resume(T, nargs);
    const hookYield = this.yieldRequested;
    this.yieldRequested = false;
    if (rc === 0) return { kind: 'ok' };
    if (rc === LUA_YIELD) {
      // Only the busy hook may suspend a script; a script's own top-level yield is an error, as in Redis.
      if (hookYield) return { kind: 'yield' };
      return { kind: 'error', message: this.withPosition(T, 'ERR attempt to yield across metamethod/C-call boundary') };
    }
    return { kind: 'error', message: this.errorMessage(T) };
  }

  /**
   * Frees a finished thread, or keeps it for the next run when its script returned normally (a
   * Lua 5.1 coroutine back at its base level with an empty stack can start another function).
   */
  dropThread(threadRef: number, T: number, reusable: boolean): void {
    if (reusable && this.spare === null) {
      this.m._lua_settop(T, 0);
      this.spare = { T, threadRef };
      return;
    }
    this.m._luaL_unref(this.L, LUA_REGISTRYINDEX, threadRef);
  }

  /**
   * Redis 7.0's error text for a failed script: an error table's `err`, or "ERR " + the message, then
   * " script: <name>, on <source>:<line>." from the frame that raised it (C and sandbox frames skipped).
   */
  private errorMessage(T: number): string {
    return this.withPosition(T, this.plainErrorMessage(T));
  }

  /** Appends " script: <name>, on <source>:<line>." from the innermost frame of the script's own code. */
  private withPosition(T: number, msg: string): string {
    const frame = stackFrames(this.lua, T).find((f) => f.what !== 'C' && f.source !== INTERNAL_CHUNK);
    const name = this.current?.name ?? '?';
    if (frame && frame.line >= 0) return `${msg} script: ${name}, on ${frame.source}:${frame.line}.`;
    return msg;
  }

  /** Whether thread T can be suspended now: no C function (table.sort, gsub...) on its stack. */
  canYield(T: number, skip = 0): boolean {
    const frames = stackFrames(this.lua, T);
    for (let i = skip; i < frames.length; i++) if (frames[i].what === 'C') return false;
    return true;
  }

  /** Bytes the VM holds (INFO used_memory_lua). */
  memory(): number {
    return this.m._lua_gc(this.L, GC_COUNT, 0) * 1024 + this.m._lua_gc(this.L, GC_COUNTB, 0);
  }

  /** A full collection (after SCRIPT FLUSH / FUNCTION FLUSH). */
  collect(): void {
    this.m._lua_gc(this.L, 2, 0);
  }
}
