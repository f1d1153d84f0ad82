import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { diffScript } from './datatypes-kit.js';
import { PORTS } from '../helpers/ports.js';

describe('list commands match redis-server', () => {
  const pair = usePair(PORTS.datatypes + 0);

  it('push, pop, length, index, range', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      LPUSH l a b c
      RPUSH l d e
      LRANGE l 0 -1
      LRANGE l -2 100
      LRANGE l 5 1
      LRANGE l 0 x
      LLEN l
      LLEN missing
      LINDEX l 0
      LINDEX l -1
      LINDEX l 99
      LINDEX l notanint
      LINDEX missing 0
      LPUSHX missing a
      RPUSHX missing a
      LPUSHX l z
      RPUSHX l y z
      LPOP l
      RPOP l
      LPOP l 2
      RPOP l 0
      LPOP l -1
      LPOP l x
      LPOP missing
      LPOP missing 2
      RPOP l 100
      EXISTS l
      OBJECT ENCODING l
      RPUSH l 1
      OBJECT ENCODING l
      LPOP l 1 2
      SET str v
      LPUSH str a
      LRANGE str 0 -1
      LLEN str
      LPOP str
    `)).toEqual([]);
  });

  it('LSET, LINSERT, LREM, LTRIM, LPOS', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      RPUSH l a b c a b c a
      LSET l 1 B
      LSET l -1 Z
      LSET l 100 x
      LSET l x x
      LSET missing 0 x
      LINSERT l BEFORE c X
      LINSERT l AFTER Z end
      LINSERT l AFTER nope q
      LINSERT l MIDDLE a q
      LINSERT missing BEFORE a b
      LRANGE l 0 -1
      LREM l 1 a
      LREM l -1 a
      LREM l 0 c
      LREM l 0 nope
      LREM l x a
      LRANGE l 0 -1
      LTRIM l 1 -2
      LRANGE l 0 -1
      LTRIM l 5 1
      EXISTS l
      LTRIM missing 0 1
      LTRIM l a 1
      RPUSH p a b c 1 2 3 c c
      LPOS p c
      LPOS p c RANK 2
      LPOS p c RANK -1
      LPOS p c COUNT 0
      LPOS p c COUNT 2
      LPOS p c RANK -2 COUNT 0
      LPOS p c MAXLEN 2
      LPOS p c COUNT 0 MAXLEN 3
      LPOS p nope
      LPOS p nope COUNT 0
      LPOS p c RANK 0
      LPOS p c COUNT -1
      LPOS p c MAXLEN -1
      LPOS p c BOGUS 1
      LPOS p c RANK
      LPOS missing c
      LPOS missing c COUNT 1
    `)).toEqual([]);
  });

  it('RPOPLPUSH, LMOVE, LMPOP and wrong types', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      RPUSH src a b c d
      RPOPLPUSH src dst
      LMOVE src dst LEFT RIGHT
      LMOVE src src RIGHT LEFT
      LRANGE src 0 -1
      LRANGE dst 0 -1
      LMOVE src dst UP DOWN
      RPOPLPUSH missing dst
      SET str x
      RPOPLPUSH src str
      RPOPLPUSH str dst
      LRANGE src 0 -1
      LMPOP 2 missing src LEFT
      LMPOP 2 missing src RIGHT COUNT 10
      LMPOP 1 missing LEFT
      LMPOP 0 src LEFT
      LMPOP -1 src LEFT
      LMPOP x src LEFT
      LMPOP 3 src LEFT
      LMPOP 1 dst MIDDLE
      LMPOP 1 dst LEFT COUNT 0
      LMPOP 1 dst LEFT COUNT x
      LMPOP 1 dst LEFT COUNT 1 COUNT 1
      LMPOP 1 dst LEFT extra
      LMPOP 1 str LEFT
      LMPOP 2 dst str LEFT COUNT 5
      BLPOP src 0.01
      BLPOP dst x
      BLPOP dst -1
      RPUSH b1 x y z
      BLPOP missing b1 0
      BRPOP b1 0
      BRPOPLPUSH missing b1 0.01
      BLMOVE b1 b2 LEFT LEFT 0
      BLMOVE b1 b2 LEFT LEFT 0.01
      BLMPOP 0.01 1 b2 LEFT COUNT 3
      BLMPOP 0.01 1 b2 LEFT
      BLPOP str 0
      COMMAND GETKEYS LMPOP 2 a b LEFT
      COMMAND GETKEYS BLMPOP 0 2 a b LEFT
    `)).toEqual([]);
  });

  it('speaks RESP3', async () => {
    expect(await diffScript(pair, `
      !HELLO 3
      FLUSHALL
      RPUSH l a b
      LPOP missing
      LPOP missing 1
      LRANGE l 0 -1
      LPOS l z
      BLPOP l 0
      LMPOP 1 missing LEFT
      LMPOP 1 l LEFT COUNT 2
      !HELLO 2
    `)).toEqual([]);
  });
});
