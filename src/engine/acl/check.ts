// Permission checks as Redis's processCommand, EXEC and scripts make them. A client bound to a user
// with every command, key and channel (the default user, usually) costs one property test; clients
// without a socket (AOF loading, internal callers) and our master's link run as the superuser.
import type { Client } from '../client.js';
import type { Command } from '../commands/table.js';
import type { Server } from '../server.js';
import { aclOf } from './registry.js';
import { ACL_OK, DENIED_CHANNEL, DENIED_CMD, DENIED_KEY, SEL_ALLCOMMANDS, type CheckResult } from './selector.js';
import { commandUniverse, type AclCommand } from './universe.js';
import type { LogContext, LogReason } from './log.js';
import type { User } from './user.js';

const aclCommands = new WeakMap<Command, AclCommand | null>();

function aclCommandOf(cmd: Command): AclCommand | null {
  let a = aclCommands.get(cmd);
  if (a === undefined) {
    a = commandUniverse().lookup(cmd.fullName) ?? null;
    aclCommands.set(cmd, a);
  }
  return a;
}

/** The user a client runs as, or null for the superuser (no socket, or our master's link). */
export function userOf(srv: Server, c: Client): User | null {
  if (c.aclUser) return c.aclUser;
  if (c.socket === null || c.isMaster) return null;
  return aclOf(srv).defaultUser;
}

/** Checks a resolved command line against a user (engine-only commands need +@all). */
export function checkUser(u: User, cmd: Command, argv: Buffer[]): CheckResult {
  const a = aclCommandOf(cmd);
  if (a) return u.check(a, argv);
  const ok = [u.root, ...u.selectors].some((s) => (s.flags & SEL_ALLCOMMANDS) !== 0);
  return { code: ok ? ACL_OK : DENIED_CMD, pos: 0 };
}

export interface Denial {
  reason: Exclude<LogReason, 'auth'>;
  /** The command's full name, or the refused key / channel. */
  object: string;
}

function toDenial(r: CheckResult, cmd: Command, argv: Buffer[]): Denial {
  if (r.code === DENIED_KEY) return { reason: 'key', object: argv[r.pos].latin1Slice(0, argv[r.pos].length) };
  if (r.code === DENIED_CHANNEL) return { reason: 'channel', object: argv[r.pos].latin1Slice(0, argv[r.pos].length) };
  return { reason: 'command', object: cmd.fullName };
}

/**
 * Checks a command as client `c` would run it and records a refusal in ACL LOG under `context`.
 * Scripts call this with the script's caller and 'lua' (redis.call runs as the caller).
 */
export function aclCheckAs(srv: Server, c: Client, cmd: Command, argv: Buffer[], context: LogContext, current = cmd.fullName): Denial | null {
  const u = userOf(srv, c);
  if (u === null || u.unrestricted) return null;
  const r = checkUser(u, cmd, argv);
  if (r.code === ACL_OK) return null;
  const d = toDenial(r, cmd, argv);
  aclOf(srv).addLog(c, d.reason, context, d.object, current);
  return d;
}

/** processCommand's replies. */
export function noPermError(d: Denial): string {
  if (d.reason === 'key') return 'NOPERM this user has no permissions to access one of the keys used as arguments';
  if (d.reason === 'channel') return 'NOPERM this user has no permissions to access one of the channels used as arguments';
  return `NOPERM this user has no permissions to run the '${d.object}' command`;
}

/** What a script's redis.call raises when the caller may not run the command. */
export function scriptNoPermMessage(d: Denial): string {
  if (d.reason === 'key') return 'The user executing the script can\'t access at least one of the keys mentioned in the command arguments';
  if (d.reason === 'channel') return 'The user executing the script can\'t publish to the channel mentioned in the command';
  return 'The user executing the script can\'t run this command or subcommand';
}

/** EXEC re-checks each queued command (the rules may have changed since it was queued). */
export function execAclError(srv: Server, c: Client, cmd: Command, argv: Buffer[]): string | null {
  const d = aclCheckAs(srv, c, cmd, argv, 'multi', 'exec');
  if (d === null) return null;
  const why = d.reason === 'command' ? 'no permission to execute the command or subcommand'
    : d.reason === 'key' ? 'no permission to touch the specified keys'
    : 'no permission to access one of the channels used as arguments';
  return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${why}`;
}

/** The dispatch hook: the NOPERM reply for a refused command, or null. */
export function dispatchCheck(srv: Server): (c: Client, cmd: Command, argv: Buffer[]) => string | null {
  const reg = aclOf(srv);
  return (c, cmd, argv) => {
    const u = c.aclUser ?? (c.socket === null || c.isMaster ? null : reg.defaultUser);
    if (u === null || u.unrestricted) return null;
    const d = aclCheckAs(srv, c, cmd, argv, c.multi ? 'multi' : 'toplevel');
    return d === null ? null : noPermError(d);
  };
}

/** Whether dispatchCheck passes a client whatever its command line (checked without the arguments). */
export function unrestrictedCheck(srv: Server): (c: Client) => boolean {
  const reg = aclOf(srv);
  return (c) => {
    const u = c.aclUser ?? (c.socket === null || c.isMaster ? null : reg.defaultUser);
    return u === null || u.unrestricted;
  };
}

/**
 * redis.acl_check_cmd(): whether the script's caller may run this command line (no arity check, as
 * Redis); null when the command does not exist.
 */
export function aclAllows(srv: Server, c: Client, argv: Buffer[]): boolean | null {
  let cmd = srv.table.lookup(argv[0].latin1Slice(0, argv[0].length));
  if (!cmd) return null;
  if (cmd.subcommands.size > 0 && argv.length >= 2) {
    cmd = cmd.subcommands.get(argv[1].latin1Slice(0, argv[1].length).toLowerCase());
    if (!cmd) return null;
  }
  const u = userOf(srv, c);
  return u === null || u.unrestricted || checkUser(u, cmd, argv).code === ACL_OK;
}
