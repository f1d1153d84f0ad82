// Tables for `kvctl up` (endpoints) and `kvctl status` (nodes with pid, state, uptime, restarts, offsets).
import chalk from 'chalk';
import type { TopologyReport } from '../orchestrator/status.js';
import type { UpSummary } from '../orchestrator/up.js';
import { colorState, duration, table } from './table.js';

export function renderUpSummary(s: UpSummary): string {
  const rows = s.nodes.map((n) => [n.name, n.role, n.address, n.pid]);
  const lines = [
    `${chalk.green('✔')} ${s.name} (${s.kind}, ${s.engine} engine) is ready in ${(s.readyMs / 1000).toFixed(2)} s`,
    table(['node', 'role', 'address', 'pid'], rows),
  ];
  if (s.kind === 'sentinel') lines.push(`sentinels: ${s.sentinels?.join(' ')}  master name: ${s.masterName}`);
  else if (s.kind === 'cluster') lines.push(`cluster: redis-cli -c -h ${s.masters[0].split(':')[0]} -p ${s.masters[0].split(':')[1]}`);
  else lines.push(`master: ${s.masters[0]}${s.replicas.length ? `  replicas: ${s.replicas.join(' ')}` : ''}`);
  lines.push(`state: ${s.stateDir}  (kvctl status ${s.name}, kvctl down ${s.name})`);
  return lines.join('\n');
}

function detail(n: TopologyReport['nodes'][number]): string | undefined {
  if (n.monitors) return n.monitors;
  if (n.reason) return n.reason;
  const parts: string[] = [];
  if (n.slots) parts.push(`slots ${n.slots}`);
  if (n.master) parts.push(`of ${n.master} link ${n.link}`);
  return parts.join(', ') || undefined;
}

export function renderStatus(r: TopologyReport): string {
  const sup = r.supervisor.state === 'running' ? chalk.green(`running (pid ${r.supervisor.pid})`) : colorState(r.supervisor.state);
  const rows = r.nodes.map((n) => [n.name, n.role, n.address, n.pid, colorState(n.state), duration(n.uptimeS), n.restarts, n.offset, detail(n)]);
  const notes = r.nodes.flatMap((n) => [
    ...(n.dataLost ? [chalk.red(`${n.name} lost data: ${n.dataLost}`)] : []),
    ...(n.pausedUntil ? [`${n.name} is paused until ${n.pausedUntil}`] : []),
    ...(n.note ? [`${chalk.dim('supervisor:')} ${n.note}`] : []),
  ]);
  return [
    `${chalk.bold(r.name)} (${r.kind}, ${r.engine} engine) in ${r.stateDir}, supervisor ${sup}`,
    table(['node', 'role', 'address', 'pid', 'state', 'uptime', 'restarts', 'offset', 'slots / replication'], rows),
    ...notes,
  ].join('\n');
}
