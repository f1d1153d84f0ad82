// Busy scripts: a script that runs past busy-reply-threshold (lua-time-limit) hands control back to
// the event loop. The VM's count hook suspends the script's coroutine (when no C function is on its
// stack; the sandbox's pcall is a coroutine too, so loops inside pcall stay suspendable); the script
// resumes on the next turns. Meanwhile other clients get -BUSY, our master's stream waits, and SCRIPT
// KILL / FUNCTION KILL / SHUTDOWN NOSAVE are served. A killed script gets an error at every
// instruction from then on, so a pcall cannot swallow it.
import type { Client } from '../client.js';
import type { Guard } from '../dispatch.js';
import { hold, release } from '../cluster/hold.js';
import { MASK_COUNT } from './lua.js';
import type { RunCtx } from './run-context.js';
import type { Scripting } from './state.js';
import { finishScript, type Suspended } from './runner.js';
import type { ScriptVm } from './vm.js';

/** Instructions between two hook calls: the hook is a JS call, cheap at this rate (bench/scripting). */
export const HOOK_EVERY = 100_000;
/** Once busy, the script gives the event loop a turn this often (ms of script time). */
const TURN_MS = 10;

const KILLED = 'ERR Script killed by user with SCRIPT KILL...';

/** Installs the count hook on the VM's main thread (threads created from it inherit it). */
export function installBusyHook(sc: Scripting, vm: ScriptVm): void {
  const { m, lua } = vm;
  let lastTurn = 0;
  let warned: RunCtx | null = null;
  const hook = m.addFunction((T: number) => {
    const rc = vm.current;
    if (!rc) {
      // FUNCTION LOAD's library code may not run forever either (Redis gives it 500 ms).
      if (vm.loadDeadline > 0 && Date.now() > vm.loadDeadline) {
        m._lua_createtable(T, 0, 1);
        lua.pushString(T, 'ERR FUNCTION LOAD timeout');
        m._lua_setfield(T, -2, lua.cname('err'));
        m._lua_error(T);
      }
      return;
    }
    if (rc.killed) {
      // Every instruction from now on raises, until the error leaves every pcall.
      m._lua_sethook(T, hook, MASK_COUNT, 1);
      m._lua_createtable(T, 0, 1);
      lua.pushString(T, KILLED);
      m._lua_setfield(T, -2, lua.cname('err'));
      m._lua_error(T);
      return;
    }
    const limit = sc.srv.config.int('lua-time-limit');
    const now = Date.now();
    if (limit <= 0 || now - rc.startedAt < limit) return;
    if (warned !== rc) {
      warned = rc;
      lastTurn = 0;
      sc.srv.log.warning(`Slow script detected: still in execution after ${now - rc.startedAt} milliseconds. You can try killing the script using the ${rc.isFunction ? 'FUNCTION KILL' : 'SCRIPT KILL'} command. Script name is: ${rc.name}.`);
    }
    sc.busy = true;
    if (!rc.canSuspend || now - lastTurn < TURN_MS || !vm.canYield(T)) return;
    lastTurn = now;
    vm.yieldRequested = true;
    m._lua_yield(T, 0);
  }, 'vii');
  m._lua_sethook(vm.L, hook, MASK_COUNT, HOOK_EVERY);
}

/** The -BUSY guard, and our master's commands held until the script ends. */
export function busyGuard(sc: Scripting): Guard {
  return (c, cmd) => {
    const rc = sc.running;
    if (!rc || !sc.busy || c === rc.caller) return null;
    if (c.isMaster) {
      hold(c);
      sc.heldClients.add(c);
      return 'held';
    }
    if (cmd.flags.has('allow_busy')) return null;
    return `BUSY Redis is busy running a script. You can only call ${rc.isFunction ? 'FUNCTION KILL' : 'SCRIPT KILL'} or SHUTDOWN NOSAVE.`;
  };
}

/**
 * A script suspended by the hook: its caller waits (its next commands queue) while the loop turns.
 * Inside EXEC, `resumeExec` runs the rest of the transaction once the script has ended.
 */
export function continueBusy(sc: Scripting, rc: RunCtx, s: Suspended, resumeExec: (() => void) | null): void {
  const srv = sc.srv;
  const caller = rc.caller;
  hold(caller);
  // Active expiry would write (and propagate) in the middle of the script: Redis doesn't run it either.
  const expireWas = srv.activeExpireEnabled;
  srv.activeExpireEnabled = false;
  const step = (): void => {
    if (srv.shuttingDown) return;
    srv.dispatch.depth++; // commands inside run as nested calls (blocking ones don't block)
    sc.vm.current = rc;
    let state;
    try {
      state = sc.vm.resume(s.T, 0);
    } catch (e) {
      state = { kind: 'error' as const, message: 'ERR Lua VM failure: ' + (e instanceof Error ? e.message : String(e)) };
    } finally {
      srv.dispatch.depth--;
    }
    if (state.kind === 'yield') {
      setImmediate(step);
      return;
    }
    srv.activeExpireEnabled = expireWas;
    finishScript(sc, rc, s, state);
    // In a transaction: the rest of EXEC's queue, where another script may be suspended in turn.
    resumeExec?.();
    if (sc.running) return;
    release(srv, caller);
    for (const c of [...sc.heldClients]) releaseHeld(sc, c);
  };
  setImmediate(step);
}

function releaseHeld(sc: Scripting, c: Client): void {
  sc.heldClients.delete(c);
  release(sc.srv, c);
}
