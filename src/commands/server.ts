import { Command } from '@oclif/core';

export default class Server extends Command {
  static override description = 'Run one engine node in the foreground, like redis-server: a redis.conf and/or any directive as --flag';
  static override examples = [
    '<%= config.bin %> server --port 7001 --save ""',
    '<%= config.bin %> server ./redis.conf --loglevel verbose',
    '<%= config.bin %> server --port 7201 --cluster-enabled yes --cluster-config-file nodes-7201.conf',
  ];
  static override strict = false;
  // Every redis.conf directive is accepted as --directive; parsing is the engine's (same as redis-server).
  static override flags = {};

  async run(): Promise<void> {
    // Imported here, not at the top: the CLI bundle (scripts/bundle-cli.mjs) leaves the engine out and
    // loads its ES modules only for the commands that run it.
    const { startFromArgs } = await import('../engine/start.js');
    const code = await startFromArgs(this.argv);
    if (code !== null) this.exit(code);
  }
}
