// Summary of a reshard CLI's command trace (src/orchestrator/resp-trace.ts): where its wall time went,
// phase by phase (start-up before the first command, the checks, then each kind of command per
// node: count, span, median and p90 time from send to reply), for bench/reshard-probe.ts --timeline.
import { readFileSync } from 'node:fs';

interface Sent {
  at: number;
  done: number;
  addr: string;
  phase: string;
  /** SETSLOT's slot. */
  slot?: number;
}

function phaseOf(words: string[]): string {
  if (words[0]?.toUpperCase() !== 'CLUSTER') return words[0]!.toUpperCase();
  const sub = words[1]!.toUpperCase();
  return sub === 'SETSLOT' ? `SETSLOT ${words[3]?.toUpperCase() ?? ''}` : `CLUSTER ${sub}`;
}

function parse(file: string): Sent[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => {
    const [at, done, addr, ...words] = l.split(' ');
    const phase = phaseOf(words);
    return { at: Number(at), done: Number(done), addr: addr!, phase, slot: phase.startsWith('SETSLOT') ? Number(words[2]) : undefined };
  });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** Lines describing the trace; `roles` names nodes by address (source, target, other). */
export function timeline(file: string, wallMs: number, roles: Map<string, string>): string[] {
  const sent = parse(file);
  if (sent.length === 0) return ['(no commands traced)'];
  const groups = new Map<string, Sent[]>();
  for (const s of sent) {
    const key = `${s.phase} @${roles.get(s.addr) ?? s.addr}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const first = sent[0]!.at;
  const last = Math.max(...sent.map((s) => s.done));
  const out = [`CLI start to first command ${first.toFixed(0)} ms; last reply at ${last.toFixed(0)} ms; exit (wall ${wallMs.toFixed(0)} ms) ${(wallMs - last).toFixed(0)} ms later`];
  for (const [key, list] of [...groups].sort((a, b) => a[1][0]!.at - b[1][0]!.at)) {
    const lat = list.map((s) => s.done - s.at).sort((a, b) => a - b);
    const from = Math.min(...list.map((s) => s.at));
    const to = Math.max(...list.map((s) => s.done));
    out.push(`  ${key.padEnd(34)} n ${String(list.length).padStart(5)}  ${from.toFixed(0).padStart(5)}-${to.toFixed(0).padStart(5)} ms  send-to-reply median ${pct(lat, 0.5).toFixed(2)} p90 ${pct(lat, 0.9).toFixed(2)} ms`);
  }
  out.push(...perSlot(sent, roles));
  return out;
}

/**
 * A slot's move in four steps, from the SETSLOTs' times (a batch's slots share them): open (IMPORTING
 * sent to MIGRATING answered), keys (to SETSLOT NODE sent to the target: the GETKEYSINSLOT/MIGRATE
 * chain), close on the target, close on the source and the other masters. Means over slots.
 */
function perSlot(sent: Sent[], roles: Map<string, string>): string[] {
  const bySlot = new Map<number, Map<string, Sent>>();
  for (const s of sent) {
    if (s.slot === undefined) continue;
    let m = bySlot.get(s.slot);
    if (!m) bySlot.set(s.slot, (m = new Map()));
    m.set(`${s.phase} @${roles.get(s.addr) ?? s.addr}`, s);
  }
  const steps = { open: 0, keys: 0, 'close target': 0, 'close others': 0 };
  let n = 0;
  for (const m of bySlot.values()) {
    const imp = m.get('SETSLOT IMPORTING @target');
    const mig = m.get('SETSLOT MIGRATING @source');
    const nodeT = m.get('SETSLOT NODE @target');
    const rest = [...m].filter(([k]) => k.startsWith('SETSLOT NODE') && !k.endsWith('@target')).map(([, s]) => s.done);
    if (!imp || !mig || !nodeT || rest.length === 0) continue;
    steps.open += mig.done - imp.at;
    steps.keys += nodeT.at - mig.done;
    steps['close target'] += nodeT.done - nodeT.at;
    steps['close others'] += Math.max(...rest) - nodeT.done;
    n++;
  }
  if (n === 0) return [];
  return [`per slot (mean of ${n}): ${Object.entries(steps).map(([k, v]) => `${k} ${(v / n).toFixed(1)} ms`).join(', ')}`];
}
