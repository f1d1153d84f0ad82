import { Flags } from '@oclif/core';
import { BaseCommand } from '../lib/base-command.js';
import { dirFlag, nodeArg } from '../lib/node-arg.js';
import { pauseNode } from '../orchestrator/faults.js';
import { renderFault } from '../views/faults.js';

export default class Pause extends BaseCommand {
  static override description = 'Freeze a node (SIGSTOP) for some seconds, then the supervisor resumes it (SIGCONT): a master that comes back stale. Returns once it is paused';
  static override examples = ['<%= config.bin %> pause master --seconds 10', '<%= config.bin %> pause cluster/master:0 --seconds 5 --json'];
  static override args = nodeArg;
  static override flags = {
    ...dirFlag,
    seconds: Flags.integer({ description: 'how long the node stays frozen', required: true, min: 1 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Pause);
    const res = await pauseNode(args.node, flags.seconds, { dir: flags.dir });
    if (flags.json) return this.printJson(res);
    this.log(renderFault(res));
  }
}
