// Shared behaviour of kvctl commands: user errors become one clean line and the contract's exit codes.
import { Command, Flags } from '@oclif/core';
import { isUserError } from './errors.js';

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({ description: 'print machine-readable JSON instead of tables', default: false }),
  };

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<any> {
    if (isUserError(err)) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return this.exit(err.exitCode);
    }
    // oclif's own flag/arg parse errors are usage errors (exit 2).
    if (err.oclif?.exit === 2 || /Unexpected argument|Missing required|Nonexistent flag|Expected .* to be one of/.test(err.message)) {
      process.stderr.write(`error: ${err.message.split('\n')[0]}\n`);
      return this.exit(2);
    }
    return super.catch(err);
  }

  /** Print JSON for --json runs (one document on stdout). */
  protected printJson(value: unknown): void {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }
}
