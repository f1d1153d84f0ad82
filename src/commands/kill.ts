import { Flags } from '@oclif/core';
import { authFlags } from '../lib/auth-flags.js';
import { authFromFlags } from '../lib/auth.js';
import { BaseCommand } from '../lib/base-command.js';
import { dirFlag, nodeArg } from '../lib/node-arg.js';
import { killNode } from '../orchestrator/faults.js';
import { renderFault } from '../views/faults.js';

export default class Kill extends BaseCommand {
  static override description = "Send a signal (SIGKILL by default) to a node's process; the supervisor handles the exit as a crash";
  static override examples = ['<%= config.bin %> kill master', '<%= config.bin %> kill cluster/master:0 --json', '<%= config.bin %> kill redis2 --signal SIGTERM'];
  static override args = nodeArg;
  static override flags = {
    ...dirFlag, ...authFlags,
    signal: Flags.string({ char: 's', description: 'signal name (SIGKILL, SIGTERM, SIGSEGV, ...)', default: 'SIGKILL' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Kill);
    const res = await killNode(args.node, { dir: flags.dir, auth: authFromFlags(flags), signal: flags.signal });
    if (flags.json) return this.printJson(res);
    this.log(renderFault(res));
  }
}
