// The script environment's Lua side, run once per VM before any user code: drops what Redis 7.0
// removes (io, os, loadfile, dofile, require, print...), makes the globals and library tables read-only
// with Redis's error texts, and installs Redis 7's pcall (an error table becomes its message).
// User code then sees `_G` as an empty proxy whose reads go to the real globals.

/** Chunk name of this code: error positions skip its frames (they belong to the script's caller). */
export const INTERNAL_CHUNK = '=kvctl_sandbox';

export const SANDBOX_LUA = `
local G = _G
local rawget, rawset, setmetatable, getmetatable, error, type, tostring, select, pairs = rawget, rawset, setmetatable, getmetatable, error, type, tostring, select, pairs
local rawpcall, rawxpcall, coroutine = pcall, xpcall, coroutine
local READONLY = 'Attempt to modify a readonly table'
local getinfo = debug.getinfo
local rawpairs = pairs

for _, name in ipairs({'print', 'dofile', 'loadfile', 'require', 'module', 'getfenv', 'setfenv', 'newproxy', 'io', 'os', 'debug', 'package'}) do
  G[name] = nil
end

-- Redis 7.0's pcall: an error table ({err=...}) reaches the script as its message.
local function fix(ok, ...)
  if ok then return ok, ... end
  local e = ...
  if type(e) == 'table' then
    local m = rawget(e, 'err')
    if type(m) == 'string' then return false, m end
  end
  return false, ...
end
local yieldable = __kvctl_can_yield
G.__kvctl_can_yield = nil
local register_function = __kvctl_register_function
G.__kvctl_register_function = nil
-- A pcall that a busy script may yield through: the protected call runs in a coroutine, and when
-- the host's hook suspended it to serve other clients, we suspend too and resume it afterwards.
local function busy_pcall(f, ...)
  local co = coroutine.create(f)
  local res = { coroutine.resume(co, ...) }
  while coroutine.status(co) == 'suspended' and yieldable() do
    coroutine.yield()
    res = { coroutine.resume(co) }
  end
  if coroutine.status(co) == 'suspended' then
    return false, 'ERR attempt to yield from a script'
  end
  return fix(unpack(res, 1, table.maxn(res)))
end
G.pcall = function(f, ...)
  if type(f) ~= 'function' or getinfo(f, 'S').what == 'C' then return fix(rawpcall(f, ...)) end
  return busy_pcall(f, ...)
end

local protected = {}
local function readonly_proxy(t, name)
  local p = {}
  protected[p] = t
  setmetatable(p, {
    __index = t,
    __newindex = function() error(READONLY, 2) end,
    __metatable = false,
  })
  return p
end
for _, lib in ipairs({'string', 'table', 'math', 'coroutine', 'redis', 'bit', 'cjson', 'cmsgpack', 'struct'}) do
  if rawget(G, lib) ~= nil then rawset(G, lib, readonly_proxy(rawget(G, lib), lib)) end
end
G.rawset = function(t, k, v)
  if protected[t] then error(READONLY, 0) end
  return rawset(t, k, v)
end
G.setmetatable = function(t, mt)
  if protected[t] then error(READONLY, 0) end
  return setmetatable(t, mt)
end
setmetatable(G, {
  __index = function(_, k)
    error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
  end,
})
-- pairs() over a read-only proxy walks the table behind it.
G.pairs = function(t)
  local real = protected[t]
  if real then return rawpairs(real) end
  return rawpairs(t)
end
local proxy = {}
protected[proxy] = G
local proxy_meta = {
  __index = G,
  __newindex = function() error(READONLY, 2) end,
  __metatable = {},
}
setmetatable(proxy, proxy_meta)
rawset(G, '_G', proxy)

-- FUNCTION LOAD runs a library's code with nothing but a reduced redis table (Redis 7.0's library API).
local R = rawget(G, 'redis')
local load_api = { register_function = register_function, log = R.log }
for _, k in ipairs({'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM'}) do load_api[k] = R[k] end
setmetatable(load_api, getmetatable(G))
local LG = { redis = readonly_proxy(load_api, 'redis') }
setmetatable(LG, getmetatable(G))
local proxy_mt = proxy_meta
local function set_load_mode(on)
  rawset(proxy_mt, '__index', on and LG or G)
end
return proxy, G, set_load_mode
`;
