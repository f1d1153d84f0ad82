// Helpers for the persistence tests: a dataset of every type (binary values, TTLs, small and large
// aggregates, several dbs) built with commands, and a canonical dump of a server's contents that two
// servers can be compared with.
import { RespClient, type Reply } from '../helpers/resp.js';

const bin = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256));

/** Commands building the dataset (each one works on redis-server 7.0 and the engine). */
export function datasetCommands(): (string | Buffer)[][] {
  const cmds: (string | Buffer)[][] = [];
  const big = (n: number, f: (i: number) => string[]) => Array.from({ length: n }, (_, i) => f(i)).flat();
  cmds.push(['SET', 'str:plain', 'hello']);
  cmds.push(['SET', 'str:int', '12345']);
  cmds.push(['SET', 'str:neg', '-7']);
  cmds.push(['SET', 'str:bigint', '9223372036854775807']);
  cmds.push(['SET', 'str:empty', '']);
  cmds.push(['SET', 'str:bin', bin]);
  cmds.push(['SET', Buffer.from([0, 1, 255, 10]), 'binary key']);
  cmds.push(['SET', 'str:compressible', 'abc'.repeat(500)]);
  cmds.push(['SET', 'str:ttl', 'v', 'PX', '3600000']);
  cmds.push(['RPUSH', 'list:small', 'a', '1', '-2', '300000', bin]);
  cmds.push(['RPUSH', 'list:big', ...big(3000, (i) => [i % 3 ? `item-${i}` : String(i * 1000)])]);
  cmds.push(['HSET', 'hash:small', 'f1', 'v1', 'n', '42', 'bin', bin.subarray(0, 40)]);
  cmds.push(['HSET', 'hash:big', ...big(700, (i) => [`field:${i}`, `value:${i}`])]);
  cmds.push(['HSET', 'hash:longval', 'f', 'x'.repeat(200)]);
  cmds.push(['SADD', 'set:ints', '1', '-5', '70000', '5000000000']);
  cmds.push(['SADD', 'set:bigints', ...big(600, (i) => [String(i * 7)])]);
  cmds.push(['SADD', 'set:strs', 'a', 'b', 'c', bin]);
  cmds.push(['ZADD', 'zset:small', '1', 'a', '2.5', 'b', '-inf', 'lo', 'inf', 'hi', '0', 'zero']);
  cmds.push(['ZADD', 'zset:big', ...big(400, (i) => [String(i / 3), `m${i}`])]);
  cmds.push(['ZADD', 'zset:longmember', '1', 'y'.repeat(100)]);
  cmds.push(['EXPIRE', 'hash:small', '7200']);
  cmds.push(['SELECT', '3']);
  cmds.push(['SET', 'db3:key', 'in db 3']);
  cmds.push(['RPUSH', 'db3:list', 'x', 'y']);
  cmds.push(['SELECT', '0']);
  return cmds;
}

export async function fillDataset(c: RespClient): Promise<void> {
  for (const cmd of datasetCommands()) {
    const r = await c.call(cmd);
    if (r.t === 'error') throw new Error(`${cmd.map(String).join(' ').slice(0, 60)}: ${r.v}`);
  }
}

function flat(r: Reply): string[] {
  if (r.t === 'bulk') return [r.v ?? '(nil)'];
  if (r.t === 'int' || r.t === 'simple' || r.t === 'double') return [r.v];
  if ((r.t === 'array' || r.t === 'set') && r.v) return r.v.flatMap(flat);
  if (r.t === 'map') return r.v.flatMap(([k, v]) => [...flat(k), ...flat(v)]);
  throw new Error(`unexpected reply ${JSON.stringify(r)}`);
}

function pairsSorted(items: string[]): string[] {
  const pairs: string[] = [];
  for (let i = 0; i < items.length; i += 2) pairs.push(`${items[i]}\u0000${items[i + 1]}`);
  return pairs.sort();
}

/** Every key of every db with its type, value and absolute expire time, in a comparable form. */
export async function contents(c: RespClient, dbs = 16): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (let db = 0; db < dbs; db++) {
    await c.call(['SELECT', String(db)]);
    const keys = flat(await c.call(['KEYS', '*']));
    for (const k of keys.sort()) {
      const type = flat(await c.call(['TYPE', k]))[0];
      let value: unknown;
      if (type === 'string') value = flat(await c.call(['GET', k]))[0];
      else if (type === 'list') value = flat(await c.call(['LRANGE', k, '0', '-1']));
      else if (type === 'hash') value = pairsSorted(flat(await c.call(['HGETALL', k])));
      else if (type === 'set') value = flat(await c.call(['SMEMBERS', k])).sort();
      else if (type === 'zset') value = flat(await c.call(['ZRANGE', k, '0', '-1', 'WITHSCORES']));
      else value = `unsupported type ${type}`;
      const exp = flat(await c.call(['PEXPIRETIME', k]))[0];
      out[`${db}:${Buffer.from(k, 'latin1').toString('hex')}`] = { type, value, exp };
    }
  }
  await c.call(['SELECT', '0']);
  return out;
}

export async function withClient<T>(port: number, fn: (c: RespClient) => Promise<T>): Promise<T> {
  const c = await RespClient.connect(port);
  try {
    // A server answers -LOADING while it reads its dataset (slow on a busy CI machine): wait it out.
    for (let i = 0; i < 500; i++) {
      const r = await c.call(['PING']);
      if (!(r.t === 'error' && r.v.startsWith('LOADING'))) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    return await fn(c);
  } finally {
    c.close();
  }
}
