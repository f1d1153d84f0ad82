import { Args, Flags } from '@oclif/core';
import { authFlags } from '../lib/auth-flags.js';
import { authFromFlags } from '../lib/auth.js';
import { BaseCommand } from '../lib/base-command.js';
import { down } from '../orchestrator/down.js';
import { kvctlHome } from '../orchestrator/paths.js';

export default class Down extends BaseCommand {
  static override description = 'Stop a topology (SHUTDOWN, then SIGTERM, then SIGKILL after a grace period), leaving no process behind';
  static override examples = [
    '<%= config.bin %> down master-replica',
    '<%= config.bin %> down cluster --purge',
    '<%= config.bin %> down              # every topology under ./.kvctl',
  ];
  static override args = { name: Args.string({ description: 'topology name (default: all of them)' }) };
  static override flags = {
    ...authFlags,
    dir: Flags.string({ description: 'folder holding the state folders (default $KVCTL_HOME or ./.kvctl)' }),
    purge: Flags.boolean({ description: 'also remove the state folder: configs, data and logs', default: false }),
    grace: Flags.integer({ description: 'milliseconds per step of the stop sequence', default: 5000, min: 0 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Down);
    const results = await down(kvctlHome(flags.dir), args.name, { purge: flags.purge, graceMs: flags.grace, auth: authFromFlags(flags) });
    if (flags.json) return this.printJson(results);
    if (results.length === 0) this.log(`no topology in ${kvctlHome(flags.dir)}`);
    for (const r of results) {
      const how = Object.entries(r.nodes).map(([n, h]) => `${n} ${h}`).join(', ');
      this.log(`${r.name} stopped (${how})${r.purged ? `, ${r.stateDir} removed` : ''}`);
    }
  }
}
