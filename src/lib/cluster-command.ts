// Shared CLI plumbing for `kvctl cluster ...`: auth flags, confirmation prompts and a progress bar,
// so each command file stays a thin parse-call-render.
import { createInterface } from 'node:readline/promises';
import cliProgress from 'cli-progress';
import { authFlags } from './auth-flags.js';
import { BaseCommand } from './base-command.js';
import { UserError } from './errors.js';

export abstract class ClusterCommand extends BaseCommand {
  static override baseFlags = {
    ...BaseCommand.baseFlags,
    ...authFlags,
  };

  /** Asks "type yes" on a terminal; without a terminal the user must pass --yes. */
  protected async confirm(question: string, yes: boolean): Promise<void> {
    if (yes) return;
    if (!process.stdin.isTTY) throw new UserError(`${question} needs confirmation: pass --yes when not on a terminal`, 2);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(`${question} (type 'yes' to accept): `);
      if (answer.trim().toLowerCase() !== 'yes') throw new UserError('aborted: nothing was changed');
    } finally {
      rl.close();
    }
  }

  /** Progress lines on stderr (never in --json output, where stdout must stay one document). */
  protected log2(msg: string): void {
    process.stderr.write(`>>> ${msg}\n`);
  }

  /** A slots/keys progress bar on a terminal; plain periodic lines otherwise. */
  protected progressBar(total: number, json: boolean): { update(done: number, keys: number): void; stop(): void } {
    if (json || !process.stderr.isTTY) {
      let last = 0;
      return {
        update: (done, keys) => {
          if (json || Date.now() - last < 1000) return;
          last = Date.now();
          process.stderr.write(`moved ${done}/${total} slots, ${keys} keys\n`);
        },
        stop: () => undefined,
      };
    }
    const bar = new cliProgress.SingleBar({
      format: 'moving [{bar}] {value}/{total} slots | {keys} keys | {eta_formatted} left',
      stream: process.stderr,
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, { keys: 0 });
    return { update: (done, keys) => bar.update(done, { keys }), stop: () => bar.stop() };
  }
}

/**
 * Ctrl-C during a long move: the first one lets the slots in flight finish (nothing left open), the
 * second aborts between two MIGRATE batches. Either way the journal lets the next run finish the job.
 */
export function interruptHandling(): { shouldStop: () => boolean; signal: AbortSignal; dispose: () => void } {
  let stop = false;
  const ac = new AbortController();
  const onInt = () => {
    if (!stop) {
      stop = true;
      process.stderr.write('\nstopping after the slots in flight (Ctrl-C again to stop now)...\n');
    } else ac.abort();
  };
  process.on('SIGINT', onInt);
  return { shouldStop: () => stop, signal: ac.signal, dispose: () => process.off('SIGINT', onInt) };
}
