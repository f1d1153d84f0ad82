// The `redis` table scripts see: call / pcall (commands run through dispatch.call on the script's
// client, with Redis 7.0's script checks first), error_reply, status_reply, sha1hex, log, setresp,
// set_repl, replicate_commands, the LOG_* / REPL_* constants and the version fields.
import { aclAllows, aclCheckAs, scriptNoPermMessage } from '../acl/check.js';
import { createHash } from '../util/crypto.cjs';
import { LUA_GLOBALSINDEX, T_NUMBER, T_STRING } from './lua.js';
import type { ScriptVm } from './vm.js';
import { numberArg, pushReply } from './convert.js';
import { REPL_ALL, REPL_AOF, REPL_NONE, REPL_REPLICA, type RunCtx } from './run-context.js';
import { F_ALLOW_OOM, F_EVAL_COMPAT } from './flags.js';
import type { Command } from '../commands/table.js';
import type { PropagationTarget } from '../server.js';
import { clusterOf } from '../cluster/cluster.js';
import { scriptClusterCheck } from './cluster-check.js';
import { REDIS_COMPAT_VERSION } from '../version.js';

/** Pushes {err=msg}; raises it (redis.call) or returns it as the one result (redis.pcall). */
function errorResult(vm: ScriptVm, L: number, msg: string, raise: boolean): number {
  const { m, lua } = vm;
  m._lua_settop(L, 0);
  m._lua_createtable(L, 0, 1);
  lua.pushLatin1(L, msg); // engine error texts are byte strings (a user's bytes stay as sent)
  m._lua_setfield(L, -2, lua.cname('err'));
  if (raise) lua.raise();
  return 1;
}

/** Redis's error-reply parsing of "-CODE msg" strings: the error code defaults to ERR. */
function errorWithCode(s: string): string {
  if (!s.startsWith('-')) return s.includes(' ') ? s : 'ERR ' + s;
  const body = s.slice(1);
  const sp = body.indexOf(' ');
  return sp < 0 ? 'ERR ' + body : body;
}

/** The checks Redis 7.0's scriptCall makes before a command runs inside a script; null = go on. */
function scriptCheck(ctx: RunCtx, cmd: Command, argv: Buffer[]): string | null {
  if (cmd.flags.has('noscript') && !ctx.srv.scriptDenyDisabled) return 'ERR This Redis command is not allowed from script';
  const srv = ctx.srv;
  // ACLs: the script runs as its caller (acl/check.ts logs refusals with context lua).
  const denied = aclCheckAs(srv, ctx.caller, cmd, argv, 'lua', ctx.isFunction ? 'fcall' : 'eval');
  if (denied !== null) return 'ERR ' + scriptNoPermMessage(denied);
  if (cmd.isWrite) {
    if (ctx.readOnly) return 'ERR Write commands are not allowed from read-only scripts.';
    // READONLY replica, MISCONF, NOREPLICAS: the dispatch guards' verdict on this command.
    for (const g of srv.dispatch.guards) {
      if (g.order <= 20 || g.order > 50) continue;
      const err = g.guard(ctx.fake, cmd, argv);
      if (err !== null) return err;
    }
  }
  if (cmd.denyOom && !ctx.wrote && !ctx.oomChecked && (ctx.flags & F_ALLOW_OOM) === 0 && (ctx.flags & F_EVAL_COMPAT) !== 0) {
    ctx.oomChecked = true;
    const oom = srv.dispatch.guards.find((g) => g.name === 'oom');
    const err = oom ? oom.guard(ctx.fake, cmd, argv) : null;
    if (err !== null) return err;
  }
  if (cmd.isWrite) ctx.wrote = true;
  const cl = clusterOf(srv);
  if (cl && !ctx.caller.isMaster && ctx.caller.socket) return scriptClusterCheck(cl, ctx, cmd, argv);
  return null;
}

function redisCall(vm: ScriptVm, L: number, raise: boolean): number {
  const { m, lua } = vm;
  const ctx = vm.current;
  if (!ctx) return errorResult(vm, L, 'ERR redis.call is not allowed from this context', true);
  const argc = m._lua_gettop(L);
  if (argc === 0) return errorResult(vm, L, 'ERR Please specify at least one argument for this redis lib call', raise);
  const argv: Buffer[] = new Array(argc);
  for (let i = 1; i <= argc; i++) {
    const t = m._lua_type(L, i);
    if (t === T_STRING) argv[i - 1] = lua.toBuffer(L, i) as Buffer;
    else if (t === T_NUMBER) argv[i - 1] = Buffer.from(numberArg(m._lua_tonumber(L, i)), 'latin1');
    else return errorResult(vm, L, 'ERR Lua redis lib command arguments must be strings or integers', raise);
  }
  const srv = ctx.srv;
  const resolved = srv.dispatch.resolve(argv);
  if (typeof resolved === 'string') {
    const arity = resolved.startsWith('ERR wrong number of arguments');
    return errorResult(vm, L, arity ? 'ERR Wrong number of args calling Redis command from script' : 'ERR Unknown Redis command called from script', raise);
  }
  const refused = scriptCheck(ctx, resolved, argv);
  if (refused !== null) return errorResult(vm, L, errorWithCode(refused), raise);
  const fake = ctx.fake;
  fake.reply.resp = ctx.resp;
  const restore = ctx.repl === REPL_ALL ? null : redirectPropagation(ctx);
  try {
    srv.dispatch.call(fake, resolved, argv);
  } finally {
    if (restore) restore();
  }
  const parts: Buffer[] = [];
  fake.reply.flush((d) => void parts.push(typeof d === 'string' ? Buffer.from(d, 'latin1') : d));
  const out = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  m._lua_settop(L, 0);
  if (out.length === 0) {
    m._lua_pushnil(L);
    return 1;
  }
  pushReply(lua, L, out, 0);
  if (raise && out[0] === 45) lua.raise(); // '-': redis.call raises the {err=...} table
  return 1;
}

/** Sinks as REPL_* bits, and back: a write reaches the sinks both its command and the script allow. */
const TARGET_BITS: Record<PropagationTarget, number> = { all: REPL_ALL, replicas: REPL_REPLICA, aof: REPL_AOF };
const BITS_TARGET: (PropagationTarget | null)[] = [null, 'aof', 'replicas', 'all'];

/** redis.set_repl(REPL_NONE / REPL_REPLICA / REPL_AOF): filters the next writes' propagation. */
function redirectPropagation(ctx: RunCtx): () => void {
  const srv = ctx.srv;
  const orig = srv.propagate;
  const mode = ctx.repl;
  srv.propagate = function (dbId, argv, fromMaster, target = 'all') {
    const to = BITS_TARGET[TARGET_BITS[target] & mode];
    if (to) orig.call(srv, dbId, argv, fromMaster, to);
  };
  return () => {
    srv.propagate = orig;
  };
}

const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;

export function installRedisApi(vm: ScriptVm): void {
  const { m, lua, L } = vm;
  m._lua_createtable(L, 0, 32);
  const t = -1;
  lua.setFunction(L, t, 'call', (T) => redisCall(vm, T, true));
  lua.setFunction(L, t, 'pcall', (T) => redisCall(vm, T, false));
  lua.setFunction(L, t, 'error_reply', (T) => {
    if (m._lua_gettop(T) !== 1 || m._lua_type(T, 1) !== T_STRING) return errorResult(vm, T, 'ERR wrong number or type of arguments', false);
    return errorResult(vm, T, errorWithCode((lua.toLatin1(T, 1) as string).startsWith('-') ? (lua.toLatin1(T, 1) as string) : '-' + (lua.toLatin1(T, 1) as string)), false);
  });
  lua.setFunction(L, t, 'status_reply', (T) => {
    if (m._lua_gettop(T) !== 1 || m._lua_type(T, 1) !== T_STRING) return errorResult(vm, T, 'ERR wrong number or type of arguments', false);
    const s = lua.toBuffer(T, 1) as Buffer;
    m._lua_settop(T, 0);
    m._lua_createtable(T, 0, 1);
    lua.pushBuffer(T, s);
    m._lua_setfield(T, -2, lua.cname('ok'));
    return 1;
  });
  lua.setFunction(L, t, 'sha1hex', (T) => {
    if (m._lua_gettop(T) !== 1) lua.raiseString(T, 'wrong number of arguments');
    const s = lua.toBuffer(T, 1) ?? Buffer.alloc(0);
    lua.pushLatin1(T, createHash('sha1').update(s).digest('hex'));
    return 1;
  });
  lua.setFunction(L, t, 'log', (T) => {
    const argc = m._lua_gettop(T);
    if (argc < 2) lua.raiseString(T, 'redis.log() requires two arguments or more.');
    if (m._lua_type(T, 1) !== T_NUMBER) lua.raiseString(T, 'First argument must be a number (log level).');
    const level = m._lua_tonumber(T, 1);
    if (!Number.isInteger(level) || level < 0 || level > 3) lua.raiseString(T, 'Invalid debug level.');
    const words: string[] = [];
    for (let i = 2; i <= argc; i++) {
      const b = lua.toBuffer(T, i);
      if (b) words.push(b.toString('latin1'));
    }
    const srv = vm.current?.srv ?? vmServer;
    srv?.log[LOG_LEVELS[level]](words.join(' '));
    return 0;
  });
  lua.setFunction(L, t, 'setresp', (T) => {
    if (m._lua_gettop(T) !== 1) lua.raiseString(T, 'redis.setresp() requires one argument.');
    const v = m._lua_tonumber(T, 1);
    if (v !== 2 && v !== 3) lua.raiseString(T, 'RESP version must be 2 or 3.');
    if (vm.current) vm.current.resp = v === 3 ? 3 : 2;
    return 0;
  });
  lua.setFunction(L, t, 'set_repl', (T) => {
    if (m._lua_gettop(T) !== 1) lua.raiseString(T, 'redis.set_repl() requires one argument.');
    const v = m._lua_tonumber(T, 1);
    if (!Number.isInteger(v) || (v & ~REPL_ALL) !== 0) lua.raiseString(T, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
    if (vm.current) vm.current.repl = v;
    return 0;
  });
  lua.setFunction(L, t, 'replicate_commands', (T) => {
    m._lua_pushboolean(T, 1);
    return 1;
  });
  // The script debugger (SCRIPT DEBUG) is not supported: these are no-ops outside it, as in Redis.
  lua.setFunction(L, t, 'breakpoint', (T) => {
    m._lua_pushboolean(T, 0);
    return 1;
  });
  lua.setFunction(L, t, 'debug', () => 0);
  lua.setFunction(L, t, 'acl_check_cmd', (T) => {
    const argc = m._lua_gettop(T);
    if (argc === 0) lua.raiseString(T, 'Please specify at least one argument for this redis lib call');
    const ctx = vm.current;
    const argv: Buffer[] = [];
    for (let i = 1; i <= argc; i++) argv.push(lua.toBuffer(T, i) ?? Buffer.alloc(0));
    const ok = ctx ? aclAllows(ctx.srv, ctx.caller, argv) : true;
    if (ok === null) lua.raiseString(T, 'Invalid command passed to redis.acl_check_cmd()');
    m._lua_pushboolean(T, ok ? 1 : 0);
    return 1;
  });
  for (const [name, v] of [['LOG_DEBUG', 0], ['LOG_VERBOSE', 1], ['LOG_NOTICE', 2], ['LOG_WARNING', 3], ['REPL_NONE', REPL_NONE], ['REPL_AOF', REPL_AOF], ['REPL_SLAVE', REPL_REPLICA], ['REPL_REPLICA', REPL_REPLICA], ['REPL_ALL', REPL_ALL]] as [string, number][]) {
    lua.setNumberField(L, t, name, v);
  }
  lua.setStringField(L, t, 'REDIS_VERSION', REDIS_COMPAT_VERSION);
  const [maj, min, patch] = REDIS_COMPAT_VERSION.split('.').map(Number);
  lua.setNumberField(L, t, 'REDIS_VERSION_NUM', (maj << 16) | (min << 8) | patch);
  m._lua_setfield(L, LUA_GLOBALSINDEX, lua.cname('redis'));
}

/** The server redis.log writes to outside a script (FUNCTION LOAD's library code). */
let vmServer: { log: Record<(typeof LOG_LEVELS)[number], (msg: string) => void> } | null = null;
export function setLogServer(srv: typeof vmServer): void {
  vmServer = srv;
}
