// The replication guards in dispatch: NOREPLICAS (40) on a master without enough good replicas,
// READONLY (50) on a read-only replica, MASTERDOWN (70) on a replica whose link is down when
// replica-serve-stale-data is off. Commands from our master are never refused.
import type { Client } from '../client.js';
import type { Command } from '../commands/table.js';
import type { GuardEntry } from '../dispatch.js';
import type { Server } from '../server.js';
import type { ReplState } from './state.js';

/** Redis's is_write_command: a write, or an EXEC whose queue holds one. */
function isWrite(c: Client, cmd: Command): boolean {
  if (cmd.isWrite) return true;
  return cmd.name === 'exec' && c.multi !== null && c.multi.queue.some((q) => q.cmd.isWrite);
}

/** The commands isWrite() can be true for, whatever the client. */
const mayWrite = (cmd: Command): boolean => cmd.isWrite || cmd.name === 'exec';

export function installGuards(srv: Server, st: ReplState): void {
  const cfg = srv.config;
  // Cached: the guards run on every command.
  const opts = {
    minToWrite: cfg.int('min-replicas-to-write'),
    maxLag: cfg.int('min-replicas-max-lag'),
    readOnly: cfg.bool('replica-read-only'),
    serveStale: cfg.bool('replica-serve-stale-data'),
  };
  const noReplicas: GuardEntry = {
    order: 40,
    name: 'noreplicas',
    guard(c, cmd) {
      if (!st.isMaster || opts.minToWrite === 0 || opts.maxLag === 0 || c.isMaster || !isWrite(c, cmd)) return null;
      return st.goodReplicas() < opts.minToWrite ? 'NOREPLICAS Not enough good replicas to write.' : null;
    },
    appliesTo: mayWrite,
  };
  const readOnly: GuardEntry = {
    order: 50,
    name: 'readonly',
    guard(c, cmd) {
      if (st.isMaster || !opts.readOnly || c.isMaster || !isWrite(c, cmd)) return null;
      return "READONLY You can't write against a read only replica.";
    },
    appliesTo: mayWrite,
  };
  const masterDown: GuardEntry = {
    order: 70,
    name: 'masterdown',
    guard(c, cmd) {
      if (st.isMaster || opts.serveStale || c.isMaster || st.master?.state === 'connected') return null;
      if (cmd.flags.has('stale')) return null;
      return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    },
    appliesTo: (cmd) => !cmd.flags.has('stale'),
  };
  // Each is armed exactly while the state its first test reads (role, config) lets it refuse.
  const rearm = (): void => {
    srv.dispatch.arm(noReplicas, st.isMaster && opts.minToWrite !== 0 && opts.maxLag !== 0);
    srv.dispatch.arm(readOnly, !st.isMaster && opts.readOnly);
    srv.dispatch.arm(masterDown, !st.isMaster && !opts.serveStale);
  };
  const set = (name: string, apply: (v: string) => void): void =>
    cfg.onChange(name, (v) => {
      apply(v);
      rearm();
    });
  set('min-replicas-to-write', (v) => (opts.minToWrite = Number(v)));
  set('min-replicas-max-lag', (v) => (opts.maxLag = Number(v)));
  set('replica-read-only', (v) => (opts.readOnly = v === 'yes'));
  set('replica-serve-stale-data', (v) => (opts.serveStale = v === 'yes'));
  st.onRoleChange.push(rearm);
  for (const g of [noReplicas, readOnly, masterDown]) srv.dispatch.addGuard(g);
  rearm();
}
