import { Args, Flags } from '@oclif/core';
import { authFromFlags } from '../../lib/auth.js';
import { ClusterCommand, interruptHandling } from '../../lib/cluster-command.js';
import { fixCluster } from '../../admin/fix.js';
import { checkCluster } from '../../admin/check.js';
import { renderCheck } from '../../views/cluster-tables.js';
import { formatRanges, toRanges } from '../../admin/slots.js';

export default class ClusterFix extends ClusterCommand {
  static override description = 'Repair open slots and uncovered slots (as redis-cli --cluster fix) and finish interrupted reshards; never deletes keys';
  static override examples = [
    '<%= config.bin %> cluster fix 127.0.0.1:7201 --yes',
    '<%= config.bin %> cluster fix 127.0.0.1:7201 --fix-with-unreachable-masters --yes',
  ];
  static override args = { node: Args.string({ description: 'any node of the cluster, HOST:PORT', required: true }) };
  static override flags = {
    'fix-with-unreachable-masters': Flags.boolean({ description: 'repair even though some master does not answer', default: false }),
    pipeline: Flags.integer({ description: 'keys per MIGRATE batch', default: 10, min: 1 }),
    replace: Flags.boolean({ description: 'overwrite keys that already exist on the target (BUSYKEY)', default: false }),
    yes: Flags.boolean({ char: 'y', description: 'answer yes to every question', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClusterFix);
    const auth = { ...authFromFlags(flags) };
    const before = await checkCluster(args.node, auth);
    if (!flags.json) this.log(renderCheck(before));
    if (before.problems.length) await this.confirm('Fix these problems?', flags.yes || flags.json);
    const irq = interruptHandling();
    try {
      const res = await fixCluster(args.node, {
        ...auth, pipeline: flags.pipeline, replace: flags.replace,
        withUnreachableMasters: flags['fix-with-unreachable-masters'], shouldStop: irq.shouldStop, signal: irq.signal,
        onMessage: flags.json ? undefined : (m) => this.log2(m),
      });
      const after = await checkCluster(args.node, auth);
      if (flags.json) this.printJson({ ...res, check: after });
      else {
        const list = (s: number[]) => (s.length ? formatRanges(toRanges(s)) : 'none');
        this.log(`open slots fixed: ${list(res.openSlotsFixed)}; uncovered slots fixed: ${list(res.uncoveredFixed)}; ` +
          `interrupted moves finished: ${res.slotsResumed}; keys moved: ${res.keysMoved}`);
        this.log(renderCheck(after));
      }
      if (!after.ok) this.exit(1);
    } finally {
      irq.dispose();
    }
  }
}
