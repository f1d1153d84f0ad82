import { authFlags } from '../lib/auth-flags.js';
import { authFromFlags } from '../lib/auth.js';
import { BaseCommand } from '../lib/base-command.js';
import { dirFlag, nodeArg } from '../lib/node-arg.js';
import { restartNode } from '../orchestrator/faults.js';
import { renderFault } from '../views/faults.js';

export default class Restart extends BaseCommand {
  static override description = "Stop a node, then start it again through the supervisor's restart policy";
  static override examples = ['<%= config.bin %> restart redis1', '<%= config.bin %> restart master --json', '<%= config.bin %> restart cluster/master:0'];
  static override args = nodeArg;
  static override flags = { ...dirFlag, ...authFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Restart);
    const res = await restartNode(args.node, { dir: flags.dir, auth: authFromFlags(flags) });
    if (flags.json) return this.printJson(res);
    this.log(renderFault(res));
  }
}
