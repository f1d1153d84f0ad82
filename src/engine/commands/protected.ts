// Protected commands (Redis's CMD_PROTECTED): DEBUG and MODULE LOAD/LOADEX/UNLOAD run only when
// enable-debug-command / enable-module-command is yes, or local for a loopback or unix-socket client.
// Redis refuses them in processCommand right after the arity check, so the refusal comes before
// NOAUTH, ACL, the guards, the pub/sub context and MULTI queueing (and flags the transaction).
import type { Client } from '../client.js';
import type { Command } from './table.js';
import type { Server } from '../server.js';

const PROTECTED: Record<string, { what: string; option: string }> = {
  debug: { what: 'DEBUG', option: 'enable-debug-command' },
  'module|load': { what: 'MODULE', option: 'enable-module-command' },
  'module|loadex': { what: 'MODULE', option: 'enable-module-command' },
  'module|unload': { what: 'MODULE', option: 'enable-module-command' },
};

/** Redis's refusal of a protected command its enable-*-command option disallows. */
export const notAllowed = (what: string, option: string): string =>
  `ERR ${what} command not allowed. If the ${option} option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`;

/** enable-debug-command / enable-module-command: yes, or local for loopback and unix-socket clients. */
function allowed(srv: Server, client: Client, option: string): boolean {
  const mode = srv.config.get(option);
  if (mode === 'yes') return true;
  if (mode !== 'local') return false;
  const a = client.socket?.remoteAddress ?? '';
  return client.socket === null || a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.');
}

export function installProtectedCommands(srv: Server): void {
  const byCmd = new Map<Command, { what: string; option: string }>();
  for (const [name, rule] of Object.entries(PROTECTED)) {
    const [parent, sub] = name.split('|');
    const top = srv.table.lookup(parent);
    const cmd = sub === undefined ? top : top?.subcommands.get(sub);
    if (!cmd) continue;
    cmd.isProtected = true;
    byCmd.set(cmd, rule);
  }
  srv.dispatch.protectedCheck = (c, cmd) => {
    const rule = byCmd.get(cmd);
    return rule === undefined || allowed(srv, c, rule.option) ? null : notAllowed(rule.what, rule.option);
  };
}
