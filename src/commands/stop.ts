import { authFlags } from '../lib/auth-flags.js';
import { authFromFlags } from '../lib/auth.js';
import { BaseCommand } from '../lib/base-command.js';
import { dirFlag, nodeArg } from '../lib/node-arg.js';
import { stopNode } from '../orchestrator/faults.js';
import { renderFault } from '../views/faults.js';

export default class Stop extends BaseCommand {
  static override description = 'Stop a node gracefully; its supervisor keeps it down until kvctl start (fault injection)';
  static override examples = ['<%= config.bin %> stop redis1', '<%= config.bin %> stop master --json', '<%= config.bin %> stop cluster/master:0'];
  static override args = nodeArg;
  static override flags = { ...dirFlag, ...authFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Stop);
    const res = await stopNode(args.node, { dir: flags.dir, auth: authFromFlags(flags) });
    if (flags.json) return this.printJson(res);
    this.log(renderFault(res));
  }
}
