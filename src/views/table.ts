// A compact cli-table3 table shared by the orchestrator's views.
import Table from 'cli-table3';
import chalk from 'chalk';

export function table(head: string[], rows: Array<Array<string | number | undefined>>): string {
  const t = new Table({ head: head.map((h) => chalk.bold(h)), style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
  for (const r of rows) t.push(r.map((c) => (c === undefined ? '-' : String(c))));
  return t.toString();
}

/** 3725 -> "1h02m", 42 -> "42s". */
export function duration(s: number | undefined): string | undefined {
  if (s === undefined) return undefined;
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function colorState(state: string): string {
  if (state === 'running' || state === 'up' || state === 'online' || state === 'ok') return chalk.green(state);
  if (state === 'failed' || state === 'dead' || state === 'down') return chalk.red(state);
  return chalk.yellow(state);
}
