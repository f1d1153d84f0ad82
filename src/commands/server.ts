import { Command } from '@oclif/core';
import { startFromArgs } from '../engine/start.js';

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
    const code = await startFromArgs(this.argv);
    if (code !== null) this.exit(code);
  }
}
