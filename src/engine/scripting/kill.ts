// SCRIPT KILL / FUNCTION KILL: ask the running script to stop (the VM's hook raises the error at its
// next check). Scripts that wrote, or that our master sent, cannot be killed.
import type { CommandContext } from '../commands/table.js';
import { scriptingOf } from './state.js';

const NOTBUSY = 'NOTBUSY No scripts in execution right now.';

export function killScript(ctx: CommandContext, isFunction: boolean): void {
  const { srv, reply } = ctx;
  const rc = scriptingOf(srv).running;
  if (!rc) return reply.error(NOTBUSY);
  if (rc.caller.isMaster) return reply.error('UNKILLABLE The busy script was sent by a master instance in the context of replication and cannot be killed.');
  if (rc.wrote) return reply.error('UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.');
  if (rc.isFunction !== isFunction) {
    if (!scriptingOf(srv).busy) return reply.error(NOTBUSY);
    return reply.error(`BUSY Redis is busy running a script. You can only call ${rc.isFunction ? 'FUNCTION KILL' : 'SCRIPT KILL'} or SHUTDOWN NOSAVE.`);
  }
  rc.killed = true;
  reply.ok();
}
