// Restart after kill -9 from a 1M-key RDB and AOF (issue 20), engine against redis-server: each
// server's datasets are written and the server kill -9ed once, then every round restarts each of them
// (spawn to the first +PONG), the servers in turn (the order rotates each round, so none always runs
// after another on a shared box). Prints medians of wall and CPU time (all the process's threads,
// from /proc schedstat: steadier than wall time on a busy machine), and the RSS of a node started on
// each dataset once it answers (the heap a load leaves behind).
// `--before PATH/main.cjs` adds another engine build (a copy of dist/ from before a change), restarted
// from the engine's datasets in the same rounds: an A/B of two builds next to redis-server.
// Run: npm run build && npx tsx bench/restart-probe.ts [--rounds N] [--keys N] [--only rdb|aof] [--before M]
// Ports 19850-19851 (the durable bench block).
import { parseArgs } from 'node:util';
import { ENGINE_MAIN, startEngine, startRedis, stopAll } from '../test/helpers/procs.js';
import { killedWith, restartOnce, type Kind, type RestartFrom } from './durable.js';
import { median, rssBytes } from './lib.js';

const PORT = 19850;
const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, keys: { type: 'string', default: '1000000' }, only: { type: 'string' }, before: { type: 'string' } },
});
const rounds = Number(values.rounds);
const keys = Number(values.keys);
const what: RestartFrom[] = values.only ? [values.only as RestartFrom] : ['rdb', 'aof'];
const portOf = (k: Kind) => (k === 'redis' ? PORT : PORT + 1);

interface Subject {
  name: string;
  kind: Kind;
  main: string;
}
const subjects: Subject[] = [
  { name: 'redis', kind: 'redis', main: '' },
  { name: 'engine', kind: 'engine', main: ENGINE_MAIN },
  ...(values.before ? [{ name: 'before', kind: 'engine' as const, main: values.before }] : []),
];

try {
  const dirs = new Map<string, string>();
  for (const w of what) for (const k of ['redis', 'engine'] as const) dirs.set(`${k}/${w}`, await killedWith(k, portOf(k), w, keys));
  const wall = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const runs = (m: Map<string, number[]>, key: string) => m.get(key) ?? m.set(key, []).get(key)!;
  for (let r = 0; r < rounds; r++) {
    const order = [...subjects.slice(r % subjects.length), ...subjects.slice(0, r % subjects.length)];
    for (const w of what) {
      for (const s of order) {
        const key = `${s.name}/${w}`;
        runs(wall, key).push(await restartOnce(s.kind, portOf(s.kind), dirs.get(`${s.kind}/${w}`)!, w, runs(cpu, key), s.main));
      }
    }
  }
  console.log(`restart after kill -9, ${keys} keys, ${rounds} rounds (medians, ratio to redis; every run in ms)`);
  for (const w of what) {
    for (const [label, m] of [['wall', wall], ['CPU', cpu]] as const) {
      const redis = median(runs(m, `redis/${w}`));
      const cells = subjects.map((s) => {
        const xs = runs(m, `${s.name}/${w}`);
        return `${s.name} ${median(xs).toFixed(0)}${s.kind === 'engine' ? ` (${(median(xs) / redis).toFixed(2)}x)` : ''} [${xs.map((x) => x.toFixed(0)).join(' ')}]`;
      });
      console.log(`  ${w.toUpperCase()} ${label}: ${cells.join('  ')}`);
    }
  }
  for (const w of what) {
    const rss: string[] = [];
    for (const s of subjects) {
      const start = s.kind === 'engine' ? startEngine : startRedis;
      const aof = w === 'aof' ? ['--appendonly', 'yes', '--auto-aof-rewrite-percentage', '0'] : [];
      const p = await start(portOf(s.kind), { dir: dirs.get(`${s.kind}/${w}`)!, args: aof, main: s.main || undefined });
      rss.push(`${s.name} ${(rssBytes(p.pid) / 2 ** 20).toFixed(1)} MB`);
      await p.stop();
    }
    console.log(`  ${w.toUpperCase()} RSS once loaded: ${rss.join(', ')}`);
  }
} finally {
  await stopAll();
}
