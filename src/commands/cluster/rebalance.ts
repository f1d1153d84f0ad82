import { Args, Flags } from '@oclif/core';
import { authFromFlags } from '../../lib/auth.js';
import Table from 'cli-table3';
import { ClusterCommand, interruptHandling } from '../../lib/cluster-command.js';
import { rebalance } from '../../admin/rebalance.js';
import { UserError } from '../../lib/errors.js';

export default class ClusterRebalance extends ClusterCommand {
  static override description = 'Even out slots across masters (optionally weighted), moving keys with MIGRATE; resumable';
  static override examples = [
    '<%= config.bin %> cluster rebalance 127.0.0.1:7201 --use-empty-masters',
    '<%= config.bin %> cluster rebalance 127.0.0.1:7201 --weight 3c3a0c74=2 --weight f1b2d3=0 --simulate',
  ];
  static override args = { node: Args.string({ description: 'any node of the cluster, HOST:PORT', required: true }) };
  static override flags = {
    weight: Flags.string({ description: 'ID=WEIGHT (0 empties a master)', multiple: true }),
    'use-empty-masters': Flags.boolean({ description: 'give slots to masters that have none', default: false }),
    threshold: Flags.integer({ description: 'only act when a master is off by more than PCT percent', default: 2 }),
    simulate: Flags.boolean({ description: 'print the plan, move nothing', default: false }),
    pipeline: Flags.integer({ description: 'keys per MIGRATE batch', default: 10, min: 1 }),
    parallel: Flags.integer({ description: 'slots moved at the same time', default: 4, min: 1 }),
    replace: Flags.boolean({ description: 'overwrite keys that already exist on the target (BUSYKEY)', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClusterRebalance);
    const weights = Object.fromEntries((flags.weight ?? []).map((w) => {
      const [id, v] = w.split('=');
      if (!id || v === undefined || !/^\d+(\.\d+)?$/.test(v)) throw new UserError(`--weight ${w}: expected ID=WEIGHT`, 2);
      return [id, Number(v)];
    }));
    const irq = interruptHandling();
    let bar: ReturnType<ClusterCommand['progressBar']> | undefined;
    try {
      const res = await rebalance(args.node, {
        ...authFromFlags(flags), weights, useEmptyMasters: flags['use-empty-masters'],
        threshold: flags.threshold, simulate: flags.simulate, pipeline: flags.pipeline, parallel: flags.parallel,
        replace: flags.replace, shouldStop: irq.shouldStop, signal: irq.signal,
        onMessage: flags.json ? undefined : (m) => this.log2(m),
        onProgress: (p) => { bar ??= this.progressBar(p.slotsTotal, flags.json); bar.update(p.slotsDone, p.keysMoved); },
      });
      bar?.stop();
      if (flags.json) return this.printJson(res);
      const t = new Table({ head: ['master', 'id', 'weight', 'slots', 'target'] });
      for (const r of res.table) t.push([r.addr, r.id.slice(0, 12), r.weight, r.slots, r.expected]);
      this.log(t.toString());
      if (!res.needed) this.log(`[OK] no rebalancing needed: every master is within ${flags.threshold}% of its target`);
      else this.log(`${flags.simulate ? 'would move' : '[OK] moved'} ${res.moves.length} slots${flags.simulate ? '' : ` and ${res.keysMoved} keys`}`);
    } finally {
      bar?.stop();
      irq.dispose();
    }
  }
}
