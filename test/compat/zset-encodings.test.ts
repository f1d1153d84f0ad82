// Small sorted sets against redis-server: the listpack/skiplist switch at both limits (and the cases
// that convert back: RESTORE and the *STORE commands; SORT, which converts to skiplist), reads of a
// listpack and of a skiplist that both hold the same entries (ZSCAN: a listpack's, in order), special scores, and the sliding-window
// rate limiter (MULTI ZADD/ZREMRANGEBYSCORE/ZCARD/EXPIRE) that keeps many such sets.
import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { diffScript, scalar } from './datatypes-kit.js';

describe('small sorted sets match redis-server', () => {
  const pair = usePair(11950, ['--zset-max-listpack-entries', '4', '--zset-max-listpack-value', '8']);

  it('switch encodings at both limits, on inserts only, and convert back only where Redis does; plain ZADD (read in place) dirties WATCH only on a change', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      ZADD z 4 d 1 a 3 c 2 b
      OBJECT ENCODING z
      ZADD z 5 d 0 a
      ZADD z XX 6 e
      OBJECT ENCODING z
      ZADD z 6 e
      OBJECT ENCODING z
      ZREM z e a
      OBJECT ENCODING z
      ZRANGE z 0 -1 WITHSCORES
      ZADD v 1 12345678
      OBJECT ENCODING v
      ZADD v 2 123456789
      OBJECT ENCODING v
      ZADD mixed 1 a 2 123456789 3 b
      OBJECT ENCODING mixed
      ZADD first 1 123456789
      OBJECT ENCODING first
      ZADD s 3 c 1 a 2 b
      ZUNIONSTORE u 2 s z
      OBJECT ENCODING u
      ZUNIONSTORE u1 1 s
      OBJECT ENCODING u1
      ZINTERSTORE i 2 s z WEIGHTS 1 2
      OBJECT ENCODING i
      ZRANGESTORE r z 0 1
      OBJECT ENCODING r
      ZRANGE r 0 -1 WITHSCORES
      ZDIFFSTORE d 2 z s
      OBJECT ENCODING d
      SORT s ALPHA
      OBJECT ENCODING s
      ZADD s2 2 x 1 y
      SORT_RO s2 BY nosort
      OBJECT ENCODING s2
      ZADD dup 1 a 2 a 3 b 3 b
      ZRANGE dup 0 -1 WITHSCORES
      ZADD w 1 a
      WATCH w
      ZADD w 1 a
      MULTI
      PING
      EXEC
      WATCH w
      ZADD w 2 a
      MULTI
      PING
      EXEC
      CONFIG SET zset-max-listpack-entries 0
      ZADD zero 1 a
      OBJECT ENCODING zero
      CONFIG SET zset-max-listpack-entries 4
    `)).toEqual([]);
  });

  it('RESTORE of a small skiplist gives a listpack, both ways between the servers', async () => {
    for (const c of [pair.redis, pair.engine]) {
      await c.call(['FLUSHALL']);
      await c.call(['ZADD', 'big', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e']);
      await c.call(['ZREM', 'big', 'a', 'e']);
      expect(scalar(await c.call(['OBJECT', 'ENCODING', 'big']))).toBe('skiplist');
    }
    const dumps = [await pair.redis.call(['DUMP', 'big']), await pair.engine.call(['DUMP', 'big'])];
    for (const c of [pair.redis, pair.engine]) {
      for (const [i, d] of dumps.entries()) {
        if (d.t !== 'bulk' || d.v === null) throw new Error(`no DUMP payload: ${JSON.stringify(d)}`);
        expect(scalar(await c.call(['RESTORE', `copy${i}`, '0', Buffer.from(d.v, 'latin1')]))).toBe('OK');
      }
    }
    expect(await diffScript(pair, `
      OBJECT ENCODING copy0
      OBJECT ENCODING copy1
      ZRANGE copy0 0 -1 WITHSCORES
      ZRANGE copy1 0 -1 WITHSCORES
    `)).toEqual([]);
    expect(scalar(await pair.engine.call(['OBJECT', 'ENCODING', 'copy0']))).toBe('listpack');
  });

  it('reads a listpack and a skiplist with the same entries alike; -0, inf and NaN as Redis', async () => {
    const reads = (k: string) => `
      ZRANGE ${k} 0 -1 WITHSCORES
      ZRANGE ${k} 0 -1 REV WITHSCORES
      ZRANGE ${k} (0 +inf BYSCORE WITHSCORES
      ZRANGE ${k} +inf -inf BYSCORE REV LIMIT 1 2 WITHSCORES
      ZRANGE ${k} [b (d BYLEX
      ZRANGEBYSCORE ${k} -inf (inf
      ZREVRANGEBYSCORE ${k} inf -inf LIMIT 0 2
      ZRANK ${k} b
      ZREVRANK ${k} b
      ZRANK ${k} nope
      ZSCORE ${k} n
      ZSCORE ${k} z
      ZMSCORE ${k} a n p nope
      ZCOUNT ${k} 0 0
      ZCOUNT ${k} -inf +inf
      ZLEXCOUNT ${k} - +
      ZRANDMEMBER ${k} 0
    `;
    expect(await diffScript(pair, `
      FLUSHALL
      ZADD lp -0 n 0 z inf p -inf m
      ZADD lp -0 z
      ZADD lp 0 n
      ZADD lp nan x
      ZINCRBY lp -inf p
      ZINCRBY lp inf p
      OBJECT ENCODING lp
      ${reads('lp')}
      ZSCAN lp 0
      ZSCAN lp 0 MATCH *z*
      ZADD inc INCR -0 q
      ZSCORE inc q
      ZADD inc INCR 1 q
      ZADD inc -0 q
      ZSCORE inc q
      ZADD sk -0 n 0 z inf p -inf m 1 a 2 b 3 c
      ZREM sk a b c
      ZADD neg -0 a 1 b 2 c 3 d 4 e
      ZSCORE neg a
      ZREM neg b c d e
      ZSCORE neg a
      ZUNIONSTORE negu 1 neg
      OBJECT ENCODING negu
      ZSCORE negu a
      ZADD neg2 1 123456789 -0 a
      ZSCORE neg2 a
      OBJECT ENCODING neg2
      OBJECT ENCODING sk
      ${reads('sk')}
      ZADD lex 0 a 0 b 0 c 0 d
      ZRANGE lex [b (d BYLEX
      ZRANGE lex (d - BYLEX REV
      ZRANGEBYLEX lex - [c LIMIT 1 5
      ZLEXCOUNT lex (a +
      ZREMRANGEBYLEX lex [b [c
      ZRANGE lex 0 -1
      ZADD p 1 a 2 b 3 c 4 d
      ZPOPMIN p
      ZPOPMAX p 2
      ZPOPMIN p 5
      EXISTS p
      ZADD q 1 a 2 b 3 c 4 d
      ZREMRANGEBYRANK q 1 2
      ZREMRANGEBYSCORE q (1 +inf
      ZRANGE q 0 -1 WITHSCORES
    `)).toEqual([]);
  });

  it('runs the sliding-window rate limiter as Redis does', async () => {
    const lines: string[] = ['FLUSHALL'];
    for (let t = 0; t < 12; t++) {
      for (const user of ['u1', 'u2']) {
        const now = 1000 + t * 7 + (user === 'u2' ? 3 : 0);
        lines.push('MULTI', `ZADD rl:${user} ${now} ${now}-${t}`, `ZREMRANGEBYSCORE rl:${user} -inf ${now - 30}`, `ZCARD rl:${user}`, `EXPIRE rl:${user} 60`, 'EXEC');
      }
    }
    lines.push('ZRANGE rl:u1 0 -1 WITHSCORES', 'OBJECT ENCODING rl:u1', 'TTL rl:u2');
    expect(await diffScript(pair, lines.join('\n'))).toEqual([]);
  });
});
