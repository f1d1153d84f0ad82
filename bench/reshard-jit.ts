// Summary of the --trace-opt/--trace-deopt lines one node printed during a reshard, for
// bench/reshard-probe.ts --jit: how many functions TurboFan compiled and what the compile jobs took
// by V8's own figures (prepare + execute on a worker thread + finalize: wall time, so inflated when the
// CPUs are shared), the costliest functions, and the deoptimizations by reason (each one is followed
// by a recompile once the function is hot again).

const COMPILED = /completed compiling .*?<JSFunction ([^ >]*).*took ([\d.]+), ([\d.]+), ([\d.]+) ms/;
const DEOPT = /bailout \(kind: [^,]+, reason: ([^)]+)\): begin\. deoptimizing .*?<JSFunction ([^ >]*)/;

const fn = (name: string) => (name.startsWith('(') ? '(anonymous)' : name);

function top(m: Map<string, { n: number; ms: number }>, k: number): string {
  return [...m].sort((a, b) => b[1].ms - a[1].ms).slice(0, k).map(([name, v]) => `${name} ${v.ms.toFixed(0)} ms${v.n > 1 ? ` (${v.n}x)` : ''}`).join(', ');
}

const counts = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([name, k]) => `${name} ${k}`).join('; ');

/** Lines describing one node's JIT activity; `who` names the node (source, target, other). */
export function jitSummary(lines: string[], who: string): string[] {
  const compiled = new Map<string, { n: number; ms: number }>();
  const reasons = new Map<string, number>();
  const deopted = new Map<string, number>();
  let ms = 0;
  let n = 0;
  let deopts = 0;
  for (const l of lines) {
    const c = COMPILED.exec(l);
    if (c) {
      const t = Number(c[2]) + Number(c[3]) + Number(c[4]);
      const e = compiled.get(fn(c[1]!)) ?? { n: 0, ms: 0 };
      compiled.set(fn(c[1]!), { n: e.n + 1, ms: e.ms + t });
      ms += t;
      n++;
      continue;
    }
    const d = DEOPT.exec(l);
    if (d) {
      deopts++;
      reasons.set(d[1]!, (reasons.get(d[1]!) ?? 0) + 1);
      deopted.set(fn(d[2]!), (deopted.get(fn(d[2]!)) ?? 0) + 1);
    }
  }
  return [
    `${who}: TurboFan compiled ${n} functions, ${ms.toFixed(0)} ms of compile jobs; ${deopts} deopts`,
    `  costliest: ${top(compiled, 8) || '-'}`,
    `  deopt reasons: ${counts(reasons) || '-'}`,
    `  deopted: ${counts(deopted) || '-'}`,
  ];
}
