// The engine's extension points in one place: each subsystem (subsystems.ts) pushes its functions onto
// these typed lists instead of the Server growing a field per concern. Plain arrays, because
// beforeCall/afterCommand run around every command and a loop over an array is the cheapest call.
// Dispatch guards (ordered checks that may refuse a command) stay on `srv.dispatch.addGuard`, and
// the AOF/replication stream on `srv.propagation.sinks`.
import type { Client } from './client.js';
import type { Command } from './commands/table.js';

/** A command's arguments as hooks see them: reading argv may copy them out of the read buffer,
 * so a hook reads it only when it needs them. */
export interface CommandCall {
  readonly argv: Buffer[];
}

/** Runs around a command: the client, the resolved command (subcommand if any) and its arguments. */
export type CommandHook = (c: Client, cmd: Command, call: CommandCall) => void;
/** `save`: true SAVE, false NOSAVE, null the configured default. A throw aborts SHUTDOWN. */
export type ShutdownHook = (opts: { save: boolean | null }) => void | Promise<void>;
export type ClientHook = (c: Client) => void;
/** After a handler returned: how long it ran, in microseconds (fractional; a run of fast commands shares its time, command-timing.ts). */
export type TimedHook = (c: Client, cmd: Command, us: number) => void;

export class ServerHooks {
  /** Right before a handler (a snapshot in progress saves the keys' pre-images, keyspace stats, tracking, latency). */
  readonly beforeCall: CommandHook[] = [];
  /** After each handler, with its run time (latency tracking): for a run of fast commands in one read,
   * when the run ends, in order (command-timing.ts). Cheaper than a beforeCall/afterCommand pair. */
  readonly afterCall: TimedHook[] = [];
  /** After every executed command (blocking wake-ups, eviction, replication offsets, keyspace events...). */
  readonly afterCommand: CommandHook[] = [];
  /** Once per batch before replies go out (AOF write + fsync, nodes.conf save, tracking broadcasts: Redis's beforeSleep). */
  readonly beforeFlush: (() => void)[] = [];
  /** Before a read's replies are written at once (no beforeFlush hook, so no group commit): the replication stream's first write of the turn. */
  readonly beforeReply: (() => void)[] = [];
  /** After listening, before "Ready to accept connections" (data loading, cluster config). */
  readonly beforeReady: (() => void | Promise<void>)[] = [];
  /** Periodic tasks, run from the cron at `hz`. */
  readonly cron: (() => void)[] = [];
  /** On shutdown before exit (save, AOF flush, replication close). */
  readonly shutdown: ShutdownHook[] = [];
  /** A client goes away (unwatch, unsubscribe, unblock, replica cleanup). */
  readonly clientClose: ClientHook[] = [];
  /** RESET (and close, where registered for both): drop the client's subsystem state. */
  readonly clientReset: ClientHook[] = [];
  /** CONFIG RESETSTAT: subsystems zero their own INFO counters. */
  readonly resetStat: (() => void)[] = [];
}
