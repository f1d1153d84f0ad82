// Wires scripting into a server: the guard that loads the VM before the first scripting command
// (the client waits; nothing is loaded for nodes that never script), and the INFO fields.
import type { Server } from '../server.js';
import type { Guard } from '../dispatch.js';
import { hold, release } from '../cluster/hold.js';
import { human } from '../info-core.js';
import { scriptingOf } from './state.js';

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
  srv.dispatch.addGuard({ order: 5, name: 'scripting-load', guard: loadGuard });
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
      ['used_memory_scripts', scripts],
      ['used_memory_scripts_human', human(scripts)],
    ];
  });
}
