// FUNCTION RESTORE: every library of the payload or none, as Redis 7.0's functionRestoreCommand. The
// payload is compiled into a registry of its own first; then FLUSH swaps it in, APPEND refuses any
// library or function name already present, REPLACE drops the libraries it replaces and refuses
// functions that other libraries still hold. Nothing changes on an error.
import type { ScriptVm } from './vm.js';
import { dropLibrary, FunctionRegistry, loadLibrary } from './functions.js';

export type RestorePolicy = 'flush' | 'append' | 'replace';

/** Null when the libraries were restored, else the error reply. */
export function restoreLibraries(vm: ScriptVm, reg: FunctionRegistry, codes: Buffer[], policy: RestorePolicy): string | null {
  const incoming = new FunctionRegistry();
  const drop = (): void => {
    for (const lib of incoming.libraries.values()) dropLibrary(vm, lib);
  };
  for (const code of codes) {
    const r = loadLibrary(vm, incoming, code, false);
    if (typeof r === 'string') {
      drop();
      return r;
    }
  }
  const err = policy === 'flush' ? null : collision(reg, incoming, policy === 'replace');
  if (err !== null) {
    drop();
    return err;
  }
  if (policy === 'flush') reg.flush(vm);
  // Every replaced library goes before any is added: a function may move from one to another.
  for (const lib of incoming.libraries.values()) reg.remove(vm, lib.name);
  for (const lib of incoming.libraries.values()) reg.add(vm, lib, false);
  return null;
}

function collision(reg: FunctionRegistry, incoming: FunctionRegistry, replace: boolean): string | null {
  if (!replace) {
    for (const name of incoming.libraries.keys()) if (reg.libraries.has(name)) return `ERR Library ${name} already exists`;
  }
  for (const f of incoming.functions.keys()) {
    const holder = reg.functions.get(f)?.library.name;
    // Under REPLACE a library of the same name goes away first, its functions with it.
    if (holder !== undefined && !(replace && incoming.libraries.has(holder))) return `ERR Function ${f} already exists`;
  }
  return null;
}
