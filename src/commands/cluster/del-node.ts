import { Args } from '@oclif/core';
import { authFromFlags } from '../../lib/auth.js';
import { ClusterCommand } from '../../lib/cluster-command.js';
import { delNode } from '../../admin/nodes.js';

export default class ClusterDelNode extends ClusterCommand {
  static override description = 'Remove a node (alive or dead) from every node\'s table; refuses a master that still has slots';
  static override examples = ['<%= config.bin %> cluster del-node 127.0.0.1:7201 3c3a0c74aae0b56170ccb03a76b60cfe7dc1912e'];
  static override args = {
    node: Args.string({ description: 'any remaining node of the cluster, HOST:PORT', required: true }),
    id: Args.string({ description: 'id (or unique prefix) of the node to remove', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClusterDelNode);
    const res = await delNode(args.node, args.id, { ...authFromFlags(flags) });
    if (flags.json) this.printJson(res);
    else {
      if (res.reassigned.length) this.log(`replicas moved to another master: ${res.reassigned.join(', ')}`);
      this.log(`[OK] ${res.addr} (${res.id}) forgotten by ${res.forgottenOn.length} nodes${res.reachable ? ' and reset' : ' (it was unreachable)'}`);
    }
  }
}
