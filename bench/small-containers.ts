// Memory of many small containers (a set/hash/zset/list per user, session or job): 100k keys each
// holding a 1-member set, a 1-field hash, a 3-member zset or a 1-element list. Per case, a fresh
// redis-server and engine (and, with --old, a second engine build) are loaded over one pipelined
// connection; printed are bytes per key of used_memory and of RSS over the same server empty.
// Servers run one at a time, each measured the same way. Ports 19970-19972, or --port P and the two after.
// Run: npx tsx bench/small-containers.ts [--port P] [--keys N] [--old /path/to/old/dist/engine/main.cjs] [--only set,hash]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEngine, startRedis, type Proc } from '../test/helpers/procs.js';
import { RespClient } from '../test/helpers/resp.js';
import { pipelineLoad, rssBytes } from './lib.js';

const { values: opt } = parseArgs({
  options: {
    keys: { type: 'string', default: '100000' },
    port: { type: 'string', default: '19970' },
    old: { type: 'string' },
    only: { type: 'string' },
  },
});
const KEYS = Number(opt.keys);
const PORT = Number(opt.port);

const CASES: Record<string, (i: number) => string[]> = {
  set: (i) => ['SADD', `s:${i}`, 'm'],
  hash: (i) => ['HSET', `h:${i}`, 'f', 'v'],
  zset: (i) => ['ZADD', `z:${i}`, '1', 'a', '2', 'b', '3', 'c'],
  list: (i) => ['RPUSH', `l:${i}`, 'e'],
};

async function info(port: number): Promise<number> {
  const c = await RespClient.connect(port);
  try {
    const r = await c.call(['INFO', 'memory']);
    const m = r.t === 'bulk' && r.v !== null ? /used_memory:(\d+)/.exec(r.v) : null;
    if (!m) throw new Error(`no used_memory in INFO from ${port}`);
    return Number(m[1]);
  } finally {
    c.close();
  }
}

/** used_memory and RSS, empty and loaded, of one freshly started server. */
async function measure(start: () => Promise<Proc>, argvAt: (i: number) => string[]): Promise<{ used: number; rss: number }> {
  const p = await start();
  try {
    await new Promise((r) => setTimeout(r, 300));
    const used0 = await info(p.port);
    const rss0 = rssBytes(p.pid);
    await pipelineLoad(p.port, KEYS, argvAt);
    await new Promise((r) => setTimeout(r, 500));
    const used1 = await info(p.port);
    const rss1 = rssBytes(p.pid);
    return { used: (used1 - used0) / KEYS, rss: (rss1 - rss0) / KEYS };
  } finally {
    await p.stop();
  }
}

const servers: [string, () => Promise<Proc>][] = [
  ['redis', () => startRedis(PORT)],
  ['engine', () => startEngine(PORT + 1)],
];
if (opt.old) servers.push(['engine-old', () => startEngine(PORT + 2, { main: path.resolve(opt.old as string) })]);

const only = opt.only ? new Set(opt.only.split(',')) : null;
console.log(`${KEYS} keys per case; bytes per key over an empty server`);
console.log(['case', ...servers.flatMap(([n]) => [`${n} used`, `${n} rss`])].join('\t'));
for (const [name, argvAt] of Object.entries(CASES)) {
  if (only && !only.has(name)) continue;
  const row = [name];
  for (const [, start] of servers) {
    const m = await measure(start, argvAt);
    row.push(m.used.toFixed(0), m.rss.toFixed(0));
  }
  console.log(row.join('\t'));
}
