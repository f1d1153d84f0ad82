// How kvctl logs in to the nodes it talks to: the `{ user, password }` object every command passes down
// (AUTH password, or AUTH user password). A topology's nodes default to its plan's credentials
// (auth.requirepass as the default user); --user / -a replace them.
import { UserError } from './errors.js';

export interface NodeAuth {
  /** ACL user; the default user when omitted. */
  user?: string;
  password?: string;
}

/**
 * The credentials --user / -a name, or undefined when neither was given. A user without a password is a
 * usage error: AUTH needs both, and silently logging in as the default user would hide the mistake.
 */
export function authFromFlags(flags: { user?: string; password?: string }): NodeAuth | undefined {
  if (flags.user !== undefined && flags.password === undefined) {
    throw new UserError(`--user ${flags.user} needs its password: -a/--password PASS (or REDISCLI_AUTH)`, 2);
  }
  return flags.password === undefined ? undefined : { user: flags.user, password: flags.password };
}

/** Whether an error is a refused log-in or a user the node does not allow to run kvctl's commands. */
export function isAuthFailure(err: unknown): boolean {
  return /WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username|called without any password configured/.test(String((err as Error)?.message ?? err));
}

/** The one-line error for a refused log-in (or a forbidden command) on addr. */
export function authFailure(addr: string, auth: NodeAuth | undefined, err: unknown): UserError {
  // The node's own error text, whatever client wrapped it (ioredis, RespConn, admin/client's hint).
  const text = String((err as Error)?.message ?? err);
  const msg = (/(?:WRONGPASS|NOAUTH|NOPERM|ERR AUTH <password> called without)[^(]*/.exec(text)?.[0] ?? text).trim();
  const who = auth?.user ? `user '${auth.user}'` : 'the default user';
  if (/NOPERM/.test(msg)) return new UserError(`${who} may not run what kvctl needs on ${addr}: ${msg} (log in as another user with --user and -a/--password)`);
  return new UserError(`authentication failed on ${addr} as ${who}: ${msg} (check --user and -a/--password)`);
}
