// The `info replication` view: the node itself, then one row per replica with offsets and lag.
import chalk from 'chalk';
import type { ReplicationReport } from '../orchestrator/replication.js';
import { colorState, table } from './table.js';

export function renderReplication(r: ReplicationReport): string {
  const lines: string[] = [];
  if (r.role === 'replica' && r.master) {
    lines.push(
      `${chalk.bold(r.address)} role ${chalk.cyan('replica')} of ${r.master.address}, link ${colorState(r.master.link)}` +
        `${r.master.syncInProgress ? chalk.yellow(' (sync in progress)') : ''}` +
        `${r.master.lastIoS !== undefined && r.master.lastIoS >= 0 ? `, last I/O ${r.master.lastIoS}s ago` : ''}`,
    );
  } else {
    lines.push(`${chalk.bold(r.address)} role ${chalk.cyan('master')}, ${r.replicas.length} connected replica(s)`);
  }
  lines.push(`replid ${r.replid}  offset ${r.offset}  backlog ${r.backlog.active ? `${r.backlog.histlen}/${r.backlog.size} bytes from offset ${r.backlog.firstByteOffset}` : 'inactive'}`);
  if (r.replicas.length) {
    lines.push(table(['replica', 'state', 'offset', 'lag (bytes)', 'lag (s)'], r.replicas.map((x) => [x.address, colorState(x.state), x.offset, x.lagBytes, x.lagS])));
  }
  return lines.join('\n');
}
