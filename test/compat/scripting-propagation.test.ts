import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RespClient, type Reply } from '../helpers/resp.js';

/** The payload of a reply (arrays as their elements' payloads). */
function val(r: Reply): unknown {
  if (!('v' in r)) return null;
  return Array.isArray(r.v) ? r.v.map((x) => val(x as Reply)) : r.v;
}
import { diff, script, usePair } from './harness.js';
import { startEngine, startRedis, stopAll } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';

/** The AOF increment a server wrote so far, as readable text. */
function incrAof(dir: string): string {
  const aofDir = path.join(dir, 'appendonlydir');
  const file = readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'));
  if (!file) throw new Error(`no incr AOF in ${aofDir}`);
  // Absolute expiry times differ by the milliseconds between the two servers' runs.
  return readFileSync(path.join(aofDir, file), 'latin1').replace(/\r\n/g, ' ').replace(/PXAT \$13 \d{13}/g, 'PXAT <ms>');
}

async function waitFor(pred: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

const WRITES = script(`
  EVAL "redis.call('set', KEYS[1], ARGV[1]) return redis.call('incr', KEYS[2])" 2 a n v1
  EVAL "return redis.call('set', KEYS[1], 'one write')" 1 single
  EVAL "return redis.call('get', KEYS[1])" 1 a
  EVAL "redis.call('select', 2) redis.call('set', 'in2', 'x') redis.call('select', 0) return redis.call('set', 'back', 'y')" 0
  EVAL "redis.call('sadd', 's', 'a', 'b', 'c') return redis.call('spop', 's')" 0
  EVAL "return redis.call('set', 'ttl', 'v', 'EX', 100)" 0
  EVAL "redis.call('set', 'p1', 1) redis.call('nosuch') return 1" 0
  EVAL "redis.set_repl(redis.REPL_NONE) redis.call('set', 'notpropagated', 1) redis.set_repl(redis.REPL_ALL) return redis.call('set', 'propagated', 1)" 0
  MULTI
  SET m1 1
  EVAL "redis.call('incr', 'm2') return redis.call('incr', 'm2')" 0
  EXEC
  EVAL_RO "return redis.call('get', 'a')" 0
  SCRIPT LOAD "return redis.call('incrby', KEYS[1], ARGV[1])"
  EVALSHA 7f923f79fe76194c868d7e1d0820de36a4d6f2ac 1 counter 5
  SELECT 5
  EVAL "return redis.call('set', 'db5', 'z')" 0
  SELECT 0
  SET after 1
`);

// Scripts propagate their effects, not themselves (Redis 7.0): several writes wrapped in MULTI ... EXEC
// (SELECTs inside), a single one alone, nothing for read-only scripts; replicas end up equal.
describe('script propagation matches redis-server', () => {
  const pair = usePair(PORTS.scripting + 30, ['--appendonly', 'yes', '--appendfsync', 'always']);

  it('writes the same AOF as redis-server', async () => {
    expect(await diff(pair, WRITES.filter((a) => a[0] !== 'EVAL' || !a[1].includes('spop')))).toEqual([]);
    const expected = incrAof(pair.redisProc.dir);
    expect(expected).toContain('MULTI');
    expect(expected).not.toContain('EVAL');
    expect(incrAof(pair.engineProc.dir)).toBe(expected);
  });
});

describe('a redis-server replica and an engine replica of an engine master stay equal through scripts', () => {
  const base = PORTS.scripting + 40;
  const clients: RespClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    await stopAll();
  });

  it('replicates script effects', async () => {
    await startEngine(base);
    await startRedis(base + 1, { args: ['--replicaof', '127.0.0.1', String(base)] });
    await startEngine(base + 2, { args: ['--replicaof', '127.0.0.1', String(base)] });
    const [m, r1, r2] = await Promise.all([base, base + 1, base + 2].map((p) => RespClient.connect(p)));
    clients.push(m, r1, r2);
    for (const r of [r1, r2]) await waitFor(async () => /master_link_status:up/.test(String(val(await r.call(['INFO', 'replication'])))));
    for (const argv of WRITES) await m.call(argv);
    const dump = async (c: RespClient): Promise<string> => {
      const out: string[] = [];
      for (const db of ['0', '2', '5']) {
        await c.call(['SELECT', db]);
        const keys = (val(await c.call(['KEYS', '*'])) as string[]).sort();
        for (const k of keys) {
          const type = String(val(await c.call(['TYPE', k])));
          const v = type === 'string' ? val(await c.call(['GET', k])) : type === 'set' ? (val(await c.call(['SMEMBERS', k])) as string[]).sort() : type;
          out.push(`${db}:${k}=${JSON.stringify(v)}`);
        }
      }
      await c.call(['SELECT', '0']);
      return out.join(' ');
    };
    const want = await dump(m);
    expect(want).toContain('0:notpropagated');
    await waitFor(async () => (await dump(r1)) === want.replace(/0:notpropagated="1" /, ''));
    await waitFor(async () => (await dump(r2)) === want.replace(/0:notpropagated="1" /, ''));
  }, 30_000);
});
