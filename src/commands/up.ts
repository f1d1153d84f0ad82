import { Args, Flags } from '@oclif/core';
import { authFlags } from '../lib/auth-flags.js';
import { authFromFlags } from '../lib/auth.js';
import { BaseCommand } from '../lib/base-command.js';
import { ENGINES } from '../orchestrator/engines.js';
import { down } from '../orchestrator/down.js';
import { abortUp, prepareUp, upSteps, type UpContext } from '../orchestrator/up.js';
import type { EngineName } from '../orchestrator/topology/types.js';

export default class Up extends BaseCommand {
  static override description = 'Start a topology: render its configs, spawn and supervise the nodes, wire them, and return once everything is ready';
  static override examples = [
    '<%= config.bin %> up master-replica',
    '<%= config.bin %> up sentinel --engine redis',
    '<%= config.bin %> up cluster --json',
    '<%= config.bin %> up ./my-topology.yaml --base-port 16000 --dir /tmp/kvctl',
    '<%= config.bin %> up standalone --foreground',
  ];
  static override args = {
    topology: Args.string({ description: 'bundled topology (standalone, master-replica, sentinel, cluster) or a YAML file', required: true }),
  };
  static override flags = {
    ...authFlags,
    engine: Flags.string({ description: 'server engine (default: the topology\'s, else builtin)', options: ENGINES }),
    'engine-bin': Flags.string({ description: 'path of the redis-server / valkey-server binary' }),
    dir: Flags.string({ description: 'folder holding the state folders (default $KVCTL_HOME or ./.kvctl)' }),
    name: Flags.string({ description: 'run under another name (a second copy of a topology)' }),
    'base-port': Flags.integer({ description: 'shift every port so the lowest is this one', min: 1, max: 65535 }),
    timeout: Flags.integer({ description: 'seconds to wait until ready', default: 60, min: 1 }),
    foreground: Flags.boolean({ description: 'stay attached: Ctrl-C (or the end of this process) stops everything', default: false }),
  };

  async run(): Promise<void> {
    const timing = process.env.KVCTL_UP_TIMING === '1' ? stepTimer() : undefined;
    const { args, flags } = await this.parse(Up);
    timing?.('cli load');
    const ctx = await prepareUp({
      topology: args.topology,
      dir: flags.dir,
      name: flags.name,
      basePort: flags['base-port'],
      engine: flags.engine as EngineName | undefined,
      engineBin: flags['engine-bin'],
      timeoutMs: flags.timeout * 1000,
      attach: flags.foreground,
      auth: authFromFlags(flags),
    });
    timing?.('validate');
    try {
      if (flags.json) await runPlain(ctx, timing);
      else await runWithTaskList(ctx);
    } catch (err) {
      await abortUp(ctx);
      throw err;
    }
    const summary = ctx.summary!;
    if (flags.json) this.printJson(summary);
    else this.log((await import('../views/status.js')).renderUpSummary(summary));
    if (!flags.foreground) return;

    if (!flags.json) this.log('running in the foreground: Ctrl-C stops everything');
    await new Promise<void>((resolve) => {
      const keepAlive = setInterval(() => undefined, 1 << 30); // signal listeners alone do not keep node running
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
        process.once(sig, () => {
          clearInterval(keepAlive);
          resolve();
        });
      }
    });
    await down(ctx.home, ctx.topo.name);
    if (!flags.json) this.log(`${ctx.topo.name} stopped`);
  }
}

/**
 * KVCTL_UP_TIMING=1 (bench/up.ts): one stderr line per step with its ms (the first, 'cli load', counts
 * from the process's start: Node, oclif, the command's modules), and, indented, each new progress
 * message with the ms since the previous line.
 */
function stepTimer(): (step: string, progress?: boolean) => void {
  let stepStart = 0;
  let last = 0;
  let said = '';
  return (what, progress = false) => {
    if (progress && what === said) return; // a progress message repeated by a polling loop
    said = what;
    const now = performance.now();
    const ms = now - (progress ? last : stepStart);
    process.stderr.write(`kvctl up timing: ${progress ? '  ' : ''}${what} ${ms.toFixed(0)} ms (at ${now.toFixed(0)} ms)\n`);
    last = now;
    if (!progress) stepStart = now;
  };
}

/** --json: no task list (and no listr2 to load); the steps run in order. */
async function runPlain(ctx: UpContext, timing?: (step: string, progress?: boolean) => void): Promise<void> {
  for (const s of upSteps()) {
    if (s.skip?.(ctx)) continue;
    await s.run(ctx, timing ? (msg) => timing(msg.slice(0, 140), true) : () => undefined);
    timing?.((typeof s.title === 'string' ? s.title : s.title(ctx)).split(' ')[0].toLowerCase());
  }
}

/**
 * The steps as a listr2 task list. A failed task's line says only that it failed: the whole error (node,
 * address, last log lines) is printed once, after the list, by the command's error handler.
 */
async function runWithTaskList(ctx: UpContext): Promise<void> {
  const { Listr } = await import('listr2');
  let failure: unknown;
  const tasks = new Listr<UpContext>(
    upSteps().filter((s) => !s.skip?.(ctx)).map((s) => ({
      title: typeof s.title === 'string' ? s.title : s.title(ctx),
      task: async (_c: UpContext, task: { output?: string }) => {
        try {
          await s.run(ctx, (msg) => {
            if (task.output !== msg) task.output = msg;
          });
        } catch (err) {
          failure = err;
          throw new Error('see the error below');
        }
      },
    })),
    {
      ctx,
      renderer: 'default',
      fallbackRenderer: 'simple',
      rendererOptions: { collapseErrors: true, showErrorMessage: false },
      exitOnError: true,
    },
  );
  try {
    await tasks.run();
  } catch (err) {
    throw failure ?? err;
  }
}
