// CPU per request of the engine's JavaScript request path alone: parse, dispatch, handler, reply
// encoding, for a pipeline fed to an in-process server (no socket, no syscalls, no event loop). It
// measures this process's own CPU time (process.cpuUsage), so it moves less with the box's load than
// a redis-benchmark run does: the figure to compare before/after a change to the generic path.
// Usage: npx tsx bench/request-path.ts [--main DIR] [--tests ping_inline,get,set,...] [-P 16] [-n 400000] [--rounds 5]
//   [--keys 100000] (distinct keys, as redis-benchmark -r; a few hundred fit in the CPU caches)
//   --main DIR: the dist/engine directory to load (default: this checkout's dist/engine); give two,
//   comma-separated, to alternate them (before/after in one run).
//   --flush: FLUSHALL before each round, so the data-type tests replay redis-benchmark's sequence
//   (SADD grows a set to ~KEYS members, SPOP then empties it; likewise LPUSH/LPOP, ZADD/ZPOPMIN).
// It runs under the engine's V8 flags (re-running itself with them when started without): the young
// generation's size decides how often surviving values are copied, and a bench process with V8's
// default (4x larger) hid a 15% SET cost the engine pays.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENGINE_NODE_FLAGS } from '../src/engine/v8-flags.cjs';
import { median } from './lib.js';

const withFlags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(' ')];
if (!ENGINE_NODE_FLAGS.every((f) => withFlags.includes(f))) {
  const r = spawnSync(process.execPath, [...ENGINE_NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const MAINS = flag('--main', 'dist/engine').split(',').map((d) => path.resolve(d));
const TESTS = flag('--tests', 'ping_mbulk,set,get,incr,mset').split(',');
const PIPE = Number(flag('-P', '16'));
const N = Number(flag('-n', '400000'));
const ROUNDS = Number(flag('--rounds', '5'));
const KEYS = Number(flag('--keys', '100000'));
const FLUSH = process.argv.includes('--flush');

/** The request redis-benchmark's test sends, with key:<12 digits> from a fixed sequence. */
function request(test: string, i: number): string[] {
  const key = 'key:' + String((i * 7919) % KEYS).padStart(12, '0');
  switch (test) {
    case 'ping_mbulk': case 'ping_inline': return ['PING'];
    case 'set': return ['SET', key, 'xxx'];
    case 'get': return ['GET', key];
    case 'incr': return ['INCR', 'counter:' + String((i * 7919) % KEYS).padStart(12, '0')];
    case 'mset': {
      const out = ['MSET'];
      for (let k = 0; k < 10; k++) out.push('key:' + String((i * 7919 + k) % KEYS).padStart(12, '0'), 'xxx');
      return out;
    }
    // The data-type tests as redis-benchmark sends them: one key each, members element:<12 digits>.
    case 'sadd': return ['SADD', 'myset', 'element:' + String((i * 7919) % KEYS).padStart(12, '0')];
    case 'spop': return ['SPOP', 'myset'];
    case 'hset': return ['HSET', 'myhash', 'element:' + String((i * 7919) % KEYS).padStart(12, '0'), 'xxx'];
    case 'lpush': return ['LPUSH', 'mylist', 'xxx'];
    case 'lpop': return ['LPOP', 'mylist'];
    // The score varies between passes over the members (a member re-added with its own score changes nothing).
    case 'zadd': return ['ZADD', 'myzset', String((Math.imul(i, 0x9e3779b1) >>> 0) % KEYS).padStart(12, '0'), 'element:' + String((i * 7919) % KEYS).padStart(12, '0')];
    case 'zpopmin': return ['ZPOPMIN', 'myzset'];
    default: throw new Error(`unknown test ${test}`);
  }
}

function encode(argv: string[]): string {
  return `*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}

/** Pipelines of PIPE requests, as many distinct ones as it takes to cycle through the keys. */
function batches(test: string): Buffer[] {
  const out: Buffer[] = [];
  // ZADD's scores differ between passes only when there are N distinct requests to send.
  const count = test === 'zadd' ? Math.max(KEYS, N) : KEYS;
  for (let i = 0; i < count; i += PIPE) {
    let s = '';
    for (let j = 0; j < PIPE; j++) s += test === 'ping_inline' ? 'PING\r\n' : encode(request(test, i + j));
    out.push(Buffer.from(s, 'latin1'));
  }
  return out;
}

interface Harness {
  feed(chunk: Buffer): void;
}

interface EngineModules {
  loadServerConfig(argv: string[]): unknown;
  Server: new (cfg: unknown, log: unknown) => { dbs: unknown[]; config: { int(n: string): number } };
  Logger: new () => { level: string };
  Client: new (id: number, sock: null, db: unknown, maxBulk: number, auth: boolean) => { reply: { flush(sink: () => void): number } };
  registerCoreInfo(srv: unknown): void;
  installSubsystems(srv: unknown): Promise<void>;
}

async function load(dir: string): Promise<EngineModules> {
  const imp = (f: string) => import(pathToFileURL(path.join(dir, f)).href);
  const [config, server, log, client, info, subs] = await Promise.all([
    imp('config.js'), imp('server.js'), imp('log.js'), imp('client.js'), imp('info-core.js'), imp('subsystems.js'),
  ]);
  return {
    loadServerConfig: config.loadServerConfig,
    Server: server.Server,
    Logger: log.Logger,
    Client: client.Client,
    registerCoreInfo: info.registerCoreInfo,
    installSubsystems: subs.installSubsystems,
  };
}

/** A server with no listener and one socketless client whose bytes go through the server's onData. */
async function harness(m: EngineModules): Promise<Harness> {
  const cfg = m.loadServerConfig(['--port', '0', '--save', '', '--appendonly', 'no', '--loglevel', 'warning']);
  const log = new m.Logger();
  log.level = 'warning';
  const srv = new m.Server(cfg, log);
  m.registerCoreInfo(srv);
  await m.installSubsystems(srv);
  const c = new m.Client(1, null, srv.dbs[0], srv.config.int('proto-max-bulk-len'), false);
  const s = srv as unknown as {
    onData(c: unknown, chunk: Buffer, transient: boolean, run: (argv: Buffer[]) => void, runArgs: (args: unknown) => void): void;
    runCommand(c: unknown, argv: Buffer[]): void;
    /** Builds with read-buffer views (CommandArgs); an older build ignores onData's fifth argument. */
    runArgs?(c: unknown, args: unknown): void;
  };
  const run = (argv: Buffer[]) => s.runCommand(c, argv);
  const runArgs = (args: unknown) => (s.runArgs as NonNullable<typeof s.runArgs>).call(s, c, args);
  const drop = () => undefined;
  return {
    feed(chunk) {
      s.onData(c, chunk, true, run, runArgs);
      c.reply.flush(drop); // no socket: discard the replies
    },
  };
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function main(): Promise<void> {
  const engines = await Promise.all(MAINS.map(async (d) => ({ dir: d, h: await harness(await load(d)) })));
  const data = new Map(TESTS.map((t) => [t, batches(t)]));
  // Every engine gets the keys first (GET hits), then a warm-up pass of each test.
  for (const e of engines) {
    for (const b of batches('set')) e.h.feed(b);
    for (const t of TESTS) for (const b of data.get(t) ?? []) e.h.feed(b);
  }
  const results = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r++) {
    if (FLUSH) for (const e of engines) e.h.feed(Buffer.from('*1\r\n$8\r\nFLUSHALL\r\n'));
    for (const t of TESTS) {
      const bs = data.get(t) ?? [];
      const order = r % 2 === 0 ? engines : [...engines].reverse();
      for (const e of order) {
        const c0 = cpuUs();
        let n = 0;
        for (let i = 0; n < N; i = (i + 1) % bs.length, n += PIPE) e.h.feed(bs[i]);
        const k = `${t}|${e.dir}`;
        results.set(k, [...(results.get(k) ?? []), (cpuUs() - c0) / n]);
      }
    }
  }
  console.log(`JS request path, CPU us/request (median of ${ROUNDS}), pipelines of ${PIPE}, ${N} requests per test, ${KEYS} keys`);
  console.log('test'.padEnd(12) + engines.map((e, i) => `#${i}`.padStart(9)).join(''));
  for (const t of TESTS) console.log(t.padEnd(12) + engines.map((e) => median(results.get(`${t}|${e.dir}`) ?? [0]).toFixed(3).padStart(9)).join(''));
  engines.forEach((e, i) => console.log(`#${i} ${e.dir}`));
  process.exit(0);
}

await main();
