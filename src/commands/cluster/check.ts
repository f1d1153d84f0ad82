import { Args, Flags } from '@oclif/core';
import { authFromFlags } from '../../lib/auth.js';
import { ClusterCommand } from '../../lib/cluster-command.js';
import { renderCheck } from '../../views/cluster-tables.js';
import { checkCluster } from '../../admin/check.js';

export default class ClusterCheck extends ClusterCommand {
  static override description = 'Check a cluster as redis-cli does: configuration agreement, open slots, slot coverage (exit 1 on any problem)';
  static override examples = [
    '<%= config.bin %> cluster check 127.0.0.1:7201',
    '<%= config.bin %> cluster check 127.0.0.1:7201 --json --search-multiple-owners',
  ];
  static override args = { node: Args.string({ description: 'any node of the cluster, HOST:PORT', required: true }) };
  static override flags = {
    'search-multiple-owners': Flags.boolean({ description: 'also look for slots with keys on several masters', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClusterCheck);
    const report = await checkCluster(args.node, {
      ...authFromFlags(flags), searchMultipleOwners: flags['search-multiple-owners'],
    });
    if (flags.json) this.printJson(report);
    else this.log(renderCheck(report));
    if (!report.ok) this.exit(1);
  }
}
