import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../lib/base-command.js';
import { findLog, follow, lastLines } from '../orchestrator/logs.js';
import { kvctlHome } from '../orchestrator/paths.js';

export default class Logs extends BaseCommand {
  static override description = "Print a node's log (NODE, TOPOLOGY/NODE, or TOPOLOGY/supervisor)";
  static override examples = ['<%= config.bin %> logs redis1', '<%= config.bin %> logs cluster/master1 -f', '<%= config.bin %> logs sentinel/supervisor -n 20'];
  static override args = { node: Args.string({ description: 'node name, or TOPOLOGY/NODE', required: true }) };
  static override flags = {
    dir: Flags.string({ description: 'folder holding the state folders (default $KVCTL_HOME or ./.kvctl)' }),
    follow: Flags.boolean({ char: 'f', description: 'keep printing what is appended', default: false }),
    lines: Flags.integer({ char: 'n', description: 'how many of the last lines to print', default: 100, min: 0 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Logs);
    const ref = findLog(kvctlHome(flags.dir), args.node);
    if (flags.json) return this.printJson({ ...ref, lines: lastLines(ref.file, flags.lines).split('\n').filter(Boolean) });
    process.stdout.write(lastLines(ref.file, flags.lines));
    if (!flags.follow) return;
    const ac = new AbortController();
    process.once('SIGINT', () => ac.abort());
    process.once('SIGTERM', () => ac.abort());
    await follow(ref.file, (s) => process.stdout.write(s), ac.signal);
  }
}
