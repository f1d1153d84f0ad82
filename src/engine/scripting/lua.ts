// The Lua 5.1 VM binding: wasmoon-lua5.1 (Lua 5.1.5 compiled to WebAssembly), driven through its raw
// C API only. Values cross with explicit lengths (lua_pushlstring / lua_tolstring) so every byte 0-255
// and NULs survive; the package's convenience layer (UTF-8 strings, JS object mapping) is not used.
// The module is imported on first use (loadLua), so nodes that never script don't pay for it.

/** The emscripten module's raw exports we use (names as the package exports them). */
export interface LuaModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  HEAPF64: Float64Array;
  _malloc(n: number): number;
  _free(p: number): void;
  addFunction(fn: (...args: number[]) => number | void, sig: string): number;
  _luaL_newstate(): number;
  _luaL_openlibs(L: number): void;
  _luaL_loadbuffer(L: number, buf: number, len: number, name: number): number;
  _luaL_ref(L: number, t: number): number;
  _luaL_unref(L: number, t: number, ref: number): void;
  _lua_close(L: number): void;
  _lua_gettop(L: number): number;
  _lua_settop(L: number, idx: number): void;
  _lua_pushvalue(L: number, idx: number): void;
  _lua_remove(L: number, idx: number): void;
  _lua_insert(L: number, idx: number): void;
  _lua_type(L: number, idx: number): number;
  _lua_tonumber(L: number, idx: number): number;
  _lua_toboolean(L: number, idx: number): number;
  _lua_tolstring(L: number, idx: number, lenPtr: number): number;
  _lua_objlen(L: number, idx: number): number;
  _lua_pushnil(L: number): void;
  _lua_pushnumber(L: number, n: number): void;
  _lua_pushboolean(L: number, b: number): void;
  _lua_pushlstring(L: number, s: number, len: number): void;
  _lua_pushcclosure(L: number, fn: number, n: number): void;
  _lua_createtable(L: number, narr: number, nrec: number): void;
  _lua_getfield(L: number, idx: number, k: number): void;
  _lua_setfield(L: number, idx: number, k: number): void;
  _lua_rawget(L: number, idx: number): void;
  _lua_rawset(L: number, idx: number): void;
  _lua_rawgeti(L: number, idx: number, n: number): void;
  _lua_rawseti(L: number, idx: number, n: number): void;
  _lua_next(L: number, idx: number): number;
  _lua_error(L: number): number;
  _lua_pcall(L: number, nargs: number, nres: number, errfunc: number): number;
  _lua_newthread(L: number): number;
  _lua_resume(L: number, nargs: number): number;
  _lua_yield(L: number, nres: number): number;
  _lua_status(L: number): number;
  _lua_xmove(from: number, to: number, n: number): void;
  _lua_sethook(L: number, fn: number, mask: number, count: number): void;
  _lua_gc(L: number, what: number, data: number): number;
  _lua_getmetatable(L: number, idx: number): number;
  _lua_setmetatable(L: number, idx: number): number;
}

export const LUA_REGISTRYINDEX = -10000;
export const LUA_GLOBALSINDEX = -10002;
export const T_NIL = 0;
export const T_BOOLEAN = 1;
export const T_NUMBER = 3;
export const T_STRING = 4;
export const T_TABLE = 5;
export const T_FUNCTION = 6;
export const LUA_YIELD = 1;
export const MASK_LINE = 4;
export const MASK_COUNT = 8;
export const GC_COUNT = 3;
export const GC_COUNTB = 4;

let loading: Promise<LuaModule> | null = null;
let loaded: LuaModule | null = null;

/** Imports and instantiates the WebAssembly VM once (about 10-20 ms); later calls share it. */
export function loadLua(): Promise<LuaModule> {
  loading ??= (async () => {
    // The bundled engine runs as CommonJS compiled by vm.Script, where import() has no loader: there the
    // wrapper's require loads the (CommonJS) VM package; the ES-module build imports it.
    type Pkg = { LuaApi: { initialize(): Promise<{ module: LuaModule }> } };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = (typeof require === 'function' ? require('wasmoon-lua5.1') : await import('wasmoon-lua5.1')) as unknown as Pkg;
    const api = await pkg.LuaApi.initialize();
    loaded = api.module;
    return loaded;
  })();
  return loading;
}

/** The VM module if it was loaded already. */
export function luaIfLoaded(): LuaModule | null {
  return loaded;
}

/** Thin helpers over one lua_State's raw API: binary-safe strings, C strings, host functions. */
export class Lua {
  /** Scratch memory in the wasm heap for strings going in (grown on demand). */
  private scratch = 0;
  private scratchLen = 0;
  private readonly lenPtr: number;
  private readonly names = new Map<string, number>();

  constructor(readonly m: LuaModule, readonly L: number) {
    this.lenPtr = m._malloc(8);
  }

  /** A NUL-terminated copy of an ASCII name, kept for the VM's lifetime (field names, chunk names). */
  cname(s: string): number {
    let p = this.names.get(s);
    if (p === undefined) {
      p = this.m._malloc(s.length + 1);
      const h = this.m.HEAPU8;
      for (let i = 0; i < s.length; i++) h[p + i] = s.charCodeAt(i);
      h[p + s.length] = 0;
      this.names.set(s, p);
    }
    return p;
  }

  private room(n: number): number {
    if (n > this.scratchLen) {
      if (this.scratch) this.m._free(this.scratch);
      this.scratchLen = Math.max(256, n * 2);
      this.scratch = this.m._malloc(this.scratchLen);
    }
    return this.scratch;
  }

  pushBuffer(L: number, b: Uint8Array): void {
    const p = this.room(b.length);
    this.m.HEAPU8.set(b, p);
    this.m._lua_pushlstring(L, p, b.length);
  }

  /** Pushes a latin1 string (one byte per char). */
  pushLatin1(L: number, s: string): void {
    const n = s.length;
    const p = this.room(n);
    const h = this.m.HEAPU8;
    for (let i = 0; i < n; i++) h[p + i] = s.charCodeAt(i);
    this.m._lua_pushlstring(L, p, n);
  }

  /** Pushes a JS string as UTF-8 (messages and names). */
  pushString(L: number, s: string): void {
    this.pushBuffer(L, Buffer.from(s));
  }

  /** The bytes of the string (or number, converted in place as Lua does) at idx; null if neither. */
  toBuffer(L: number, idx: number): Buffer | null {
    const p = this.m._lua_tolstring(L, idx, this.lenPtr);
    if (p === 0) return null;
    const heap = this.heap();
    const n = heap.readUInt32LE(this.lenPtr);
    const out = Buffer.allocUnsafe(n);
    heap.copy(out, 0, p, p + n);
    return out;
  }

  /** The wasm memory as a Buffer (a new view after the memory grew): copies out without a subarray. */
  private heap(): Buffer {
    const h = this.m.HEAPU8;
    if (this.heapView.buffer !== h.buffer) this.heapView = Buffer.from(h.buffer, h.byteOffset, h.byteLength);
    return this.heapView;
  }

  private heapView: Buffer = Buffer.alloc(0);

  /** The value at idx as a latin1 string (tolstring semantics), or null. */
  toLatin1(L: number, idx: number): string | null {
    const p = this.m._lua_tolstring(L, idx, this.lenPtr);
    if (p === 0) return null;
    const n = this.m.HEAPU32[this.lenPtr >> 2];
    return Buffer.from(this.m.HEAPU8.buffer, this.m.HEAPU8.byteOffset + p, n).latin1Slice(0, n);
  }

  /** Compiles a chunk; returns null and leaves the function on the stack, or the error text. */
  load(L: number, code: Uint8Array, chunkName: string): string | null {
    const p = this.m._malloc(code.length || 1);
    this.m.HEAPU8.set(code, p);
    const rc = this.m._luaL_loadbuffer(L, p, code.length, this.cname(chunkName));
    this.m._free(p);
    if (rc === 0) return null;
    const err = this.toBuffer(L, -1)?.toString('latin1') ?? 'unknown error';
    this.m._lua_settop(L, -2);
    return err;
  }

  /** Makes a JS function callable from Lua. It returns its result count or throws LuaRaise. */
  cfunction(fn: (L: number) => number): number {
    return this.m.addFunction((L: number) => {
      let ret: number;
      try {
        ret = fn(L);
      } catch (e) {
        if (e instanceof LuaRaise) {
          // Raised outside the try: lua_error unwinds (a JS throw through this frame to Lua's setjmp).
          ret = -1;
        } else if (e instanceof Error && e.message !== undefined && !(e as { __lua?: boolean }).__lua && !(e instanceof WebAssembly.RuntimeError)) {
          this.pushString(L, e.message);
          ret = -1;
        } else {
          throw e; // a longjmp already in flight from a nested Lua call: let it pass
        }
      }
      if (ret === -1) this.m._lua_error(L);
      return ret;
    }, 'ii');
  }

  /** Sets t[name] = JS function, t at idx (absolute or pseudo index). */
  setFunction(L: number, idx: number, name: string, fn: (L: number) => number): void {
    this.m._lua_pushcclosure(L, this.cfunction(fn), 0);
    this.m._lua_setfield(L, idx < 0 && idx > LUA_REGISTRYINDEX ? idx - 1 : idx, this.cname(name));
  }

  setNumberField(L: number, idx: number, name: string, n: number): void {
    this.m._lua_pushnumber(L, n);
    this.m._lua_setfield(L, idx < 0 && idx > LUA_REGISTRYINDEX ? idx - 1 : idx, this.cname(name));
  }

  setStringField(L: number, idx: number, name: string, s: string): void {
    this.pushString(L, s);
    this.m._lua_setfield(L, idx < 0 && idx > LUA_REGISTRYINDEX ? idx - 1 : idx, this.cname(name));
  }

  getField(L: number, idx: number, name: string): void {
    this.m._lua_getfield(L, idx, this.cname(name));
  }

  /** Raises a Lua error with the value on top of the stack (from inside a cfunction). */
  raise(): never {
    throw new LuaRaise();
  }

  /** Raises a Lua error with a message string (from inside a cfunction). */
  raiseString(L: number, msg: string): never {
    this.pushString(L, msg);
    throw new LuaRaise();
  }
}

/** Thrown inside a host function to make it raise the Lua error on top of the stack. */
export class LuaRaise extends Error {
  constructor() {
    super('lua raise');
  }
}

/** One stack frame as lua_getinfo("Sl") describes it. */
export interface Frame {
  what: string;
  source: string;
  line: number;
}

const AR_SIZE = 100; // sizeof(lua_Debug) on wasm32: 9 ints/pointers, char short_src[60], int i_ci
const AR_WHAT = 12;
const AR_SOURCE = 16;
const AR_LINE = 20;

function cString(h: Uint8Array, p: number): string {
  if (p === 0) return '';
  let e = p;
  while (h[e] !== 0) e++;
  return Buffer.from(h.subarray(p, e)).toString('latin1');
}

/** The frames of a thread (also of one that died in an error: Lua 5.1 keeps its call info). */
export function stackFrames(lua: Lua, L: number, max = 64): Frame[] {
  const m = lua.m as LuaModule & { _lua_getstack(L: number, level: number, ar: number): number; _lua_getinfo(L: number, what: number, ar: number): number };
  const ar = m._malloc(AR_SIZE);
  const out: Frame[] = [];
  try {
    for (let level = 0; level < max && m._lua_getstack(L, level, ar) !== 0; level++) {
      m._lua_getinfo(L, lua.cname('Sl'), ar);
      const h = m.HEAPU8;
      const u32 = m.HEAPU32;
      out.push({ what: cString(h, u32[(ar + AR_WHAT) >> 2]), source: cString(h, u32[(ar + AR_SOURCE) >> 2]), line: (m as unknown as { HEAP32: Int32Array }).HEAP32[(ar + AR_LINE) >> 2] });
    }
  } finally {
    m._free(ar);
  }
  return out;
}

/** luaL_where(L, 1): "user_script:3: " for the Lua code that called the running host function. */
export function where(lua: Lua, L: number): string {
  const f = stackFrames(lua, L, 2)[1];
  if (!f || f.what === 'C' || f.line <= 0) return '';
  const src = f.source.startsWith('@') || f.source.startsWith('=') ? f.source.slice(1) : f.source;
  return `${src}:${f.line}: `;
}

/** Raises "<where>msg" like luaL_error. */
export function raiseWhere(lua: Lua, L: number, msg: string): never {
  return lua.raiseString(L, where(lua, L) + msg);
}

/** C's "%.<p>g". */
export function formatG(n: number, p: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  if (!Number.isFinite(n)) return Number.isNaN(n) ? (Object.is(n, NaN) ? 'nan' : '-nan') : n > 0 ? 'inf' : '-inf';
  let e = n.toExponential(p - 1);
  // JS rounds exact ties away from zero, C (glibc) to even: redo those by hand.
  const long = Math.abs(n).toExponential(Math.min(100, p + 30));
  const digits = long.slice(0, long.indexOf('e')).replace('.', '');
  if (/^50*$/.test(digits.slice(p))) {
    const kept = BigInt(digits.slice(0, p));
    const even = kept % 2n === 0n ? kept : kept + 1n;
    let ds = even.toString();
    let ex = Number(long.slice(long.indexOf('e') + 1));
    if (ds.length > p) {
      ds = ds.slice(0, p);
      ex++;
    }
    e = `${n < 0 ? '-' : ''}${ds[0]}${p > 1 ? '.' + ds.slice(1) : ''}e${ex < 0 ? '-' : '+'}${Math.abs(ex)}`;
  }
  const exp = Number(e.slice(e.indexOf('e') + 1));
  if (exp < -4 || exp >= p) {
    let mant = e.slice(0, e.indexOf('e'));
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mant}e${exp < 0 ? '-' : '+'}${digits}`;
  }
  // Fixed notation from the (correctly rounded) digits of e.
  const sign = e.startsWith('-') ? '-' : '';
  const ds = e.slice(sign.length, e.indexOf('e')).replace('.', '');
  let s: string;
  if (exp >= 0) s = ds.slice(0, exp + 1).padEnd(exp + 1, '0') + (ds.length > exp + 1 ? '.' + ds.slice(exp + 1) : '');
  else s = '0.' + '0'.repeat(-exp - 1) + ds;
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return sign + s;
}
