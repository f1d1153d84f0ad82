import { Command } from '@oclif/core';

export default class Sentinel extends Command {
  static override description = 'Run the engine as a Sentinel in the foreground, like redis-sentinel (the same as kvctl server CONF --sentinel)';
  static override examples = [
    '<%= config.bin %> sentinel ./sentinel.conf',
    '<%= config.bin %> sentinel ./sentinel.conf --port 26380 --loglevel verbose',
  ];
  static override strict = false;
  static override flags = {};

  async run(): Promise<void> {
    if (this.argv.length === 0 || this.argv[0].startsWith('--')) {
      this.logToStderr('kvctl sentinel: a sentinel.conf path is required first (Sentinel saves its state there), e.g. kvctl sentinel ./sentinel.conf');
      this.exit(2);
    }
    // Imported here, not at the top: the CLI bundle (scripts/bundle-cli.mjs) leaves the engine out and
    // loads its ES modules only for the commands that run it.
    const { startFromArgs } = await import('../../engine/start.js');
    const code = await startFromArgs([...this.argv, '--sentinel']);
    if (code !== null) this.exit(code);
  }
}
