import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { diffScript, scalar, texts } from './datatypes-kit.js';
import { PORTS } from '../helpers/ports.js';

describe('sorted set commands match redis-server', () => {
  const pair = usePair(PORTS.datatypes + 30, ['--zset-max-listpack-entries', '4']);

  it('ZADD options, ZINCRBY, scores and NaN', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      ZADD z 1 a 2 b 3 c
      ZADD z NX 10 a 4 d
      ZADD z XX 10 a 5 e
      ZADD z XX CH 11 a 12 b
      ZADD z GT CH 5 a 20 b
      ZADD z LT CH 5 a 30 b
      ZADD z CH 5 a 5 b
      ZADD z INCR 1.5 a
      ZADD z NX INCR 1 a
      ZADD z XX INCR 1 nope
      ZADD z GT INCR -1 a
      ZADD z INCR 1 a 2 b
      ZADD z NX XX 1 a
      ZADD z GT LT 1 a
      ZADD z NX GT 1 a
      ZADD z 1
      ZADD z 1 a 2
      ZADD z x a
      ZADD z nan a
      ZADD z inf i -inf ni +inf pi
      ZADD z 1e3 e3 -0.5 half 1.7976931348623157e308 max 5e-324 tiny 0.1 tenth 12345678901234567890 big
      ZRANGE z 0 -1 WITHSCORES
      ZADD z INCR -inf i
      ZINCRBY z inf ni
      ZINCRBY z 1 newm
      ZINCRBY z x a
      ZINCRBY z 2.5 a
      ZINCRBY missing 1 m
      ZADD missing XX 1 a
      ZADD missing XX INCR 1 a
      EXISTS missing
      ZSCORE z a
      ZSCORE z nope
      ZSCORE missing a
      ZMSCORE z a nope i
      ZMSCORE missing a
      ZCARD z
      ZCARD missing
      ZREM z a nope
      ZREM missing a
      OBJECT ENCODING z
      ZADD small 1 a
      OBJECT ENCODING small
      ZADD long 1 0123456789012345678901234567890123456789012345678901234567890123456789
      OBJECT ENCODING long
      ZREM small a
      EXISTS small
      SET str v
      ZADD str 1 a
      ZADD str x a
      ZSCORE str a
      ZINCRBY str 1 a
      ZCARD str
    `)).toEqual([]);
  });

  it('ranks, counts and every ZRANGE form', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      ZADD z 1 a 2 b 2 c 3 d 4 e 5 f
      ZADD lex 0 a 0 b 0 c 0 d 0 e 0 f 0 g
      ZRANK z c
      ZREVRANK z c
      ZRANK z nope
      ZRANK missing a
      ZCOUNT z 2 4
      ZCOUNT z (2 4
      ZCOUNT z -inf +inf
      ZCOUNT z 5 1
      ZCOUNT z x 1
      ZCOUNT missing 0 1
      ZLEXCOUNT lex - +
      ZLEXCOUNT lex [b (e
      ZLEXCOUNT lex + -
      ZLEXCOUNT lex b c
      ZRANGE z 0 -1
      ZRANGE z 1 3 WITHSCORES
      ZRANGE z -2 -1 REV WITHSCORES
      ZRANGE z 5 1
      ZRANGE z 0 x
      ZRANGE z 2 (4 BYSCORE
      ZRANGE z (4 2 BYSCORE REV WITHSCORES
      ZRANGE z -inf +inf BYSCORE LIMIT 1 2
      ZRANGE z -inf +inf BYSCORE LIMIT 1 -1
      ZRANGE z -inf +inf BYSCORE LIMIT -1 2
      ZRANGE z -inf +inf BYSCORE LIMIT 10 2
      ZRANGE z +inf -inf BYSCORE REV LIMIT 0 3 WITHSCORES
      ZRANGE z 0 -1 LIMIT 0 1
      ZRANGE lex [b [d BYLEX
      ZRANGE lex [d [b BYLEX REV
      ZRANGE lex - + BYLEX LIMIT 2 2
      ZRANGE lex (a (c BYLEX
      ZRANGE lex a c BYLEX
      ZRANGE lex - + BYLEX WITHSCORES
      ZRANGE z 0 1 BYSCORE BYLEX
      ZRANGE z 0 1 BOGUS
      ZRANGE z 0 -1 LIMIT 0
      ZRANGE missing 0 -1
      ZREVRANGE z 0 2 WITHSCORES
      ZRANGEBYSCORE z 2 4 WITHSCORES LIMIT 1 5
      ZRANGEBYSCORE z (1 (3
      ZRANGEBYSCORE z 2 4 REV
      ZREVRANGEBYSCORE z 4 2 WITHSCORES
      ZREVRANGEBYSCORE z 2 4
      ZRANGEBYLEX lex [c +
      ZRANGEBYLEX lex - [c LIMIT 1 1
      ZREVRANGEBYLEX lex + [e
      ZRANGEBYLEX lex - + WITHSCORES
      ZRANGEBYSCORE z x 1
      ZRANGESTORE dst z 0 2
      ZRANGE dst 0 -1 WITHSCORES
      ZRANGESTORE dst z 2 4 BYSCORE LIMIT 0 2
      ZRANGESTORE dst lex [a [c BYLEX REV
      ZRANGE dst 0 -1
      ZRANGESTORE dst z 0 -1 WITHSCORES
      ZRANGESTORE dst missing 0 -1
      EXISTS dst
      SET str v
      ZRANGE str 0 -1
      ZRANK str a
      ZCOUNT str 0 1
      ZRANGESTORE dst str 0 -1
      !HELLO 3
      ZRANGE z 0 1 WITHSCORES
      ZRANGEBYSCORE z 1 2 WITHSCORES
      ZSCORE z a
      ZMSCORE z a nope
      ZRANGE z 0 1
      !HELLO 2
    `)).toEqual([]);
  });

  it('ZREMRANGEBY*, pops, ZMPOP, ZRANDMEMBER, ZSCAN', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      ZADD z 1 a 2 b 3 c 4 d 5 e 6 f 7 g
      ZREMRANGEBYRANK z 0 0
      ZREMRANGEBYRANK z -1 -1
      ZREMRANGEBYSCORE z (2 3
      ZREMRANGEBYSCORE z x 3
      ZADD lex 0 a 0 b 0 c
      ZREMRANGEBYLEX lex [a (c
      ZREMRANGEBYLEX lex x y
      ZREMRANGEBYRANK missing 0 1
      ZRANGE z 0 -1 WITHSCORES
      ZPOPMIN z
      ZPOPMAX z
      ZPOPMIN z 0
      ZPOPMIN z -1
      ZPOPMIN z x
      ZPOPMIN z 1 2
      ZPOPMAX z 10
      EXISTS z
      ZPOPMIN missing
      ZPOPMIN missing 2
      ZADD m1 1 a 2 b 3 c
      ZMPOP 2 missing m1 MIN
      ZMPOP 1 m1 MAX COUNT 5
      ZMPOP 1 m1 MIN
      ZMPOP 0 m1 MIN
      ZMPOP 1 m1 MIDDLE
      ZMPOP 1 m1 MIN COUNT 0
      ZMPOP 2 m1 MIN
      BZPOPMIN missing 0.01
      ZADD m2 1 a 2 b
      BZPOPMIN missing m2 0
      BZPOPMAX m2 0
      BZPOPMAX m2 x
      BZMPOP 0.01 1 m2 MIN
      ZADD m2 1 a 2 b
      BZMPOP 0 1 m2 MAX COUNT 3
      ZRANDMEMBER missing
      ZRANDMEMBER missing 2
      ZADD one 1.5 x
      ZRANDMEMBER one
      ZRANDMEMBER one 3
      ZRANDMEMBER one -2 WITHSCORES
      ZRANDMEMBER one 1 WITHSCORE
      ZRANDMEMBER one x
      ZRANDMEMBER one 0
      ZSCAN one 0
      ZSCAN one 0 MATCH y*
      ZSCAN missing 0
      ZSCAN one 0 COUNT 0
      SET str v
      ZSCAN str 0
      ZPOPMIN str
      ZMPOP 1 str MIN
      BZPOPMIN str 0
      ZRANDMEMBER str
      ZREMRANGEBYRANK str 0 1
      COMMAND GETKEYS ZMPOP 2 a b MIN
      COMMAND GETKEYS BZMPOP 0 2 a b MIN
      !HELLO 3
      ZADD p 1 a 2 b 3 c
      ZPOPMIN p
      ZPOPMIN p 1
      ZMPOP 1 p MAX
      ZADD p 4 d
      BZPOPMIN p 0
      ZRANDMEMBER one 1 WITHSCORES
      ZPOPMIN missing 1
      !HELLO 2
    `)).toEqual([]);
  });

  it('ZUNION, ZINTER, ZDIFF, STORE forms and ZINTERCARD', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      ZADD a 1 x 2 y 3 z
      ZADD b 10 y 20 z 30 w
      SADD s x w q
      ZUNION 2 a b WITHSCORES
      ZUNION 3 a b s WITHSCORES
      ZUNION 2 a b WEIGHTS 2 0.5 WITHSCORES
      ZUNION 2 a b AGGREGATE MIN WITHSCORES
      ZUNION 2 a b AGGREGATE MAX WITHSCORES
      ZINTER 2 a b WITHSCORES
      ZINTER 2 a s WITHSCORES
      ZINTER 2 a b WEIGHTS 1 -1 AGGREGATE SUM WITHSCORES
      ZINTER 2 a missing
      ZDIFF 2 a b WITHSCORES
      ZDIFF 2 missing a
      ZDIFF 2 a b WEIGHTS 1 1
      ZUNION 2 a b WEIGHTS 1
      ZUNION 2 a b WEIGHTS 1 x
      ZUNION 2 a b AGGREGATE AVG
      ZUNION 0 a
      ZUNION -1 a
      ZUNION x a
      ZUNION 3 a b
      ZUNION 2 a b BOGUS
      ZADD inf +inf x -inf y
      ZUNION 2 inf inf WITHSCORES
      ZUNION 2 inf a WEIGHTS 0 1 WITHSCORES
      ZUNION 2 inf inf WEIGHTS 1 -1 WITHSCORES
      ZUNIONSTORE d 2 a b
      ZRANGE d 0 -1 WITHSCORES
      ZINTERSTORE d 2 a b WEIGHTS 2 3
      ZRANGE d 0 -1 WITHSCORES
      ZDIFFSTORE d 2 a b
      ZRANGE d 0 -1 WITHSCORES
      ZINTERSTORE d 2 a missing
      EXISTS d
      ZUNIONSTORE d 2 a b WITHSCORES
      ZUNIONSTORE d 0 a
      ZINTERCARD 2 a b
      ZINTERCARD 2 a b LIMIT 1
      ZINTERCARD 0 a
      ZINTERCARD 3 a b
      ZINTERCARD 2 a b LIMIT -1
      ZINTERCARD 2 a b WEIGHTS 1 1
      SET str v
      ZUNION 2 a str
      ZINTER 2 missing str
      ZUNIONSTORE d 2 a str
      ZINTERCARD 2 a str
      COMMAND GETKEYS ZUNIONSTORE d 2 a b WEIGHTS 1 2
      COMMAND GETKEYS ZINTER 2 a b
      !HELLO 3
      ZUNION 2 a b WITHSCORES
      ZINTER 2 a b
      !HELLO 2
    `)).toEqual([]);
  });

  it('ZRANGE by rank and score agree with a sorted model on a skiplist-encoded set', async () => {
    const members = Array.from({ length: 500 }, (_, i) => [String((i * 7919) % 1000 / 10), `m${i}`]);
    await pair.engine.call(['DEL', 'model']);
    await pair.engine.call(['ZADD', 'model', ...members.flat()]);
    await pair.engine.call(['ZREM', 'model', ...members.slice(0, 100).map(([, m]) => m)]);
    const model = members.slice(100).map(([s, m]) => ({ s: Number(s), m })).sort((x, y) => x.s - y.s || (x.m < y.m ? -1 : x.m > y.m ? 1 : 0));
    expect(texts(await pair.engine.call(['ZRANGE', 'model', '37', '90']))).toEqual(model.slice(37, 91).map((x) => x.m));
    expect(texts(await pair.engine.call(['ZRANGE', 'model', '(20', '55.5', 'BYSCORE']))).toEqual(model.filter((x) => x.s > 20 && x.s <= 55.5).map((x) => x.m));
    expect(scalar(await pair.engine.call(['ZRANK', 'model', model[250].m]))).toBe('250');
    expect(scalar(await pair.engine.call(['ZCOUNT', 'model', '10', '(60']))).toBe(String(model.filter((x) => x.s >= 10 && x.s < 60).length));
  });
});
