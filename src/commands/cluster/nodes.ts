import { Args, Flags } from '@oclif/core';
import { authFromFlags } from '../../lib/auth.js';
import { ClusterCommand } from '../../lib/cluster-command.js';
import { renderNodes } from '../../views/cluster-tables.js';
import { clusterNodes } from '../../admin/info.js';

export default class ClusterNodes extends ClusterCommand {
  static override description = 'Show CLUSTER NODES as a table grouped by master (role, address, id, slots, link, epoch, flags)';
  static override examples = ['<%= config.bin %> cluster nodes 127.0.0.1:7201', '<%= config.bin %> cluster nodes 127.0.0.1:7201 --raw'];
  static override args = { node: Args.string({ description: 'any node of the cluster, HOST:PORT', required: true }) };
  static override flags = { raw: Flags.boolean({ description: "print Redis's own text", default: false }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClusterNodes);
    const { raw, rows } = await clusterNodes(args.node, { ...authFromFlags(flags) });
    if (flags.json) this.printJson(rows);
    else if (flags.raw) process.stdout.write(raw.endsWith('\n') ? raw : `${raw}\n`);
    else this.log(renderNodes(rows));
  }
}
