// MONITOR: the client then receives every executed command as a status line (MonitorFeed in monitor-feed.ts,
// fed by dispatch after each command). Like Redis, a monitor is a kind of replica: it may still
// PING or RESET, but commands that touch the keyspace are refused.
import type { Server } from '../server.js';
import type { GuardEntry } from '../dispatch.js';
import type { Command, CommandDef } from './table.js';

export const monitorCommands: CommandDef[] = [
  {
    name: 'monitor',
    handler({ srv, client: c, reply }) {
      // EXEC expects one reply per command, so it cannot turn into a stream.
      if (c.multi) return reply.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
      if (c.monitor || c.isReplica) return; // Redis ignores it silently
      srv.monitors.add(c);
      reply.ok();
    },
  },
];

const touchesKeyspace = (cmd: Command): boolean => cmd.isWrite || cmd.flags.has('readonly') || cmd.flags.has('may_replicate');

/** Refuses keyspace commands from monitors, where Redis refuses them for every replica-flagged client. */
export function installMonitor(srv: Server): void {
  // Armed while a client monitors: only a monitor is refused.
  const entry: GuardEntry = {
    order: 55,
    name: 'monitor-keyspace',
    guard: (c, cmd) => (c.monitor && touchesKeyspace(cmd) ? "ERR Replica can't interact with the keyspace" : null),
    appliesTo: touchesKeyspace,
    armed: srv.monitors.size > 0,
  };
  srv.dispatch.addGuard(entry);
  srv.monitors.onChange.push(() => srv.dispatch.arm(entry, srv.monitors.size > 0));
}
