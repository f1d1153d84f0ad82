import { Flags } from '@oclif/core';
import { authFromFlags } from '../../lib/auth.js';
import { ClusterCommand } from '../../lib/cluster-command.js';
import { renderPlan } from '../../views/cluster-tables.js';
import { prepareCreate, applyCreate } from '../../admin/create.js';
import { UserError } from '../../lib/errors.js';

export default class ClusterCreate extends ClusterCommand {
  static override description = 'Create a Redis Cluster from empty cluster-enabled nodes: assign slots, place replicas with anti-affinity, join, wait until every node agrees';
  static override examples = [
    '<%= config.bin %> cluster create 127.0.0.1:7001 127.0.0.1:7002 127.0.0.1:7003 --yes',
    '<%= config.bin %> cluster create 127.0.0.1:7000 127.0.0.2:7000 127.0.0.3:7000 127.0.0.1:7001 127.0.0.2:7001 127.0.0.3:7001 --replicas 1',
  ];
  static override strict = false;
  static override flags = {
    replicas: Flags.integer({ char: 'r', description: 'replicas per master', default: 0, min: 0 }),
    yes: Flags.boolean({ char: 'y', description: 'apply the plan without asking', default: false }),
    'allow-small': Flags.boolean({ description: 'allow 1 or 2 masters (handy for tests)', default: false }),
    timeout: Flags.integer({ description: 'ms to wait for agreement and replica links', default: 30_000 }),
    zone: Flags.string({ description: 'HOST=ZONE, spread replicas across zones', multiple: true }),
    'wait-state': Flags.boolean({ description: 'also wait for cluster_state:ok on every node', default: true, allowNo: true }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ClusterCreate);
    const nodes = argv as string[];
    if (nodes.length === 0) throw new UserError('give the nodes as HOST:PORT arguments', 2);
    const zones = Object.fromEntries((flags.zone ?? []).map((z) => {
      const [host, zone] = z.split('=');
      if (!host || !zone) throw new UserError(`--zone ${z}: expected HOST=ZONE`, 2);
      return [host, zone];
    }));
    const opts = { nodes, replicas: flags.replicas, allowSmall: flags['allow-small'], ...authFromFlags(flags), zones, timeoutMs: flags.timeout };
    const prep = await prepareCreate(opts);
    if (!flags.json) {
      this.log2(`Performing hash slots allocation on ${nodes.length} nodes...`);
      this.log(renderPlan(prep.plan));
    }
    try {
      await this.confirm("Can I set the above configuration?", flags.yes || flags.json);
    } catch (err) {
      prep.pool.closeAll();
      throw err;
    }
    const result = await applyCreate(prep, { timeoutMs: flags.timeout, waitForStateOk: flags['wait-state'], onProgress: flags.json ? undefined : (m) => this.log2(m) });
    if (flags.json) this.printJson(result);
    else this.log(`[OK] cluster created: ${result.masters.length} masters, agreed in ${result.agreedMs} ms, replicas linked in ${result.linkedMs} ms${result.readyMs ? `, cluster_state ok in ${result.readyMs} ms` : ''}`);
  }
}
