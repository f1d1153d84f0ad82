// The --user / -a/--password flags, one definition for every kvctl command that talks to nodes.
import { Flags } from '@oclif/core';

export const authFlags = {
  password: Flags.string({ char: 'a', description: 'password to log in to the nodes with (AUTH; default: the topology\'s auth.requirepass), or REDISCLI_AUTH', env: 'REDISCLI_AUTH' }),
  user: Flags.string({ description: 'ACL user to log in to the nodes as, with -a/--password (AUTH user password)' }),
};

/** The Sentinel's own log-in (failover, sentinel status), when the Sentinel has requirepass or ACL users. */
export const sentinelAuthFlags = {
  'sentinel-password': Flags.string({ description: 'password of the Sentinel, when it has one' }),
  'sentinel-user': Flags.string({ description: 'ACL user to log in to the Sentinel as, with --sentinel-password' }),
};
