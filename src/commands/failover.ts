import { Args, Flags } from '@oclif/core';
import { authFlags, sentinelAuthFlags } from '../lib/auth-flags.js';
import { authFromFlags } from '../lib/auth.js';
import { BaseCommand } from '../lib/base-command.js';
import { UserError } from '../lib/errors.js';
import { coordinatedFailover, nodeFailover, sentinelFailover } from '../admin/index.js';

export default class Failover extends BaseCommand {
  static override description = 'Fail a master over to a replica: Sentinel-driven for a monitored master name (SENTINEL FAILOVER, --coordinated to lose no write), or by the FAILOVER command for HOST:PORT of a master without Sentinel';
  static override examples = [
    '<%= config.bin %> failover mymaster',
    '<%= config.bin %> failover mymaster --sentinel 127.0.0.1:7502 --json',
    '<%= config.bin %> failover mymaster --coordinated',
    '<%= config.bin %> failover 127.0.0.1:7001 --to 127.0.0.1:7002',
  ];
  static override args = { master: Args.string({ description: 'the master name Sentinel monitors (sentinel monitor <name> ...), or HOST:PORT of a master to switch with FAILOVER', required: true }) };
  static override flags = {
    sentinel: Flags.string({ description: 'a Sentinel watching the master, HOST:PORT (the bundled sentinel topology starts one on 7501)', default: '127.0.0.1:7501' }),
    timeout: Flags.integer({ description: 'seconds to wait for the switch', default: 60 }),
    ...authFlags,
    ...sentinelAuthFlags,
    coordinated: Flags.boolean({ description: 'lose no acknowledged write: pause writes on the old master, wait for the replicas to catch up, promote, demote the old master before releasing its clients', default: false }),
    to: Flags.string({ description: 'with HOST:PORT: the replica to hand over to (default: the first one in sync)' }),
    force: Flags.boolean({ description: 'with HOST:PORT and --to: hand over at the timeout even if the replica has not caught up (FAILOVER FORCE)', default: false }),
    'catch-up': Flags.integer({ description: 'with --coordinated: milliseconds the replicas get to catch up before the failover is called off', default: 5000 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Failover);
    const auth = authFromFlags(flags) ?? {};
    const sentinelAuth = authFromFlags({ user: flags['sentinel-user'], password: flags['sentinel-password'] }) ?? {};
    if (flags.timeout <= 0) throw new UserError(`invalid --timeout ${flags.timeout}: a number of seconds above 0`, 2);
    if (flags['catch-up'] <= 0) throw new UserError(`invalid --catch-up ${flags['catch-up']}: a number of milliseconds above 0`, 2);
    if (/^[^\s:]+:\d+$|^\[.*\]:\d+$/.test(args.master)) {
      if (flags.coordinated) throw new UserError('--coordinated is for a Sentinel master name; HOST:PORT already switches without losing writes (the FAILOVER command)', 2);
      const r = await nodeFailover({ master: args.master, to: flags.to, force: flags.force, timeoutMs: flags.timeout * 1000, auth });
      if (flags.json) return this.printJson(r);
      this.log(`${r.from} -> ${r.to} in ${r.ms} ms (FAILOVER: writes waited ${r.unavailableMs} ms)`);
      return;
    }
    if (flags.to || flags.force) throw new UserError('--to and --force are for HOST:PORT of a master (the FAILOVER command)', 2);
    if (flags.coordinated) {
      const r = await coordinatedFailover({
        sentinel: flags.sentinel,
        master: args.master,
        timeoutMs: flags.timeout * 1000,
        catchUpMs: flags['catch-up'],
        sentinelAuth,
        auth,
      });
      if (flags.json) return this.printJson(r);
      this.log(`${r.master}: ${r.from} -> ${r.to} in ${r.ms} ms (coordinated: writes unavailable for ${r.unavailableMs} ms, replicas caught up to offset ${r.offset})`);
      return;
    }
    const res = await sentinelFailover({
      sentinel: flags.sentinel,
      master: args.master,
      timeoutMs: flags.timeout * 1000,
      sentinelAuth,
      auth,
    });
    if (flags.json) return this.printJson(res);
    this.log(`${res.master}: ${res.from} -> ${res.to} in ${res.ms} ms`);
  }
}
