import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import { encodeCommand } from '../helpers/resp.js';
import { PORTS } from '../helpers/ports.js';

describe('string commands match redis-server', () => {
  const pair = usePair(PORTS.core + 10);

  it('SET options, GET family and their errors', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      SET k v NX GET
      SET k v2 GET NX
      SET k v3 XX GET
      SET k v4 NX
      SET nokey v XX
      SET k v EX 0
      SET k v EX abc
      SET k v KEEPTTL EX 10
      SET k v EX 10 PX 10
      SET k v EX 10 EX 20
      TTL k
      SET k v EX 9223372036854775807
      SET k v PX 9223372036854775807
      SET k v EXAT 99999999999999999
      SET k v PXAT -5
      SET k v NX XX
      SET k v FOO
      SET k v EX
      SET k v PX 100000
      TTL k
      SET k v2 KEEPTTL
      TTL k
      SET k v3
      TTL k
      SET k v EXAT 1
      EXISTS k
      GET k
      SET k v GET
      LPUSH list a
      SET list v GET
      GET list
      GETEX k KEEPTTL
      GETEX k PERSIST EX 10
      GETEX nokey EX abc
      GETEX k EX abc
      GETEX k EX 0
      GETEX k EX 100
      TTL k
      GETEX k PERSIST
      TTL k
      GETEX k PXAT 1
      EXISTS k
      GETEX list
      GETDEL list
      SET d 1
      GETDEL d
      GETDEL d
      GETSET d 2
      GETSET d 3
      GETSET list x
      MSET a 1 b 2 c 3
      MSET a
      MGET a b nokey list c
      MSETNX a 1 zz 2
      MSETNX zz 1 yy 2
      MSETNX a
      SETNX a 5
      SETNX new 5
      SETEX a 0 v
      SETEX a x v
      SETEX a 100 v
      TTL a
      PSETEX a -1 v
      PSETEX a 100000 v
      TTL a
    `))).toEqual([]);
  });

  it('counters, INCRBYFLOAT formatting and overflow errors', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      INCR n
      INCRBY n 10
      DECR n
      DECRBY n 5
      INCRBY n 1.5
      INCRBY n abc
      SET g " 1"
      INCR g
      SET g 99999999999999999999
      INCR g
      SET g 9223372036854775807
      INCR g
      SET g -9223372036854775808
      DECR g
      DECRBY g -9223372036854775808
      SET g 010
      INCR g
      SET n 10.5
      INCRBYFLOAT n 0.1
      SET z 0.1
      INCRBYFLOAT z 0.2
      SET y 1e10
      INCRBYFLOAT y 0.1
      INCRBYFLOAT y 1e300
      INCRBYFLOAT y 1e-20
      INCRBYFLOAT q 5.0e3
      INCRBYFLOAT q -5000
      INCRBYFLOAT q 1.5e-7
      INCRBYFLOAT q abc
      INCRBYFLOAT q inf
      INCRBYFLOAT q " 1"
      SET f abc
      INCRBYFLOAT f 1
      LPUSH list a
      INCR list
      INCRBYFLOAT list 1
      SET t 5 EX 100
      INCR t
      TTL t
      INCRBYFLOAT t 1.5
      TTL t
    `))).toEqual([]);
  });

  it('counters in pipelines read whole in one read: deletes, expiry, squeezes, FLUSHDB and SELECT between a read and a write', async () => {
    /** Each pipeline goes to both servers in one write; replies compared in order. */
    async function pipeline(cmds: string[][]): Promise<string[]> {
      const raw = Buffer.concat(cmds.map(encodeCommand));
      const got: Record<string, string[]> = {};
      for (const [side, c] of [['redis', pair.redis], ['engine', pair.engine]] as const) {
        c.writeRaw(raw);
        got[side] = [];
        for (let i = 0; i < cmds.length; i++) got[side].push(JSON.stringify(await c.next()));
      }
      return cmds.flatMap((argv, i) => (got.redis[i] === got.engine[i] ? [] : [`${argv.join(' ')}\n  redis:  ${got.redis[i]}\n  engine: ${got.engine[i]}`]));
    }
    const many = (f: (i: number) => string[], n: number) => Array.from({ length: n }, (_, i) => f(i));
    expect(await diff(pair, script('FLUSHALL'))).toEqual([]);
    expect(await pipeline([
      ['SET', 'e', '5', 'PX', '40'], ['SET', 't', '5', 'EX', '100'], ['INCR', 't'], ['TTL', 't'],
      ...many((i) => ['INCR', `c:${i}`], 60), ['INCR', 'c:7'], ['GET', 'c:7'], ['DEL', 'c:7'], ['INCR', 'c:7'], ['INCRBY', 'c:7', '41'],
      ['SET', 's', '010'], ['INCR', 's'], ['SET', 's', ' 1'], ['INCR', 's'], ['SET', 's', '1.0'], ['INCR', 's'],
      ['SET', 'm', '9223372036854775806'], ['INCR', 'm'], ['INCR', 'm'], ['GET', 'm'], ['OBJECT', 'ENCODING', 'm'],
    ])).toEqual([]);
    await new Promise((r) => setTimeout(r, 80));
    expect(await pipeline([
      // e expired meanwhile: its read deletes it, the write makes it anew (and without the TTL).
      ['GET', 'c:59'], ['INCR', 'e'], ['TTL', 'e'], ['INCR', 'e'],
      // Deletes enough keys to squeeze the table's holes out between INCR c:59's read and the next.
      ['INCR', 'c:59'], ...many((i) => ['DEL', `c:${i}`], 55), ['INCR', 'c:59'], ['INCR', 'c:58'], ['INCR', 'c:0'],
      ['SELECT', '1'], ['INCR', 'c:59'], ['GET', 'c:59'], ['SELECT', '0'], ['GET', 'c:59'],
      ['INCR', 'x'], ['FLUSHDB'], ['INCR', 'x'], ['INCRBYFLOAT', 'x', '1.5'], ['APPEND', 'x', '0'], ['INCR', 'x'], ['STRLEN', 'x'],
      ['KEYS', '*'], ['DBSIZE'],
    ])).toEqual([]);
  });

  it('APPEND, STRLEN, GETRANGE, SETRANGE, LCS and OBJECT ENCODING', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      APPEND s hello
      APPEND s " world"
      STRLEN s
      STRLEN nokey
      GETRANGE s 0 4
      GETRANGE s -5 -1
      GETRANGE s -1 -5
      GETRANGE s 5 1
      GETRANGE s 0 100
      GETRANGE s -100 2
      GETRANGE nokey 0 -1
      GETRANGE s a b
      GETRANGE s 0
      SETRANGE s 6 WORLD
      GET s
      SETRANGE s 20 x
      GET s
      SETRANGE s -1 a
      SETRANGE s 536870912 a
      SETRANGE nn 0 ""
      EXISTS nn
      SETRANGE s 0 ""
      SETRANGE s x a
      SET i 123
      OBJECT ENCODING i
      SET i 9223372036854775808
      OBJECT ENCODING i
      SET i -9223372036854775808
      OBJECT ENCODING i
      SET i 0123
      OBJECT ENCODING i
      APPEND i 4
      OBJECT ENCODING i
      SET e aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      OBJECT ENCODING e
      SET e aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      OBJECT ENCODING e
      OBJECT ENCODING s
      INCR cnt
      OBJECT ENCODING cnt
      OBJECT REFCOUNT cnt
      OBJECT REFCOUNT s
      OBJECT ENCODING nokey
      SET a ohmytext
      SET b mynewtext
      LCS a b
      LCS a b LEN
      LCS a b IDX
      LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN
      LCS a b LEN IDX
      LCS a b IDX MINMATCHLEN x
      LCS a b FOO
      SET a xaxbxc
      SET b abcxyz
      LCS a b IDX WITHMATCHLEN
      LCS a nokey IDX
      LPUSH list a
      LCS a list
      APPEND list x
      STRLEN list
    `))).toEqual([]);
  });

  it('bit commands', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      SETBIT b 7 1
      SETBIT b 7 0
      SETBIT b 100 1
      GET b
      OBJECT ENCODING b
      GETBIT b 100
      GETBIT b 1000000
      GETBIT nokey 3
      SETBIT b 4294967296 1
      SETBIT b 1 2
      SETBIT b -1 1
      SETBIT b x 1
      SET s foobar
      BITCOUNT s
      BITCOUNT s 0 0
      BITCOUNT s 1 1
      BITCOUNT s 1 -2
      BITCOUNT s 5 30 BIT
      BITCOUNT s -10 -3 BIT
      BITCOUNT s 0 1 FOO
      BITCOUNT s 0
      BITCOUNT s a 1
      BITCOUNT nokey 0 1 FOO
      BITCOUNT s 3 1
      SET z0 "\\u0000\\u000f\\u0000"
      BITOP NOT z z0
      BITPOS z 0
      BITPOS z 1
      BITPOS z 1 2
      BITPOS z 0 1 -1
      BITPOS z 1 7 15 BIT
      BITPOS z 0 0 11 BIT
      BITPOS z 0 2 -1
      BITPOS z 2
      BITPOS z 1 a
      BITPOS z 1 0 1 FOO
      BITPOS nokey 0
      BITPOS nokey 1
      SET zero "\\u0000\\u0000"
      BITOP NOT ff zero
      BITPOS ff 0
      BITPOS ff 0 0
      BITPOS ff 0 0 -1
      BITPOS ff 0 1 0
      SET a abc
      SET c "\\u000f\\u000f"
      BITOP AND d a c
      GET d
      BITOP OR d a c nokey
      GET d
      BITOP XOR d a c
      GET d
      BITOP NOT d a
      GET d
      BITOP NOT d a c
      BITOP FOO d a
      BITOP AND d
      BITOP AND d nokey
      EXISTS d
      LPUSH list x
      BITOP AND d a list
      BITCOUNT list
    `))).toEqual([]);
  });

  it('values either side of the 44-byte packing limit, and keyspace hits and misses of the GET family', async () => {
    const v44 = 'a'.repeat(44);
    const v45 = 'b'.repeat(45);
    expect(await diff(pair, [
      ['FLUSHALL'],
      ['SET', 'p44', v44], ['SET', 'p45', v45], ['SET', 'n', '12345'], ['SET', 'bin', Buffer.from([0, 255, 13, 10, 128])],
      ['GET', 'p44'], ['GET', 'p45'], ['GET', 'bin'], ['MGET', 'p44', 'p45', 'bin', 'n', 'missing'],
      ['OBJECT', 'ENCODING', 'p44'], ['OBJECT', 'ENCODING', 'p45'], ['OBJECT', 'ENCODING', 'n'],
      ['INCR', 'n'], ['INCRBY', 'n', '-99999'], ['GET', 'n'], ['OBJECT', 'ENCODING', 'n'],
      ['APPEND', 'p44', 'x'], ['OBJECT', 'ENCODING', 'p44'], ['STRLEN', 'p44'],
      ['RPUSH', 'list', 'a'], ['GET', 'list'], ['MGET', 'list'], ['GETDEL', 'list'], ['GET', 'missing'],
      ['SET', 'k', 'v', 'GET'], ['SET', 'k', 'w', 'GET'], ['GETDEL', 'k'], ['GETDEL', 'k'],
      ['GET', 'bin'], ['GET', 'p45'], ['OBJECT', 'ENCODING', 'n'], ['GET', 'n'],
      // Keyspace hits/misses of the GET family (a key of the wrong type counts as a hit).
      ['CONFIG', 'RESETSTAT'], ['GET', 'p44'], ['GET', 'p45'], ['GET', 'nokey'], ['MGET', 'p44', 'p45', 'nokey', 'list2'],
      ['RPUSH', 'list2', 'a'], ['GET', 'list2'], ['MGET', 'list2'], ['GETDEL', 'list2'], ['GETDEL', 'p45'], ['GETDEL', 'p45'],
    ])).toEqual([]);
    const stats = async (c: typeof pair.redis) => {
      const r = await c.call(['INFO', 'stats']);
      const text = r.t === 'bulk' ? String(r.v) : '';
      return text.split('\r\n').filter((l) => l.startsWith('keyspace_'));
    };
    const [redis, engine] = await Promise.all([stats(pair.redis), stats(pair.engine)]);
    expect(redis.length).toBe(2);
    expect(engine).toEqual(redis);
  });
});
