import { Args } from '@oclif/core';
import { authFromFlags } from '../../lib/auth.js';
import { ClusterCommand } from '../../lib/cluster-command.js';
import { renderInfo } from '../../views/cluster-tables.js';
import { clusterInfo } from '../../admin/info.js';

export default class ClusterInfoCommand extends ClusterCommand {
  static override description = 'Per-master keys, slots and replicas of a cluster';
  static override examples = ['<%= config.bin %> cluster info 127.0.0.1:7201', '<%= config.bin %> cluster info 127.0.0.1:7201 --json'];
  static override args = { node: Args.string({ description: 'any node of the cluster, HOST:PORT', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClusterInfoCommand);
    const info = await clusterInfo(args.node, { ...authFromFlags(flags) });
    if (flags.json) this.printJson(info);
    else this.log(renderInfo(info));
  }
}
