// The slow log (SLOWLOG GET/LEN/RESET read it; dispatch records commands slower than
// slowlog-log-slower-than). Entries are trimmed the way Redis trims them.
import type { Client } from './client.js';
import type { Config } from './config.js';

export interface SlowlogEntry {
  id: number;
  time: number;
  usec: number;
  argv: Buffer[];
  addr: string;
  name: string;
}

export class SlowLog {
  /** Newest first. */
  readonly entries: SlowlogEntry[] = [];
  private nextId = 0;
  /** slowlog-log-slower-than in microseconds, kept up to date: negative turns the log (and the timing) off. */
  thresholdUs: number;

  constructor(private readonly config: Config) {
    this.thresholdUs = config.int('slowlog-log-slower-than');
    config.onChange('slowlog-log-slower-than', (v) => (this.thresholdUs = Number(v)));
  }

  /** name: the client's name when the command ran (dispatch may record a command a little later). */
  push(c: Client, argv: Buffer[], usec: number, name = c.name): void {
    const max = this.config.int('slowlog-max-len');
    if (max === 0) return;
    // Like Redis: at most 32 arguments (the last one says how many were left out), each cut at 128 bytes.
    const n = argv.length > 32 ? 31 : argv.length;
    const args: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const a = argv[i];
      args.push(a.length > 128 ? Buffer.concat([a.subarray(0, 128), Buffer.from(`... (${a.length - 128} more bytes)`)]) : a);
    }
    if (argv.length > 32) args.push(Buffer.from(`... (${argv.length - 31} more arguments)`));
    this.entries.unshift({ id: this.nextId++, time: Math.floor(Date.now() / 1000), usec, argv: args, addr: c.addr, name });
    if (this.entries.length > max) this.entries.length = max;
  }

  reset(): void {
    this.entries.length = 0;
  }
}
