import { Args, Flags } from '@oclif/core';
import { authFlags } from '../lib/auth-flags.js';
import { authFromFlags } from '../lib/auth.js';
import { BaseCommand } from '../lib/base-command.js';
import { kvctlHome } from '../orchestrator/paths.js';
import { status } from '../orchestrator/status.js';
import { renderStatus } from '../views/status.js';

export default class Status extends BaseCommand {
  static override description = "Each node's role, address, pid, state, uptime, restarts, replication offset or slots";
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status cluster', '<%= config.bin %> status master-replica --json'];
  static override args = { name: Args.string({ description: 'topology name (default: all of them)' }) };
  static override flags = {
    ...authFlags,
    dir: Flags.string({ description: 'folder holding the state folders (default $KVCTL_HOME or ./.kvctl)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Status);
    const reports = await status(kvctlHome(flags.dir), args.name, authFromFlags(flags));
    if (flags.json) return this.printJson(args.name ? reports[0] : reports);
    if (reports.length === 0) this.log(`no topology in ${kvctlHome(flags.dir)} (start one with kvctl up)`);
    this.log(reports.map(renderStatus).join('\n\n'));
  }
}
