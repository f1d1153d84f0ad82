// `kvctl logs NODE`: find a node's log across the topologies under home, print its tail, optionally follow.
import { createReadStream, existsSync, readFileSync, statSync, watchFile, unwatchFile } from 'node:fs';
import path from 'node:path';
import { UserError } from '../lib/errors.js';
import { listTopologies, readPlan, supervisorLog } from './supervisor/state.js';

export interface LogRef {
  topology: string;
  node: string;
  file: string;
}

/** NODE is a node name, TOPOLOGY/NODE, or TOPOLOGY/supervisor. */
export function findLog(home: string, ref: string, topology?: string): LogRef {
  const [t, n] = ref.includes('/') ? ref.split('/', 2) : [topology, ref];
  const candidates: LogRef[] = [];
  for (const name of t ? [t] : listTopologies(home)) {
    const dir = path.join(home, name);
    const plan = readPlan(dir);
    if (!plan) continue;
    if (n === 'supervisor') candidates.push({ topology: name, node: n, file: supervisorLog(dir) });
    for (const node of plan.nodes) if (node.name === n) candidates.push({ topology: name, node: n, file: node.log });
  }
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) {
    throw new UserError(`node '${n}' is in several topologies (${candidates.map((c) => c.topology).join(', ')}): say which, e.g. ${candidates[0].topology}/${n}`, 2);
  }
  const known = (t ? [t] : listTopologies(home)).flatMap((name) => (readPlan(path.join(home, name))?.nodes ?? []).map((x) => `${name}/${x.name}`));
  throw new UserError(`no node '${ref}' in ${home} (${known.length ? `nodes: ${known.join(', ')}` : 'no topology is there'})`, 2);
}

export function lastLines(file: string, lines: number): string {
  if (!existsSync(file) || lines <= 0) return '';
  const all = readFileSync(file, 'utf8').split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all.slice(-lines).join('\n') + (all.length ? '\n' : '');
}

/** Streams what is appended to file to out until signal aborts. */
export function follow(file: string, out: (chunk: string) => void, signal: AbortSignal): Promise<void> {
  let pos = existsSync(file) ? statSync(file).size : 0;
  let reading = false;
  const read = (): void => {
    if (reading || !existsSync(file)) return;
    const size = statSync(file).size;
    if (size < pos) pos = 0; // truncated or replaced
    if (size === pos) return;
    reading = true;
    const s = createReadStream(file, { start: pos, end: size - 1, encoding: 'utf8' });
    s.on('data', (d) => out(String(d)));
    s.on('close', () => { pos = size; reading = false; });
  };
  watchFile(file, { interval: 200 }, read);
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => { unwatchFile(file, read); resolve(); }, { once: true });
  });
}
