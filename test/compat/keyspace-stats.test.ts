// keyspace_hits/misses against redis-server 7.0 after every command of a mixed read/write workload
// (stream writers XREADGROUP, XCLAIM, XAUTOCLAIM and XACK count: Redis looks their keys up as reads);
// used_memory falling right after DEL/UNLINK of a big value; lazyfreed_objects after UNLINK; the
// INFO fields tools parse.
import { describe, expect, it } from 'vitest';
import { script, usePair, type Pair } from './harness.js';
import type { Reply } from '../helpers/resp.js';

const P = 11790; // this file: 11790-11799

function field(r: Reply, name: string): number {
  const m = new RegExp(`${name}:([\\d.]+)`).exec(String((r as { v: string }).v));
  return m ? Number(m[1]) : NaN;
}

async function counters(pair: Pair): Promise<{ redis: string; engine: string }> {
  const { redis, engine } = await pair.both(['INFO', 'stats']);
  const f = (r: Reply) => `hits=${field(r, 'keyspace_hits')} misses=${field(r, 'keyspace_misses')}`;
  return { redis: f(redis), engine: f(engine) };
}

describe('keyspace statistics match redis-server', () => {
  const pair = usePair(P);

  it('keyspace_hits and keyspace_misses after each command', async () => {
    const cmds = script(`
      FLUSHALL
      SET s v
      RPUSH l a b
      HSET h f v
      SADD st a
      ZADD z 1 a
      PFADD hll a
      GEOADD g 1 1 m
      XADD xs 1-1 a 1
      XADD xs 2-1 a 2
      XGROUP CREATE xs g 0
      CONFIG RESETSTAT
      GET s
      GET nokey
      MGET s nokey s
      STRLEN s
      GETRANGE s 0 1
      GETBIT s 1
      EXISTS s nokey s
      TYPE s
      TYPE nokey
      TTL s
      PTTL nokey
      LRANGE l 0 -1
      LLEN nokey
      LINDEX l 0
      HGET h f
      HGETALL nokey
      HEXISTS h f
      SISMEMBER st a
      SMEMBERS nokey
      SINTER st nokey
      ZSCORE z a
      ZRANGE z 0 -1
      ZCARD nokey
      PFCOUNT hll
      PFCOUNT hll nokey
      GEOPOS g m
      GEODIST g m m
      SORT l ALPHA
      SORT_RO nokey
      BITFIELD_RO s GET u8 0
      DUMP s
      OBJECT ENCODING s
      GETDEL nokey
      GETEX s
      SET s2 x
      DEL s2
      INCR cnt
      LPUSH l c
      SCAN 0
      KEYS *
      RANDOMKEY
      DBSIZE
      MEMORY USAGE s
      XLEN xs
      XRANGE xs - +
      XREAD STREAMS xs nokey 0 0
      XREADGROUP GROUP g c1 COUNT 1 STREAMS xs >
      XREADGROUP GROUP g c1 STREAMS xs xs 0 >
      XREADGROUP GROUP g c1 STREAMS xs nokey 0 0
      XPENDING xs g
      XCLAIM xs g c2 0 1-1
      XAUTOCLAIM xs g c2 0 0
      XAUTOCLAIM nokey g c2 0 0
      XACK xs g 1-1
      XACK nokey g 1-1
      XINFO STREAM xs
      XGROUP CREATECONSUMER xs g c3
      XADD xs 3-1 a 3
      XDEL xs 3-1
      GET s
    `);
    const out: string[] = [];
    for (const c of cmds) {
      await pair.both(c);
      const { redis, engine } = await counters(pair);
      if (redis !== engine) out.push(`${c.join(' ')}: redis ${redis}, engine ${engine}`);
    }
    expect(out).toEqual([]);
  });

  it('used_memory falls after DEL and UNLINK of big values; lazyfreed_objects counts UNLINKed aggregates', async () => {
    for (const c of [['FLUSHALL'], ['CONFIG', 'RESETSTAT']]) await pair.both(c);
    const used = async (): Promise<number> => field((await pair.engine.call(['INFO', 'memory'])), 'used_memory');
    const before = await used();
    await pair.both(['SET', 'big', 'x'.repeat(5_000_000)]);
    await pair.both(['HSET', 'bighash', ...Array.from({ length: 2000 }, (_, i) => [`f${i}`, 'v'.repeat(100)]).flat()]);
    const filled = await used();
    expect(filled - before).toBeGreaterThan(5_000_000);
    await pair.both(['DEL', 'big']);
    const afterDel = await used();
    expect(filled - afterDel).toBeGreaterThan(4_500_000);
    await pair.both(['UNLINK', 'bighash']);
    expect(await used()).toBeLessThan(afterDel);
    for (let i = 0; i < 50; i++) {
      const { redis } = await pair.both(['INFO', 'stats']);
      if (field(redis, 'lazyfreed_objects') === 1) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const { redis, engine } = await pair.both(['INFO', 'everything']);
    for (const f of ['lazyfreed_objects', 'lazyfree_pending_objects', 'migrate_cached_sockets']) expect(field(engine, f), f).toBe(field(redis, f));
  });
});
