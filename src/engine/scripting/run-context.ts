// What a running script (EVAL or FCALL) knows about itself: who called it, the client its commands
// run on, its flags, and what it has done so far (written, RESP version, replication mode).
import type { Client } from '../client.js';
import type { Server } from '../server.js';

export const REPL_NONE = 0;
export const REPL_AOF = 1;
export const REPL_REPLICA = 2;
export const REPL_ALL = 3;

export interface RunCtx {
  srv: Server;
  /** The client that sent EVAL/FCALL (replies go to it). */
  caller: Client;
  /** The script's own client: commands run on it (its db follows SELECT inside the script). */
  fake: Client;
  /** The command that runs the script (FUNCTION STATS shows it). */
  argv: Buffer[];
  /** The sha (EVAL) or function name (FCALL), for error messages. */
  name: string;
  /** Flag bits from flags.ts. */
  flags: number;
  /** EVAL_RO / FCALL_RO, or a no-writes script. */
  readOnly: boolean;
  /** The protocol redis.call replies are read in (redis.setresp). */
  resp: 2 | 3;
  /** The script ran a write command (it can no longer be killed). */
  wrote: boolean;
  /** redis.set_repl: where writes go (REPL_ALL by default). */
  repl: number;
  /** The slot of the declared keys in cluster mode, -1 when none. */
  slot: number;
  /** OOM was checked (Redis checks once, before the first write). */
  oomChecked: boolean;
  startedAt: number;
  /** SCRIPT KILL / FUNCTION KILL asked this script to stop. */
  killed: boolean;
  /** The script may be suspended to serve other clients when busy (run by a client or by its EXEC; not for socketless callers, nor from inside another script). */
  canSuspend: boolean;
  /** FCALL (a function) rather than EVAL. */
  isFunction: boolean;
}
