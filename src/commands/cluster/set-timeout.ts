import { Args } from '@oclif/core';
import { authFromFlags } from '../../lib/auth.js';
import { ClusterCommand } from '../../lib/cluster-command.js';
import { setNodeTimeout } from '../../admin/nodes.js';
import { UserError } from '../../lib/errors.js';

export default class ClusterSetTimeout extends ClusterCommand {
  static override description = 'Set cluster-node-timeout (ms) on every node of a cluster';
  static override examples = ['<%= config.bin %> cluster set-timeout 127.0.0.1:7201 5000'];
  static override args = {
    node: Args.string({ description: 'any node of the cluster, HOST:PORT', required: true }),
    ms: Args.string({ description: 'the new node timeout in milliseconds', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClusterSetTimeout);
    if (!/^\d+$/.test(args.ms)) throw new UserError(`timeout '${args.ms}' is not a number of milliseconds`, 2);
    const res = await setNodeTimeout(args.node, Number(args.ms), { ...authFromFlags(flags) });
    const failed = res.filter((r) => r.error);
    if (flags.json) this.printJson(res);
    else this.log(`${failed.length ? '[ERR]' : '[OK]'} cluster-node-timeout set to ${args.ms} ms on ${res.length - failed.length} of ${res.length} nodes` +
      failed.map((f) => `\n  ${f.addr}: ${f.error}`).join(''));
    if (failed.length) this.exit(1);
  }
}
