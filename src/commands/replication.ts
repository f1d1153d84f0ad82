import { Args } from '@oclif/core';
import { authFlags } from '../lib/auth-flags.js';
import { authFromFlags } from '../lib/auth.js';
import { BaseCommand } from '../lib/base-command.js';
import { replicationReport } from '../orchestrator/replication.js';
import { renderReplication } from '../views/replication.js';

export default class Replication extends BaseCommand {
  static override description = 'The `info replication` view of any redis node as a table: role, link, offsets, lag per replica';
  static override examples = ['<%= config.bin %> replication 127.0.0.1:7001', '<%= config.bin %> replication 127.0.0.1:7002 --json', '<%= config.bin %> replication 10.0.0.5:6379 -a secret'];
  static override args = { node: Args.string({ description: 'HOST:PORT', required: true }) };
  static override flags = {
    ...authFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Replication);
    const report = await replicationReport(args.node, authFromFlags(flags) ?? {});
    if (flags.json) return this.printJson(report);
    this.log(renderReplication(report));
  }
}
