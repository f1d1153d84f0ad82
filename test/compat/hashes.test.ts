import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { diffScript, scanPage } from './datatypes-kit.js';
import { PORTS } from '../helpers/ports.js';

describe('hash commands match redis-server', () => {
  const pair = usePair(PORTS.datatypes + 10, ['--hash-max-listpack-entries', '4']);

  it('set, get, delete, lengths and encodings', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      HSET h f1 v1 f2 v2
      HSET h f1 v1b
      HSET h f3
      HMSET h f4 v4 f5 v5
      HMSET h f4
      HSETNX h f1 x
      HSETNX h f9 nine
      HGET h f1
      HGET h nope
      HGET missing f
      HMGET h f1 nope f2
      HMGET missing a b
      HLEN h
      HLEN missing
      HSTRLEN h f9
      HSTRLEN h nope
      HEXISTS h f1
      HEXISTS h nope
      OBJECT ENCODING h
      ~HKEYS h
      ~HVALS h
      ~HGETALL h
      HDEL h f1 f1 nope
      HDEL missing f
      HDEL h f2 f4 f5 f9
      EXISTS h
      HSET small a 1 b 2 c 3
      OBJECT ENCODING small
      HGETALL small
      HKEYS small
      HVALS small
      HSET big k 0123456789012345678901234567890123456789012345678901234567890123456789
      OBJECT ENCODING big
      SET str x
      HSET str a b
      HGET str a
      HGETALL str
      HDEL str a
      HLEN str
    `)).toEqual([]);
  });

  it('HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      HINCRBY h n 5
      HINCRBY h n -10
      HINCRBY h n x
      HINCRBY h n 9223372036854775807
      HSET h s abc f 1.5 big 9223372036854775807
      HINCRBY h s 1
      HINCRBY h big 1
      HINCRBYFLOAT h f 0.1
      HINCRBYFLOAT h f 1e3
      HINCRBYFLOAT h f x
      HINCRBYFLOAT h s 1
      HINCRBYFLOAT h new 3.0
      HINCRBYFLOAT h f inf
      HINCRBYFLOAT h2 f 1
      HGET h f
      HRANDFIELD missing
      HRANDFIELD missing 3
      HRANDFIELD missing 3 WITHVALUES
      HRANDFIELD h x
      HRANDFIELD h 1 WITHSCORES
      HRANDFIELD h 1 WITHVALUES extra
      HRANDFIELD h 0
      DEL h
      HSET one f v
      HRANDFIELD one
      HRANDFIELD one 2
      HRANDFIELD one -3
      HRANDFIELD one -2 WITHVALUES
      HRANDFIELD one 5 WITHVALUES
      HSCAN one 0
      HSCAN one 0 MATCH f*
      HSCAN one 0 MATCH x*
      HSCAN one 0 COUNT 0
      HSCAN one 0 COUNT x
      HSCAN one x
      HSCAN one 0 BOGUS 1
      HSCAN missing 0
      SET str v
      HSCAN str 0
      HINCRBY str f 1
      !HELLO 3
      HGETALL one
      HRANDFIELD one -2 WITHVALUES
      HRANDFIELD one 1 WITHVALUES
      HGETALL missing
      !HELLO 2
    `)).toEqual([]);
  });

  it('HSCAN returns every field of a hashtable-encoded hash across cursors', async () => {
    const fields = Array.from({ length: 300 }, (_, i) => `f${i}`);
    await pair.engine.call(['DEL', 'scan']);
    await pair.engine.call(['HSET', 'scan', ...fields.flatMap((f) => [f, 'v'])]);
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const page = scanPage(await pair.engine.call(['HSCAN', 'scan', cursor, 'COUNT', '17']));
      cursor = page.cursor;
      for (let i = 0; i < page.items.length; i += 2) seen.add(page.items[i]);
      // Churn during the scan: new fields may or may not be returned, existing ones must be.
      await pair.engine.call(['HSET', 'scan', `new${round}`, 'x']);
      await pair.engine.call(['HDEL', 'scan', `new${round - 1}`]);
      round++;
    } while (cursor !== '0');
    for (const f of fields) expect(seen.has(f)).toBe(true);
  });
});
