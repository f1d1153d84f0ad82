// `npm run bench [-- SECTION... [--quick]]`: runs the chosen sections (default: core), prints one
// table of engine / redis values with their ratio, and writes bench/results/latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { Row } from './lib.js';
import { SECTIONS } from './sections.js';

interface SectionResult {
  name: string;
  rows: Row[];
  notes: string[];
  error?: string;
}

function fmt(n: number): string {
  if (n >= 1000) return Math.round(n).toLocaleString('en-US');
  return n < 10 ? n.toFixed(2) : String(Math.round(n * 10) / 10);
}

/** engine/redis for throughput, redis/engine for costs: above 1 means the engine does better. */
function score(r: Row): number {
  if (r.redis === 0 || r.engine === 0) return 0;
  return r.higherIsBetter ? r.engine / r.redis : r.redis / r.engine;
}

function table(results: SectionResult[]): string {
  const head = ['section', 'metric', 'engine', 'redis', 'unit', 'engine/redis', 'score'];
  const body = results.flatMap((s) =>
    s.rows.map((r) => [s.name, r.metric, fmt(r.engine), fmt(r.redis), r.unit, r.redis ? (r.engine / r.redis).toFixed(2) : '-', score(r).toFixed(2)]),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i !== 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const names = args.filter((a) => !a.startsWith('--'));
  if (args.includes('--list') || args.includes('--help')) {
    for (const s of SECTIONS) console.log(`${s.name.padEnd(14)} ${s.description}`);
    console.log('\nusage: npm run bench -- [section...] [--quick]   (default: core; "all" runs every section)');
    return 0;
  }
  const chosen = names.length === 0 ? ['core'] : names.includes('all') ? SECTIONS.map((s) => s.name) : names;
  const unknown = chosen.filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length > 0) {
    console.error(`unknown section(s): ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const results: SectionResult[] = [];
  for (const name of chosen) {
    const section = SECTIONS.find((s) => s.name === name)!;
    const res: SectionResult = { name, rows: [], notes: [] };
    console.log(`== ${name}: ${section.description}`);
    try {
      res.rows = await section.run({ quick, log: (m) => console.log(`   ${m}`), note: (t) => res.notes.push(t) });
    } catch (e) {
      res.error = (e as Error).message;
      console.error(`   ${name} failed: ${res.error}`);
    }
    results.push(res);
  }
  console.log(`\n${table(results)}\n(score > 1: the engine does better; throughput is engine/redis, time and memory redis/engine)`);
  const redisVersion = execFileSync('redis-server', ['--version']).toString().trim();
  mkdirSync(new URL('results/', import.meta.url), { recursive: true });
  const out = new URL('results/latest.json', import.meta.url);
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, redis: redisVersion, quick, sections: results }, null, 2) + '\n');
  console.log(`wrote ${out.pathname}`);
  return results.some((r) => r.error) ? 1 : 0;
}

main().then((code) => process.exit(code), (e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
