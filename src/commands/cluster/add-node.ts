import { Args, Flags } from '@oclif/core';
import { authFromFlags } from '../../lib/auth.js';
import { ClusterCommand } from '../../lib/cluster-command.js';
import { addNode } from '../../admin/nodes.js';

export default class ClusterAddNode extends ClusterCommand {
  static override description = 'Add an empty cluster-enabled node to a cluster, as a master or as a replica';
  static override examples = [
    '<%= config.bin %> cluster add-node 127.0.0.1:7204 127.0.0.1:7201',
    '<%= config.bin %> cluster add-node 127.0.0.1:7307 127.0.0.1:7201 --replica --master-id 3c3a0c74',
  ];
  static override args = {
    new: Args.string({ description: 'the node to add, HOST:PORT', required: true }),
    existing: Args.string({ description: 'any node of the cluster, HOST:PORT', required: true }),
  };
  static override flags = {
    replica: Flags.boolean({ description: 'join as a replica (of the master with fewest replicas unless --master-id)', default: false }),
    'master-id': Flags.string({ description: 'the master to replicate (implies --replica)' }),
    timeout: Flags.integer({ description: 'ms to wait until every node agrees', default: 30_000 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClusterAddNode);
    const res = await addNode(args.new, args.existing, {
      ...authFromFlags(flags), replica: flags.replica, masterId: flags['master-id'], timeoutMs: flags.timeout,
    });
    if (flags.json) this.printJson(res);
    else this.log(`[OK] ${res.addr} (${res.id}) joined as ${res.role}${res.masterId ? ` of ${res.masterId}` : ''}`);
  }
}
