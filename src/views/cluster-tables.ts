// Renderers for the cluster commands: redis-cli-style text plus cli-table3 tables.
import Table from 'cli-table3';
import chalk from 'chalk';
import type { CreatePlan } from '../admin/create.js';
import type { ClusterInfo, NodeRow } from '../admin/info.js';
import type { CheckReport } from '../admin/check.js';
import { SLOTS } from '../admin/slots.js';

function slotCount(text: string): number {
  return text.split('-').length === 2 ? Number(text.split('-')[1]) - Number(text.split('-')[0]) + 1 : 1;
}

/** The plan as redis-cli prints it (M:/S: lines), then as a table. */
export function renderPlan(plan: CreatePlan): string {
  const lines: string[] = [];
  plan.masters.forEach((m, i) => lines.push(`Master[${i}] -> Slots ${m.slotsText.replace('-', ' - ')}`));
  for (const m of plan.masters) for (const r of m.replicas) lines.push(`Adding replica ${r.addr} to ${m.addr}`);
  for (const m of plan.masters) {
    lines.push(`M: ${m.id} ${m.addr}`, `   slots:[${m.slotsText}] (${slotCount(m.slotsText)} slots) master`);
  }
  for (const m of plan.masters) for (const r of m.replicas) lines.push(`S: ${r.id} ${r.addr}`, `   replicates ${m.id}`);
  const t = new Table({ head: ['role', 'address', 'id', 'slots', 'master'] });
  for (const m of plan.masters) {
    t.push(['master', m.addr, m.id.slice(0, 12), m.slotsText, '']);
    for (const r of m.replicas) t.push(['  replica', r.addr, r.id.slice(0, 12), '', m.addr]);
  }
  const score = plan.score === 0 ? chalk.green('0 (no shared hosts)') : chalk.yellow(String(plan.score));
  lines.push(t.toString(), `anti-affinity score: ${score}${plan.zoneScore ? `, zone score ${plan.zoneScore}` : ''}`);
  return lines.join('\n');
}

/** `cluster nodes` grouped by master: each master followed by its replicas. */
export function renderNodes(rows: NodeRow[]): string {
  const t = new Table({ head: ['role', 'address', 'id', 'slots', 'link', 'epoch', 'flags'] });
  const masters = rows.filter((r) => r.role === 'master').sort((a, b) => a.addr.localeCompare(b.addr, 'en', { numeric: true }));
  const flags = (r: NodeRow) => r.flags.filter((f) => f !== 'master' && f !== 'slave').join(',') || '-';
  const link = (r: NodeRow) => (r.linkState === 'connected' ? chalk.green(r.linkState) : chalk.red(r.linkState));
  const seen = new Set<string>();
  for (const m of masters) {
    const slots = [m.slotCount ? `${m.slots} (${m.slotCount})` : '-', ...m.open].join(' ');
    t.push([chalk.bold('master'), m.addr, m.id, slots, link(m), m.configEpoch, flags(m)]);
    seen.add(m.id);
    for (const r of rows.filter((x) => x.masterId === m.id)) {
      t.push(['  replica', r.addr, r.id, '', link(r), r.configEpoch, flags(r)]);
      seen.add(r.id);
    }
  }
  for (const r of rows.filter((x) => !seen.has(x.id))) t.push([r.role, r.addr, r.id, '', link(r), r.configEpoch, flags(r)]);
  return t.toString();
}

export function renderInfo(info: ClusterInfo): string {
  const t = new Table({ head: ['master', 'id', 'keys', 'slots', 'replicas'] });
  for (const m of info.masters) t.push([m.addr, m.id.slice(0, 12), m.keys, m.slots, m.replicas]);
  const avg = info.slots ? (info.keys / info.slots).toFixed(2) : '0';
  const lines = [t.toString(), `[OK] ${info.keys} keys in ${info.masters.length} masters; ${avg} keys per slot on average.`];
  if (info.unreachable.length) lines.push(chalk.red(`unreachable: ${info.unreachable.join(', ')}`));
  return lines.join('\n');
}

export function renderCheck(r: CheckReport): string {
  const lines = [`${r.seed}: ${r.nodes} nodes, ${r.masters} masters`];
  lines.push(r.problems.length ? chalk.red(`[ERR] ${r.problems.length} problem(s):`) : chalk.green('[OK] All nodes agree about slots configuration.'));
  for (const p of r.problems) lines.push(`  - ${p}`);
  if (!r.openSlots.length && !r.problems.some((p) => p.startsWith('open slot'))) lines.push('>>> Check for open slots... none');
  lines.push(r.coveredSlots === SLOTS ? chalk.green(`[OK] All ${SLOTS} slots covered.`) : chalk.red(`[ERR] ${r.coveredSlots} of ${SLOTS} slots covered.`));
  return lines.join('\n');
}
