import { Args, Flags } from '@oclif/core';
import { authFromFlags } from '../../lib/auth.js';
import { ClusterCommand } from '../../lib/cluster-command.js';
import { callAll } from '../../admin/nodes.js';

export default class ClusterCall extends ClusterCommand {
  static override description = 'Run one command on every node of a cluster (or only masters / only replicas)';
  static override examples = ['<%= config.bin %> cluster call 127.0.0.1:7201 DBSIZE --only-masters', '<%= config.bin %> cluster call 127.0.0.1:7201 CONFIG SET maxmemory 100mb'];
  static override strict = false;
  static override args = { node: Args.string({ description: 'any node of the cluster, HOST:PORT', required: true }) };
  static override flags = {
    'only-masters': Flags.boolean({ description: 'masters only', default: false, exclusive: ['only-replicas'] }),
    'only-replicas': Flags.boolean({ description: 'replicas only', default: false }),
  };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(ClusterCall);
    const cmd = (argv as string[]).slice(1);
    const res = await callAll(args.node, cmd, {
      ...authFromFlags(flags), onlyMasters: flags['only-masters'], onlyReplicas: flags['only-replicas'],
    });
    if (flags.json) this.printJson(res);
    else for (const r of res) this.log(`${r.addr}: ${r.error ? `(error) ${r.error}` : formatReply(r.reply)}`);
    if (res.some((r) => r.error)) this.exit(1);
  }
}

function formatReply(v: unknown): string {
  if (Array.isArray(v)) return v.map(formatReply).join(' ');
  return v === null ? '(nil)' : String(v);
}
