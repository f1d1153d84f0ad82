// The sliding-window rate limiter many apps run per user: MULTI, ZADD key now member,
// ZREMRANGEBYSCORE key -inf now-window, ZCARD key, EXPIRE key, EXEC. Clients send pipelines of such
// transactions on random keys while a virtual clock advances one ms per transaction, so each key's
// zset holds about window/keys entries (6 by default) and stays listpack-sized. Printed: server CPU (all threads, schedstat) per transaction and transactions
// per second, engine against redis-server (and --old, another engine build), median of alternating
// rounds after one unmeasured warm-up round per server.
// Run under the bench lock: flock /work/wt/bench.lock npx tsx bench/rate-limiter.ts [--port 19950]
//   [--keys 10000] [--window 60000] [-n 200000] [-P 16] [-c 50] [--rounds 3] [--old PATH/main.cjs]
// Ports: --port (default 19950) and the two after it.
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEngine, startRedis, type Proc } from '../test/helpers/procs.js';
import { cpuNs, median, pipelineBatches, respCommand } from './lib.js';

const { values: opt } = parseArgs({
  options: {
    port: { type: 'string', default: '19950' },
    keys: { type: 'string', default: '10000' },
    window: { type: 'string', default: '60000' },
    n: { type: 'string', short: 'n', default: '200000' },
    P: { type: 'string', short: 'P', default: '16' },
    c: { type: 'string', short: 'c', default: '50' },
    rounds: { type: 'string', default: '3' },
    old: { type: 'string' },
  },
});
const PORT = Number(opt.port);
const KEYS = Number(opt.keys);
const WINDOW = Number(opt.window);
const N = Number(opt.n);
const PIPE = Number(opt.P);
const CONNS = Number(opt.c);
const ROUNDS = Number(opt.rounds);
/** Every reply of one transaction is a single line: +OK, 4 x +QUEUED, *4 and four integers. */
const LINES_PER_TX = 10;

/** Per server: its virtual clock, so every server sees the same sequence of windows. */
const clocks = new Map<number, number>();

function transaction(port: number): string {
  const now = (clocks.get(port) ?? 1_000_000) + 1;
  clocks.set(port, now);
  const key = `rl:${Math.floor(Math.random() * KEYS)}`;
  return (
    respCommand(['MULTI']) +
    respCommand(['ZADD', key, String(now), `${now}-${Math.floor(Math.random() * 1e6)}`]) +
    respCommand(['ZREMRANGEBYSCORE', key, '-inf', String(now - WINDOW)]) +
    respCommand(['ZCARD', key]) +
    respCommand(['EXPIRE', key, '3600']) +
    respCommand(['EXEC'])
  );
}

/** One client: pipelines of PIPE transactions until `share` are done. */
function client(port: number, share: number): Promise<void> {
  return pipelineBatches(port, Math.ceil(share / PIPE), (b) => {
    const k = Math.min(PIPE, share - b * PIPE);
    let text = '';
    for (let j = 0; j < k; j++) text += transaction(port);
    return { text, lines: k * LINES_PER_TX };
  });
}

/** Runs N transactions over CONNS clients; returns server CPU us per transaction and transactions/s. */
async function round(p: Proc): Promise<{ us: number; tps: number }> {
  const cpu0 = cpuNs(p.pid);
  const t0 = performance.now();
  const share = Math.ceil(N / CONNS);
  await Promise.all(Array.from({ length: CONNS }, () => client(p.port, share)));
  const secs = (performance.now() - t0) / 1000;
  const total = share * CONNS;
  return { us: (cpuNs(p.pid) - cpu0) / 1000 / total, tps: total / secs };
}

async function main(): Promise<void> {
  const servers: [string, Proc][] = [
    ['redis', await startRedis(PORT)],
    ['engine', await startEngine(PORT + 1)],
  ];
  if (opt.old) servers.push(['engine-old', await startEngine(PORT + 2, { main: path.resolve(opt.old) })]);
  try {
    for (const [, p] of servers) await round(p);
    const us = new Map<string, number[]>();
    const tps = new Map<string, number[]>();
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, p] of r % 2 === 0 ? servers : [...servers].reverse()) {
        const m = await round(p);
        us.set(name, [...(us.get(name) ?? []), m.us]);
        tps.set(name, [...(tps.get(name) ?? []), m.tps]);
      }
    }
    console.log(`rate limiter: MULTI ZADD/ZREMRANGEBYSCORE/ZCARD/EXPIRE/EXEC, ${KEYS} keys, window ${WINDOW} of a clock +1 per transaction, -c ${CONNS} -P ${PIPE} -n ${N}, median of ${ROUNDS} rounds`);
    for (const [name, p] of servers) {
      const z = await zcardSample(p.port);
      console.log(`${name.padEnd(11)} ${median(us.get(name) ?? [0]).toFixed(2).padStart(7)} us/tx ${median(tps.get(name) ?? [0]).toFixed(0).padStart(8)} tx/s   (mean zset size ${z.toFixed(1)})`);
    }
  } finally {
    for (const [, p] of servers) await p.stop();
  }
}

/** The mean ZCARD of 100 keys (the window size the run reached). */
async function zcardSample(port: number): Promise<number> {
  const s = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve) => s.once('connect', () => resolve()));
  let buf = '';
  const want = 100;
  const got = await new Promise<number[]>((resolve) => {
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const lines = buf.split('\r\n').filter((l) => l.startsWith(':'));
      if (lines.length >= want) resolve(lines.map((l) => Number(l.slice(1))));
    });
    let out = '';
    for (let i = 0; i < want; i++) out += respCommand(['ZCARD', `rl:${i}`]);
    s.write(out);
  });
  s.destroy();
  return got.reduce((a, b) => a + b, 0) / got.length;
}

await main();
