import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../lib/base-command.js';
import { renderTopology } from '../orchestrator/render/index.js';
import { loadTopology } from '../orchestrator/topology/load.js';
import { applyBasePort } from '../orchestrator/topology/validate.js';

export default class Render extends BaseCommand {
  static override description = "Write each node's redis.conf / sentinel.conf for a topology, and change nothing else";
  static override examples = [
    '<%= config.bin %> render cluster --out ./conf',
    '<%= config.bin %> render ./my-topology.yaml --out /tmp/conf --base-port 16000',
  ];
  static override args = {
    topology: Args.string({ description: 'bundled topology or a YAML file', required: true }),
  };
  static override flags = {
    out: Flags.string({ description: 'output folder: one sub-folder per node (default ./<topology name>)' }),
    'base-port': Flags.integer({ description: 'shift every port so the lowest is this one', min: 1, max: 65535 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Render);
    const topo = loadTopology(args.topology);
    if (flags['base-port'] !== undefined) applyBasePort(topo, flags['base-port']);
    const out = path.resolve(flags.out ?? topo.name);
    const files = renderTopology(topo, out).map((r) => ({ node: r.node.name, role: r.node.role, address: `${r.node.host}:${r.node.port}`, conf: r.paths.conf }));
    if (flags.json) return this.printJson({ name: topo.name, kind: topo.kind, out, files });
    for (const f of files) this.log(`${f.node.padEnd(12)} ${f.role.padEnd(8)} ${f.address.padEnd(16)} ${path.relative(process.cwd(), f.conf)}`);
  }
}
