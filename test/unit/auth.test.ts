import { describe, expect, it } from 'vitest';
import { authFailure, authFromFlags, isAuthFailure } from '../../src/lib/auth.js';
import { UserError } from '../../src/lib/errors.js';

describe('--user / -a credentials (lib/auth.ts)', () => {
  it('builds the { user, password } object, or nothing without flags', () => {
    expect(authFromFlags({})).toBeUndefined();
    expect(authFromFlags({ password: 'p' })).toEqual({ user: undefined, password: 'p' });
    expect(authFromFlags({ user: 'u', password: 'p' })).toEqual({ user: 'u', password: 'p' });
  });

  it('refuses a user without a password as a usage error', () => {
    let err: unknown;
    try {
      authFromFlags({ user: 'u' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).message).toBe('--user u needs its password: -a/--password PASS (or REDISCLI_AUTH)');
  });

  it('tells refused log-ins from other failures and words them in one line', () => {
    const wrong = new Error('127.0.0.1:7001: AUTH app: WRONGPASS invalid username-password pair or user is disabled.');
    const nopass = new Error('ReplyError: ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
    expect(isAuthFailure(wrong)).toBe(true);
    expect(isAuthFailure(nopass)).toBe(true);
    expect(isAuthFailure(new Error('connect ECONNREFUSED 127.0.0.1:7001'))).toBe(false);
    expect(authFailure('127.0.0.1:7001', { user: 'app', password: 'x' }, wrong).message)
      .toBe("authentication failed on 127.0.0.1:7001 as user 'app': WRONGPASS invalid username-password pair or user is disabled. (check --user and -a/--password)");
    expect(authFailure('127.0.0.1:7001', { password: 'x' }, nopass).message)
      .toBe('authentication failed on 127.0.0.1:7001 as the default user: ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct? (check --user and -a/--password)');
    expect(authFailure('h:1', { user: 'ro', password: 'x' }, new Error("NOPERM this user has no permissions to run the 'info' command")).message)
      .toBe("user 'ro' may not run what kvctl needs on h:1: NOPERM this user has no permissions to run the 'info' command (log in as another user with --user and -a/--password)");
  });
});
