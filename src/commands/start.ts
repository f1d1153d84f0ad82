import { authFlags } from '../lib/auth-flags.js';
import { authFromFlags } from '../lib/auth.js';
import { BaseCommand } from '../lib/base-command.js';
import { dirFlag, nodeArg } from '../lib/node-arg.js';
import { startNode } from '../orchestrator/faults.js';
import { renderFault } from '../views/faults.js';

export default class Start extends BaseCommand {
  static override description = 'Start a node stopped by kvctl stop, the way the supervisor restarts a crashed one (a master that would come back empty waits for a failover)';
  static override examples = ['<%= config.bin %> start redis1', '<%= config.bin %> start master --json', '<%= config.bin %> start cluster/master:0'];
  static override args = nodeArg;
  static override flags = { ...dirFlag, ...authFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Start);
    const res = await startNode(args.node, { dir: flags.dir, auth: authFromFlags(flags) });
    if (flags.json) return this.printJson(res);
    this.log(renderFault(res));
  }
}
