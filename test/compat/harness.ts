// Differential testing: the same command sequence goes to a real redis-server and to the engine, and
// every reply must be identical (types included). One pair of servers per test file.
import { afterAll, beforeAll } from 'vitest';
import { startEngine, startRedis, stopAll, type Proc } from '../helpers/procs.js';
import { RespClient, type Reply } from '../helpers/resp.js';

export interface Pair {
  redis: RespClient;
  engine: RespClient;
  redisProc: Proc;
  engineProc: Proc;
  /** Sends argv to both, returns both replies. */
  both(args: (string | Buffer)[]): Promise<{ redis: Reply; engine: Reply }>;
  /** Fresh connections to both (for multi-client scenarios). */
  connect(): Promise<{ redis: RespClient; engine: RespClient }>;
}

/**
 * Starts redis-server on `port` and the engine on `port + 1` for the file's tests.
 * `args` are extra directives for both servers.
 */
export function usePair(port: number, args: string[] = []): Pair {
  const pair = {} as Pair;
  const extra: RespClient[] = [];
  beforeAll(async () => {
    const [r, e] = await Promise.all([startRedis(port, { args }), startEngine(port + 1, { args })]);
    pair.redisProc = r;
    pair.engineProc = e;
    pair.redis = await RespClient.connect(port);
    pair.engine = await RespClient.connect(port + 1);
    pair.both = async (argv) => {
      const [redis, engine] = await Promise.all([pair.redis.call(argv), pair.engine.call(argv)]);
      return { redis, engine };
    };
    pair.connect = async () => {
      const c = { redis: await RespClient.connect(port), engine: await RespClient.connect(port + 1) };
      extra.push(c.redis, c.engine);
      return c;
    };
  });
  afterAll(async () => {
    pair.redis?.close();
    pair.engine?.close();
    for (const c of extra) c.close();
    await stopAll();
  });
  return pair;
}

/** Runs each command on both servers and returns a transcript of mismatches (empty = identical). */
export async function diff(pair: Pair, script: (string | Buffer)[][]): Promise<string[]> {
  const out: string[] = [];
  for (const argv of script) {
    const { redis, engine } = await pair.both(argv);
    const a = JSON.stringify(redis);
    const b = JSON.stringify(engine);
    if (a !== b) out.push(`${argv.map(String).join(' ')}\n  redis:  ${a}\n  engine: ${b}`);
  }
  return out;
}

/** Parses a script written one command per line, arguments split like redis-cli (quotes allowed). */
export function script(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => (l.match(/"(?:[^"\\]|\\.)*"|'[^']*'|\S+/g) ?? []).map((t) => (t.startsWith('"') ? JSON.parse(t) : t.startsWith("'") ? t.slice(1, -1) : t)));
}

export type Side = 'redis' | 'engine';
export type Log = (what: string, r: Reply | string) => void;
/** A multi-client scenario run once per server; log() records what each client saw. */
export type Scenario = (clients: RespClient[], log: Log) => Promise<void>;

/** Waits until the server reports n blocked clients (so blocking order is deterministic). */
export async function blockedClients(c: RespClient, n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const r = await c.call(['INFO', 'clients']);
    const m = /blocked_clients:(\d+)/.exec(String(r.t === 'bulk' || r.t === 'verbatim' ? r.v : ''));
    if (m && Number(m[1]) === n) return;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`never saw ${n} blocked clients`);
}

/** Runs the scenario with n fresh clients on redis-server, then on the engine (after FLUSHALL). */
export async function transcripts(pair: Pair, n: number, scenario: Scenario): Promise<{ redis: string[]; engine: string[] }> {
  const result = { redis: [] as string[], engine: [] as string[] };
  for (const side of ['redis', 'engine'] as Side[]) {
    const clients: RespClient[] = [];
    for (let i = 0; i < n; i++) clients.push((await pair.connect())[side]);
    await clients[0].call(['FLUSHALL']);
    await scenario(clients, (what, r) => result[side].push(`${what} ${typeof r === 'string' ? r : JSON.stringify(r)}`));
    for (const c of clients) c.close();
  }
  return result;
}
