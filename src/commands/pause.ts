import { Flags } from '@oclif/core';
import { authFlags } from '../lib/auth-flags.js';
import { authFromFlags } from '../lib/auth.js';
import { BaseCommand } from '../lib/base-command.js';
import { UserError } from '../lib/errors.js';
import { dirFlag, nodeArg } from '../lib/node-arg.js';
import { pauseNode } from '../orchestrator/faults.js';
import { renderFault } from '../views/faults.js';

export default class Pause extends BaseCommand {
  static override description = 'Freeze a node (SIGSTOP) for some seconds, then the supervisor resumes it (SIGCONT): a master that comes back stale. Returns once it is paused';
  static override examples = ['<%= config.bin %> pause master --seconds 10', '<%= config.bin %> pause cluster/master:0 --seconds 5 --json'];
  static override args = nodeArg;
  static override flags = {
    ...dirFlag, ...authFlags,
    seconds: Flags.integer({ description: 'how long the node stays frozen (required)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Pause);
    // Checked here rather than by oclif, whose missing-flag error is several lines.
    if (flags.seconds === undefined) throw new UserError('missing --seconds N: how long the node stays paused (a whole number above 0)', 2);
    const res = await pauseNode(args.node, flags.seconds, { dir: flags.dir, auth: authFromFlags(flags) });
    if (flags.json) return this.printJson(res);
    this.log(renderFault(res));
  }
}
