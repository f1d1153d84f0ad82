import { Args, Flags } from '@oclif/core';
import { authFromFlags } from '../../lib/auth.js';
import { ClusterCommand, interruptHandling } from '../../lib/cluster-command.js';
import { reshard } from '../../admin/reshard.js';
import { UserError } from '../../lib/errors.js';

export default class ClusterReshard extends ClusterCommand {
  static override description = 'Move slots (and their keys) to one master; finishes any interrupted move first and is itself resumable';
  static override examples = [
    '<%= config.bin %> cluster reshard 127.0.0.1:7201 --from all --to 3c3a0c74aae0 --slots 1000 --yes',
    '<%= config.bin %> cluster reshard 127.0.0.1:7201 --from 3c3a0c74,f1b2d3 --to 9e4d5c --slots 100 --pipeline 100',
  ];
  static override args = { node: Args.string({ description: 'any node of the cluster, HOST:PORT', required: true }) };
  static override flags = {
    from: Flags.string({ description: "comma-separated source master ids, or 'all'", required: true }),
    to: Flags.string({ description: 'target master id', required: true }),
    slots: Flags.integer({ description: 'number of slots to move', required: true, min: 1 }),
    pipeline: Flags.integer({ description: 'keys per MIGRATE batch', default: 10, min: 1 }),
    parallel: Flags.integer({ description: 'slots moved at the same time', default: 4, min: 1 }),
    replace: Flags.boolean({ description: "overwrite keys that already exist on the target (BUSYKEY)", default: false }),
    timeout: Flags.integer({ description: 'MIGRATE timeout in ms', default: 60_000 }),
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClusterReshard);
    const from = flags.from === 'all' ? 'all' as const : flags.from.split(',').map((s) => s.trim()).filter(Boolean);
    if (from !== 'all' && from.length === 0) throw new UserError("--from needs node ids or 'all'", 2);
    const base = {
      from, to: flags.to, slots: flags.slots, ...authFromFlags(flags),
      pipeline: flags.pipeline, parallel: flags.parallel, replace: flags.replace, migrateTimeoutMs: flags.timeout,
    };
    const plan = await reshard(args.node, { ...base, dryRun: true });
    if (!flags.json) this.log2(`Ready to move ${plan.moves.length} slots to ${flags.to} from ${new Set(plan.moves.map((m) => m.from)).size} source(s)`);
    await this.confirm('Do you want to proceed with the proposed reshard plan?', flags.yes || flags.json);
    const bar = this.progressBar(plan.moves.length, flags.json);
    const irq = interruptHandling();
    try {
      const res = await reshard(args.node, {
        ...base, shouldStop: irq.shouldStop, signal: irq.signal,
        onMessage: flags.json ? undefined : (m) => this.log2(m),
        onProgress: (p) => bar.update(p.slotsDone, p.keysMoved),
      });
      bar.stop();
      if (flags.json) this.printJson(res);
      else if (res.complete) this.log(`[OK] moved ${res.moves.length} slots and ${res.keysMoved} keys`);
      if (!res.complete) {
        throw new UserError(`stopped early; ${res.journal} records the rest: run 'kvctl cluster reshard' or 'kvctl cluster fix' to finish`);
      }
    } finally {
      bar.stop();
      irq.dispose();
    }
  }
}
