import { Flags } from '@oclif/core';
import { authFlags } from '../lib/auth-flags.js';
import { authFromFlags } from '../lib/auth.js';
import { BaseCommand } from '../lib/base-command.js';
import { UserError } from '../lib/errors.js';
import { dirFlag, nodeArg } from '../lib/node-arg.js';
import { waitNode, type WaitRole } from '../orchestrator/faults.js';
import { renderWait } from '../views/faults.js';

export default class Wait extends BaseCommand {
  static override description = 'Wait until a node is master, a replica with its link up, or down (gone, or gone and restarted since the wait began)';
  static override examples = ['<%= config.bin %> wait redis1 --role replica', '<%= config.bin %> wait master --role down --timeout 10', '<%= config.bin %> wait cluster/master1 --role replica --json'];
  static override args = nodeArg;
  static override flags = {
    ...dirFlag, ...authFlags,
    role: Flags.string({ description: 'the condition to wait for (required)', options: ['master', 'replica', 'down'] }),
    timeout: Flags.integer({ description: 'seconds before giving up (exit 1)', default: 60 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Wait);
    if (flags.timeout <= 0) throw new UserError(`invalid --timeout ${flags.timeout}: a number of seconds above 0`, 2);
    if (!flags.role) throw new UserError('missing --role: master, replica or down', 2);
    const res = await waitNode(args.node, flags.role as WaitRole, { dir: flags.dir, auth: authFromFlags(flags), timeoutMs: flags.timeout * 1000 });
    if (flags.json) return this.printJson(res);
    this.log(renderWait(res));
  }
}
