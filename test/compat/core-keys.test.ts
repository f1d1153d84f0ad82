import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import { PORTS } from '../helpers/ports.js';
import type { Reply } from '../helpers/resp.js';

/** An array reply's elements as sorted strings (bulk strings as they are, others as JSON); any other reply as its JSON. */
const sorted = (r: Reply): string[] => (r.t === 'array' && r.v ? r.v.map((x) => (x.t === 'bulk' ? String(x.v) : JSON.stringify(x))).sort() : [JSON.stringify(r)]);

describe('keyspace and expiry commands match redis-server', () => {
  const pair = usePair(PORTS.core + 20);

  it('DEL, EXISTS, TYPE, RENAME, COPY, MOVE, TOUCH, OBJECT and their errors', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      SET a 1
      SET b 2
      DEL a a b nokey
      SET a 1
      EXISTS a a nokey
      UNLINK a nokey
      SET k v
      TYPE k
      TYPE nokey
      TOUCH k k nokey
      RENAME nokey x
      RENAME k k
      RENAMENX k k
      SET t v EX 100
      RENAME t t2
      TTL t2
      EXISTS t
      SET other x
      RENAMENX t2 other
      RENAMENX t2 fresh
      RENAME fresh other
      GET other
      TTL other
      COPY k k
      COPY k k2 DB 99
      COPY k k2 DB x
      COPY k k2 FOO
      COPY nokey k3
      COPY other k
      COPY other k REPLACE
      GET k
      TTL k
      COPY k k DB 1
      SELECT 1
      GET k
      TTL k
      SELECT 0
      MOVE k 99
      MOVE k x
      MOVE k 0
      MOVE nokey 1
      MOVE k 1
      SET k again
      MOVE k 1
      DEL k
      MOVE other 2
      SELECT 2
      TTL other
      SELECT 0
      OBJECT ENCODING other
      OBJECT ENCODING
      OBJECT IDLETIME nokey
      OBJECT FREQ nokey
      OBJECT FREQ k2
      OBJECT FOO
      OBJECT HELP
      RANDOMKEY
      FLUSHDB
      RANDOMKEY
      SET only one
      RANDOMKEY
      KEYS *
      LPUSH list a
      TYPE list
      COPY list list2
      TYPE list2
    `))).toEqual([]);
  });

  it('an empty key, field, member or channel matches no glob but the empty one and a lone * where Redis special-cases it', async () => {
    for (const argv of [['FLUSHALL'], ['SET', '', 'v'], ['SET', 'a', '1'], ['HSET', 'h', '', 'v', 'f', 'w'], ['SADD', 's', '', 'x'], ['ZADD', 'z', '1', '', '2', 'y']]) await pair.both(argv);
    for (const argv of [['KEYS', '**'], ['KEYS', '*'], ['KEYS', ''], ['KEYS', '?*'], ['KEYS', '[]*'], ['SCAN', '0', 'MATCH', '**'], ['SCAN', '0', 'MATCH', '*'],
      ['HSCAN', 'h', '0', 'MATCH', '**'], ['HSCAN', 'h', '0', 'MATCH', ''], ['SSCAN', 's', '0', 'MATCH', '*'], ['ZSCAN', 'z', '0', 'MATCH', '***']]) {
      const { redis, engine } = await pair.both(argv);
      const page = (r: Reply) => (argv[0] === 'KEYS' ? sorted(r) : r.t === 'array' && r.v ? [JSON.stringify(r.v[0]), ...sorted(r.v[1])] : [JSON.stringify(r)]);
      expect({ argv, reply: page(engine) }).toEqual({ argv, reply: page(redis) });
    }
    const sub = await pair.connect();
    for (const c of [sub.redis, sub.engine]) await c.call(['PSUBSCRIBE', '*', '**', '']);
    const published = await pair.both(['PUBLISH', '', 'm']);
    expect(published.engine).toEqual(published.redis);
    expect(published.redis).toEqual({ t: 'int', v: '1' });
  });

  it('KEYS and SCAN with MATCH, COUNT and TYPE', async () => {
    const setup = ['FLUSHALL', ...Array.from({ length: 60 }, (_, i) => `SET key:${i} ${i}`), 'SET other 1', 'LPUSH alist x'].join('\n');
    expect(await diff(pair, script(setup))).toEqual([]);
    const keys = await pair.both(['KEYS', 'key:1*']);
    expect(sorted(keys.engine)).toEqual(sorted(keys.redis));
    expect(sorted(keys.engine)).toHaveLength(11);
    for (const opts of [[], ['MATCH', 'key:?'], ['COUNT', '7'], ['TYPE', 'list'], ['TYPE', 'string', 'MATCH', '*1*'], ['TYPE', 'nosuch']]) {
      const all: string[][] = [];
      for (const c of [pair.redis, pair.engine]) {
        const seen: string[] = [];
        let cursor = '0';
        do {
          const r = await c.call(['SCAN', cursor, ...opts]);
          if (r.t !== 'array' || !r.v) throw new Error(JSON.stringify(r));
          cursor = (r.v[0] as { v: string }).v;
          seen.push(...sorted(r.v[1]));
        } while (cursor !== '0');
        all.push([...new Set(seen)].sort());
      }
      expect(all[1]).toEqual(all[0]);
    }
    expect(await diff(pair, script(`
      SCAN x
      SCAN 0 COUNT 0
      SCAN 0 COUNT x
      SCAN 0 MATCH
      SCAN 0 FOO bar
    `))).toEqual([]);
  });

  it('a key present for the whole scan is returned even when others come and go', async () => {
    const c = pair.engine;
    await c.call(['FLUSHALL']);
    for (let i = 0; i < 200; i++) await c.call(['SET', `stable:${i}`, 'x']);
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const r = await c.call(['SCAN', cursor, 'COUNT', '15']);
      if (r.t !== 'array' || !r.v) throw new Error('bad reply');
      cursor = (r.v[0] as { v: string }).v;
      for (const k of (r.v[1] as { v: { v: string }[] }).v) seen.add(k.v);
      // Churn between calls: add and delete other keys (the map grows and shrinks under the cursor).
      for (let i = 0; i < 40; i++) await c.call(['SET', `churn:${round}:${i}`, 'y']);
      await c.call(['DEL', ...Array.from({ length: 40 }, (_, i) => `churn:${round - 1}:${i}`)]);
      round++;
    } while (cursor !== '0');
    for (let i = 0; i < 200; i++) expect(seen.has(`stable:${i}`)).toBe(true);
  });

  it('expiry commands and options', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      SET k v
      EXPIRE k 100 NX XX
      EXPIRE k 100 GT LT
      EXPIRE k 100 FOO
      EXPIRE nokey 10 FOO
      EXPIRE k 9223372036854775807
      EXPIRE k abc
      EXPIRE nokey 100
      TTL k
      PTTL nokey
      EXPIRETIME k
      EXPIRE k 100 XX
      EXPIRE k 100 GT
      EXPIRE k 100 LT
      EXPIRE k 100 NX
      TTL k
      EXPIRE k 200 NX
      EXPIRE k 200 GT
      TTL k
      EXPIRE k 50 GT
      EXPIRE k 50 LT
      TTL k
      EXPIRE k 300 LT
      PERSIST k
      PERSIST k
      PERSIST nokey
      TTL k
      PEXPIRE k 100000
      TTL k
      EXPIREAT k 4102444800
      EXPIRETIME k
      PEXPIRETIME k
      PEXPIREAT k 4102444800123
      PEXPIRETIME k
      EXPIRETIME k
      EXPIREAT k 4102444800 NX
      EXPIRE k -1
      EXISTS k
      SET k v
      PEXPIREAT k 1
      EXISTS k
      SET k v
      EXPIRE k 0
      EXISTS k
      SET k v
      PEXPIRE k 9223372036854775807
      EXPIREAT k -9223372036854775808
    `))).toEqual([]);
  });
});
