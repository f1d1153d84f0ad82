// Wires scripting into a server: the guard that loads the VM before the first scripting command
// (the client waits; nothing is loaded for nodes that never script), and the INFO fields.
import type { Server } from '../server.js';
import type { Guard, GuardEntry } from '../dispatch.js';
import { hold, release } from '../cluster/hold.js';
import { human } from '../info-core.js';
import { scriptingOf } from './state.js';
import { setRdbFunctionsHook } from '../persistence/rdb-functions.js';
import { functionRecords } from './functions-dump.js';
import { loadLibrary } from './functions.js';
import { busyGuard } from './busy.js';

/** Commands that need the VM. */
const NEEDS_VM = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'script', 'fcall', 'fcall_ro', 'function']);

export function installScripting(srv: Server): void {
  const sc = scriptingOf(srv);
  const loadGuard: Guard = (c, cmd) => {
    if (sc.ready) return null;
    const top = cmd.parent ? cmd.parent.name : cmd.name;
    if (!NEEDS_VM.has(top)) return null;
    hold(c);
    sc.load().then(
      () => release(srv, c),
      (e: unknown) => {
        srv.log.warning(`Failed loading the Lua VM: ${e instanceof Error ? e.message : String(e)}`);
        c.pending.length = 0;
        c.reply.error('ERR Lua VM unavailable');
        release(srv, c);
      },
    );
    return 'held';
  };
  srv.dispatch.addGuard({ order: 5, name: 'scripting-load', guard: loadGuard, appliesTo: (cmd) => NEEDS_VM.has(cmd.parent ? cmd.parent.name : cmd.name) });
  // Armed while a script is busy: the guard refuses or holds nothing otherwise.
  const busy: GuardEntry = { order: 15, name: 'busy-script', guard: busyGuard(sc), armed: sc.busy };
  srv.dispatch.addGuard(busy);
  sc.onBusy.push(() => srv.dispatch.arm(busy, sc.busy));
  setRdbFunctionsHook(srv, {
    records: () => (sc.functions.libraries.size + sc.functions.pending.length === 0 ? Buffer.alloc(0) : functionRecords(sc.functions.codes())),
    loaded: (codes) => {
      // A load replaces the dataset, libraries included (Redis's RDBFLAGS_ALLOW_DUP... as a full sync does).
      sc.functions.flush(sc.vmIfCreated);
      if (codes.length === 0) return;
      const vm = sc.ready ? sc.vm : null;
      if (!vm) {
        sc.functions.pending = codes; // compiled when the VM is created (first scripting command)
        return;
      }
      for (const code of codes) {
        const r = loadLibrary(vm, sc.functions, code, true);
        if (typeof r === 'string') srv.log.warning(`Failed loading a function library from the RDB: ${r}`);
      }
    },
  });
  srv.info.extend('memory', () => {
    const vm = sc.vmIfCreated;
    const lua = vm ? vm.memory() : 0;
    const scripts = sc.cache.bodyBytes;
    return [
      ['used_memory_lua', lua],
      ['used_memory_vm_eval', lua],
      ['used_memory_lua_human', human(lua)],
      ['used_memory_scripts_eval', scripts],
      ['number_of_cached_scripts', sc.cache.scripts.size],
      ['number_of_functions', sc.functions.functions.size],
      ['number_of_libraries', sc.functions.libraries.size],
      ['used_memory_functions', sc.functions.codeBytes],
      ['used_memory_scripts', scripts + sc.functions.codeBytes],
      ['used_memory_scripts_human', human(scripts + sc.functions.codeBytes)],
    ];
  });
}
