import { Args, Flags } from '@oclif/core';
import { authFromFlags } from '../../lib/auth.js';
import { ClusterCommand } from '../../lib/cluster-command.js';
import { clusterFailover } from '../../admin/cluster-failover.js';
import { UserError } from '../../lib/errors.js';

export default class ClusterFailover extends ClusterCommand {
  static override description = 'Promote a cluster replica (CLUSTER FAILOVER): by default a manual failover that loses no acknowledged write; --force without its master, --takeover without an election';
  static override examples = ['<%= config.bin %> cluster failover 127.0.0.1:7301', '<%= config.bin %> cluster failover 127.0.0.1:7301 --force --json'];
  static override args = { node: Args.string({ description: 'the replica to promote, HOST:PORT', required: true }) };
  static override flags = {
    force: Flags.boolean({ description: 'CLUSTER FAILOVER FORCE: do not wait for the master (it may be down)', default: false }),
    takeover: Flags.boolean({ description: 'CLUSTER FAILOVER TAKEOVER: no election either (a majority of masters may be down)', default: false }),
    timeout: Flags.integer({ description: 'seconds to wait for the switch', default: 60 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClusterFailover);
    if (flags.force && flags.takeover) throw new UserError('--force and --takeover exclude each other (allowed: one of them, or neither)', 2);
    if (flags.timeout <= 0) throw new UserError(`invalid --timeout ${flags.timeout}: a number of seconds above 0`, 2);
    const res = await clusterFailover({ node: args.node, mode: flags.force ? 'force' : flags.takeover ? 'takeover' : 'default', timeoutMs: flags.timeout * 1000, auth: { ...authFromFlags(flags) } });
    if (flags.json) return this.printJson(res);
    this.log(`${res.node} replaced ${res.from} as master in ${res.ms} ms (${res.mode})`);
  }
}
