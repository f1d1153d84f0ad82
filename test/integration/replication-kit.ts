// Shared by the replication tests: ioredis connections, INFO parsing, a workload touching every
// type the engine has (across dbs, with TTLs, MULTI/EXEC and non-deterministic commands), and a
// whole-dataset dump to compare a master with its replicas.
import { Redis } from 'ioredis';

const open: Redis[] = [];

export function conn(port: number, password?: string): Redis {
  const r = new Redis({ host: '127.0.0.1', port, password, maxRetriesPerRequest: 2 });
  open.push(r);
  return r;
}

export function closeConns(): void {
  for (const r of open.splice(0)) r.disconnect();
}

export async function info(r: Redis, section: string): Promise<Record<string, string>> {
  const text = (await r.info(section)) as string;
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Polls until fn returns true (no timing assertions: just a generous upper bound). */
export async function until(fn: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Until the replica's link is up and it has applied everything the master has. */
export async function caughtUp(master: Redis, replica: Redis): Promise<void> {
  await until(async () => {
    const [m, s] = await Promise.all([info(master, 'replication'), info(replica, 'replication')]);
    return s.master_link_status === 'up' && s.slave_repl_offset === m.master_repl_offset;
  }, 'the replica to catch up');
}

/** Writes a bit of everything; `tag` keeps successive rounds apart. */
export async function workload(r: Redis, tag: string): Promise<void> {
  const big = Buffer.alloc(70_000, tag.charCodeAt(0));
  await r.select(0);
  await r.set(`s:${tag}`, 'hello');
  await r.set(`bin:${tag}`, Buffer.from([0, 1, 2, 255, 13, 10]));
  await r.set(`big:${tag}`, big);
  await r.set(`ttl:${tag}`, 'v', 'EX', 1000);
  await r.incrbyfloat(`f:${tag}`, 1.5);
  await r.rpush(`l:${tag}`, 'a', 'b', 'c', 'd');
  await r.lpop(`l:${tag}`);
  await r.hset(`h:${tag}`, 'f1', 'v1', 'f2', 'v2');
  await r.sadd(`si:${tag}`, '1', '2', '3', '4', '5');
  await r.sadd(`ss:${tag}`, 'x', 'y', 'z');
  await r.spop(`ss:${tag}`); // random member: replicas must get the same one removed
  await r.zadd(`z:${tag}`, 1, 'one', 2.5, 'two', -3, 'minus');
  await r.zincrby(`z:${tag}`, 10, 'one');
  await r.multi().set(`tx1:${tag}`, '1').incr(`tx2:${tag}`).rpush(`l:${tag}`, 'e').exec();
  await r.set(`gone:${tag}`, 'x');
  await r.del(`gone:${tag}`);
  await r.select(3);
  await r.set(`db3:${tag}`, 'three');
  await r.hset(`db3h:${tag}`, 'a', '1');
  await r.select(0);
}

/** Every key of every db with its type, value and whether it has a TTL. */
export async function dump(port: number): Promise<Record<string, unknown>> {
  const r = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 2 });
  try {
    const out: Record<string, unknown> = {};
    for (let db = 0; db < 16; db++) {
      await r.select(db);
      const keys = (await r.keys('*')).sort();
      for (const k of keys) {
        const type = await r.type(k);
        let v: unknown;
        if (type === 'string') v = (await r.getBuffer(k))?.toString('base64');
        else if (type === 'list') v = await r.lrange(k, 0, -1);
        else if (type === 'hash') v = Object.entries(await r.hgetall(k)).sort();
        else if (type === 'set') v = (await r.smembers(k)).sort();
        else if (type === 'zset') v = await r.zrange(k, 0, -1, 'WITHSCORES');
        else v = type;
        out[`${db}/${k}`] = { type, v, ttl: (await r.pttl(k)) > 0 };
      }
    }
    return out;
  } finally {
    r.disconnect();
  }
}
