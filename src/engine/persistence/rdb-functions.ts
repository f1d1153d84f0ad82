// The hook between RDB files and the function libraries (scripting registers it): the records to
// write after the aux fields, and what to do with the libraries an RDB carries.
import type { Server } from '../server.js';

export interface RdbFunctionsHook {
  /** RDB_OPCODE_FUNCTION2 records of every library (empty Buffer when none). */
  records(): Buffer;
  /** Libraries read from a loaded RDB (replacing the node's: a load replaces the dataset). */
  loaded(codes: Buffer[]): void;
}

const hooks = new WeakMap<Server, RdbFunctionsHook>();

export function setRdbFunctionsHook(srv: Server, hook: RdbFunctionsHook): void {
  hooks.set(srv, hook);
}

export function rdbFunctionsHook(srv: Server | undefined): RdbFunctionsHook | undefined {
  return srv ? hooks.get(srv) : undefined;
}
