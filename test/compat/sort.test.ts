// SORT and SORT_RO against redis-server 7.0: numeric and ALPHA orders (ties, binary, NUL bytes),
// BY patterns (nosort, missing keys, hash fields), GET patterns (#, missing, hash fields), LIMIT
// edge cases, STORE (and what it replaces), conversion errors, wrong types, and the cluster-mode refusals.
import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';

const P = 11740; // this file: 11740-11749

describe('SORT matches redis-server', () => {
  const pair = usePair(P);

  it('numeric, ALPHA, DESC and LIMIT over lists, sets and sorted sets', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      RPUSH l 3 1 2 10 -5 1.5 1e2 0x10 " 7" 3 inf -inf
      SORT l
      SORT l DESC
      SORT l ALPHA
      SORT l ALPHA DESC
      SORT l LIMIT 0 3
      SORT l LIMIT 2 3 DESC
      SORT l LIMIT -5 3
      SORT l LIMIT 5 -1
      SORT l LIMIT 100 5
      SORT l LIMIT 0 0
      SORT l LIMIT 11 5
      SORT l LIMIT 12 5
      SORT l LIMIT x 5
      SORT l LIMIT 0 x
      SORT l LIMIT 0
      SORT l ASC DESC ASC
      RPUSH bad 1 2 abc
      SORT bad
      SORT bad ALPHA
      RPUSH bad2 1 "2 " 3
      SORT bad2
      RPUSH emp "" 5 -1
      SORT emp
      SADD s 5 3 9 1 7
      SORT s
      SORT s DESC LIMIT 1 2
      SADD ss banana apple cherry 10 2
      SORT ss ALPHA
      SORT ss ALPHA DESC
      SORT ss
      ZADD z 3 c 1 a 2 b 2 bb 0 zz
      SORT z ALPHA
      SORT z BY nosort
      SORT z BY nosort DESC
      SORT z BY nosort LIMIT 1 2
      SORT z BY nosort DESC LIMIT 1 2
      SORT z BY nosort LIMIT 3 10
      SORT l BY nosort
      SORT l BY nosort DESC
      SORT l BY nosort LIMIT 2 3
      SORT l BY nosort DESC LIMIT 2 3
      SORT l BY nosort LIMIT 20 3
      SORT nokey
      SORT nokey BY nosort
      SET str x
      SORT str
      HSET h a 1
      SORT h
      SORT l FOO
      SORT l LIMIT
      # Redis leaves strtod's ERANGE in errno until some other call resets it: these go last
      RPUSH bad3 1 1e400
      SORT bad3
      RPUSH bad4 1 1e-400 nan
      SORT bad4
    `))).toEqual([]);
  });

  it('BY and GET patterns, hash fields, ties and STORE', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      RPUSH ids 1 2 3 4 5
      MSET w_1 50 w_2 30 w_3 30 w_5 10
      MSET name_1 one name_2 two name_3 three name_4 four
      HSET h_1 f 9 g x
      HSET h_2 f 7
      HSET h_3 f 8
      HSET h_4 g y
      SORT ids BY w_*
      SORT ids BY w_* DESC
      SORT ids BY w_* ALPHA
      SORT ids BY w_* GET name_*
      SORT ids BY w_* GET # GET name_* GET h_*->f GET h_*->g GET nope_*
      SORT ids BY h_*->f
      SORT ids BY h_*->f DESC GET h_*->f
      SORT ids BY h_*-> GET h_*->
      SORT ids BY name_* ALPHA GET name_*
      SORT ids BY name_* ALPHA DESC
      SORT ids BY name_*
      SORT ids BY w_* LIMIT 1 2
      SORT ids BY w_* LIMIT 1 2 DESC GET #
      SORT ids GET # GET #
      SORT ids GET fixed
      SORT ids BY fixed GET name_*
      SORT ids BY w_* STORE dst
      LRANGE dst 0 -1
      SORT ids BY w_* GET name_* STORE dst
      LRANGE dst 0 -1
      SORT ids BY nosort GET h_*->g STORE dst
      LRANGE dst 0 -1
      SORT nokey STORE dst
      EXISTS dst
      SET dst x
      SORT ids LIMIT 10 10 STORE dst
      EXISTS dst
      SORT ids STORE dst STORE dst2
      LRANGE dst2 0 -1
      SADD sset b a c
      SORT sset BY nosort STORE dst
      LRANGE dst 0 -1
      SORT_RO ids BY w_* GET name_*
      SORT_RO ids STORE dst
      SET wbad_1 abc
      SORT ids BY wbad_*
      LPUSH lw 1
      SORT ids BY lw
      SET lst_1 x
      RPUSH lst_2 y
      SORT ids BY lst_* ALPHA GET lst_*
      COMMAND GETKEYS SORT ids BY w_* STORE a STORE b
      COMMAND GETKEYS SORT ids LIMIT 0 1 GET store STORE x
      COMMAND GETKEYS SORT_RO ids BY w_*
    `))).toEqual([]);
  });
  it('tie order of ALPHA BY under LIMIT (Redis sorts partially) and without it, over lists and intsets', async () => {
    // Elements whose BY value is missing or equal compare equal under ALPHA: with a LIMIT short of
    // everything redis-server leaves them in its partial quicksort's order, which is deterministic
    // for lists and intsets (their input order is). Sizes around the algorithm's thresholds (7, 40).
    const cmds: string[][] = [['FLUSHALL'], ['MSET', 'w_3', 'b', 'w_5', 'a', 'w_8', 'b', 'w_13', 'a', 'w_21', 'c', 'w_34', 'b']];
    for (const n of [5, 6, 7, 8, 12, 40, 41, 60, 130]) {
      const list = `l${n}`;
      const set = `s${n}`;
      const members = Array.from({ length: n }, (_, i) => String((i * 37) % (n + 3)));
      cmds.push(['RPUSH', list, ...members], ['SADD', set, ...members]);
      for (const key of [list, set]) {
        for (const limit of [['0', '3'], ['1', '4'], [String(n >> 1), '5'], [String(n - 2), '10'], ['0', String(n - 1)]]) {
          cmds.push(['SORT', key, 'BY', 'nokey_*', 'ALPHA', 'LIMIT', ...limit]);
          cmds.push(['SORT', key, 'BY', 'nokey_*', 'ALPHA', 'DESC', 'LIMIT', ...limit]);
          cmds.push(['SORT', key, 'BY', 'w_*', 'ALPHA', 'LIMIT', ...limit]);
          cmds.push(['SORT', key, 'BY', 'w_*', 'ALPHA', 'DESC', 'LIMIT', ...limit, 'GET', '#', 'GET', 'w_*']);
          cmds.push(['SORT', key, 'BY', 'nokey_*', 'LIMIT', ...limit]);
          cmds.push(['SORT', key, 'BY', 'w_*', 'LIMIT', ...limit]);
        }
        cmds.push(['SORT', key, 'BY', 'nokey_*', 'ALPHA']);
        cmds.push(['SORT', key, 'BY', 'w_*', 'ALPHA', 'DESC']);
        cmds.push(['SORT', key, 'BY', 'nosort', 'LIMIT', '1', '3']);
        cmds.push(['SORT', key, 'BY', 'w_*', 'ALPHA', 'LIMIT', '0', '4', 'STORE', 'dst'], ['LRANGE', 'dst', '0', '-1']);
      }
    }
    expect(await diff(pair, cmds)).toEqual([]);
  });

  it('a listpack sorted set is a skiplist after any SORT that gets to it, failed or not', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      ZADD z1 1 a 2 b
      SORT_RO z1 BY nosort
      OBJECT ENCODING z1
      ZADD z2 1 a 2 b
      SORT z2
      OBJECT ENCODING z2
      ZADD z2 3 c
      OBJECT ENCODING z2
      ZADD z3 1 a
      SORT z3 LIMIT 0 1 ALPHA STORE dst
      OBJECT ENCODING z3
      ZADD z4 1 a
      SORT z4 FOO
      OBJECT ENCODING z4
      RPUSH l 2 1
      SORT l
      OBJECT ENCODING l
    `))).toEqual([]);
  });
});

describe('SORT in cluster mode matches redis-server', () => {
  const pair = usePair(P + 2, ['--cluster-enabled', 'yes']);

  it('BY and GET patterns are refused', async () => {
    // A node with no slots answers CLUSTERDOWN for keyed commands; give every slot to each server.
    await pair.both(['CLUSTER', 'ADDSLOTSRANGE', '0', '16383']);
    for (let i = 0; i < 100; i++) {
      const { redis, engine } = await pair.both(['CLUSTER', 'INFO']);
      if ([redis, engine].every((r) => /cluster_state:ok/.test(JSON.stringify(r)))) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(await diff(pair, script(`
      RPUSH {l}x 3 1 2
      SORT {l}x
      SORT {l}x BY nosort
      SORT {l}x BY {l}w_*
      SORT {l}x GET #
      SORT {l}x GET {l}w_*
      SORT {l}x STORE {l}y
      LRANGE {l}y 0 -1
    `))).toEqual([]);
  });
});
