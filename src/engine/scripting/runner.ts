// Running a compiled script or function for EVAL / FCALL: the checks Redis makes from the script's
// flags before it starts, the run itself in a coroutine, the reply, and the propagation of its
// writes as one MULTI ... EXEC unit (effects replication, as Redis 7.0).
import type { CommandContext } from '../commands/table.js';
import { Command } from '../commands/table.js';
import { clusterOf } from '../cluster/cluster.js';
import { F_ALLOW_OOM, F_ALLOW_STALE, F_EVAL_COMPAT, F_NO_CLUSTER, F_NO_WRITES } from './flags.js';
import { REPL_ALL, type RunCtx } from './run-context.js';
import { writeLuaValue } from './convert.js';
import type { Scripting } from './state.js';
import type { RunState } from './vm.js';
import { continueBusy } from './busy.js';

/** Stand-in commands carrying a script's effective flags, for the dispatch guards (cached by flag set). */
const standIns = new Map<string, Command>();

function standIn(name: string, flags: number): Command {
  const f: string[] = ['noscript'];
  if ((flags & F_NO_WRITES) === 0) f.push('write');
  if ((flags & (F_NO_WRITES | F_ALLOW_OOM)) === 0) f.push('denyoom');
  if (flags & F_ALLOW_STALE) f.push('stale');
  const k = name + ':' + f.join(',');
  let c = standIns.get(k);
  if (!c) standIns.set(k, (c = new Command(name, -3, f, 0, 0, 0, null, null)));
  return c;
}

/**
 * The refusals Redis's processCommand derives from a script's declared flags (scripts without a
 * shebang are checked command by command instead). Returns the error reply or null.
 */
export function preRunError(ctx: CommandContext, flags: number, readOnlyCommand: boolean): string | null {
  const { srv, client: c, argv } = ctx;
  if ((flags & F_NO_CLUSTER) && clusterOf(srv)) return "ERR Can not run script on cluster, 'no-cluster' flag is set.";
  if (flags & F_EVAL_COMPAT) return null;
  if (readOnlyCommand && (flags & F_NO_WRITES) === 0) {
    return 'ERR Can not execute a script with write flag using *_ro command.';
  }
  const cmd = standIn(ctx.cmd.name, flags);
  for (const g of srv.dispatch.guards) {
    if (g.order <= 10 || g.name === 'scripting-load') continue;
    const err = g.guard(c, cmd, argv);
    if (err !== null) return err;
  }
  return null;
}

export interface RunRequest {
  ref: number;
  name: string;
  flags: number;
  keys: Buffer[];
  args: Buffer[];
  readOnly: boolean;
  isFunction: boolean;
}

/** Runs a script for the command in ctx and writes its reply (now, or when a busy script ends). */
export function runScript(sc: Scripting, ctx: CommandContext, req: RunRequest): void {
  const { srv, client: caller } = ctx;
  const vm = sc.vm;
  ctx.propagate = []; // the script's writes propagate themselves (effects replication)
  const fake = sc.fake();
  fake.db = caller.db;
  fake.dbIndex = caller.dbIndex;
  fake.isMaster = caller.isMaster;
  fake.reply.resp = 2;
  const topLevel = srv.dispatch.depth <= 1;
  const rc: RunCtx = {
    srv,
    caller,
    fake,
    argv: ctx.argv,
    name: req.name,
    flags: req.flags,
    readOnly: req.readOnly || (req.flags & F_NO_WRITES) !== 0,
    resp: 2,
    wrote: false,
    repl: REPL_ALL,
    slot: -1,
    oomChecked: false,
    startedAt: Date.now(),
    killed: false,
    canSuspend: topLevel && caller.socket !== null && caller.multi === null,
    isFunction: req.isFunction,
  };
  if (topLevel) srv.propagation.beginBatch();
  const { T, threadRef } = vm.newThread(req.ref);
  let nargs = 0;
  if (req.isFunction) {
    // Functions get (keys, args) as arguments instead of the KEYS/ARGV globals.
    for (const list of [req.keys, req.args]) {
      vm.m._lua_createtable(T, list.length, 0);
      for (let i = 0; i < list.length; i++) {
        vm.lua.pushBuffer(T, list[i]);
        vm.m._lua_rawseti(T, -2, i + 1);
      }
    }
    nargs = 2;
  } else vm.setKeysArgs(req.keys, req.args);
  sc.running = rc;
  vm.current = rc;
  let state: RunState;
  try {
    state = vm.resume(T, nargs);
  } catch (e) {
    state = { kind: 'error', message: 'ERR Lua VM failure: ' + (e instanceof Error ? e.message : String(e)) };
  }
  if (state.kind === 'yield') {
    continueBusy(sc, rc, { T, threadRef, topLevel, reply: ctx.reply });
    return;
  }
  finishScript(sc, rc, { T, threadRef, topLevel, reply: ctx.reply }, state);
}

export interface Suspended {
  T: number;
  threadRef: number;
  topLevel: boolean;
  reply: CommandContext['reply'];
}

/** Writes the script's reply, frees its thread and ends the propagation unit. */
export function finishScript(sc: Scripting, rc: RunCtx, s: Suspended, state: RunState): void {
  const vm = sc.vm;
  try {
    if (state.kind === 'ok') {
      if (vm.m._lua_gettop(s.T) === 0) s.reply.null();
      else writeLuaValue(vm.lua, s.T, 1, s.reply, rc.resp);
    } else if (state.kind === 'error') {
      s.reply.error(state.message);
    }
  } finally {
    vm.m._lua_settop(s.T, 0);
    vm.dropThread(s.threadRef);
    vm.current = null;
    sc.running = null;
    sc.busy = false;
    if (s.topLevel) rc.srv.propagation.endBatch();
  }
}
