// Reply differences the command fuzzer still found around issue 17's commands, fixed and kept here
// as differential cases: protected commands refused before the pub/sub context and MULTI (DEBUG and
// MODULE LOAD with enable-*-command off), XINFO STREAM looking the key up before its options,
// CONFIG SET list-max-listpack-size over the whole int range, SORT's LIMIT bounds.
import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';

const P = 11810; // this file: 11810-11819

describe('issue 17 fuzz leftovers match redis-server', () => {
  const pair = usePair(P);

  it('DEBUG and MODULE LOAD/LOADEX/UNLOAD are refused first: in a pub/sub context and inside MULTI', async () => {
    expect(await diff(pair, script(`
      DEBUG SLEEP 0
      MODULE LOAD /nonexistent/module.so
      MODULE LOADEX /nonexistent/module.so
      MODULE UNLOAD nomodule
      MODULE LIST
      MULTI
      SET a 1
      DEBUG SLEEP 0
      EXEC
      MULTI
      MODULE LOAD /x.so
      EXEC
      SUBSCRIBE ch
      MODULE LOAD /nonexistent/module.so
      MODULE UNLOAD x
      DEBUG OBJECT x
      MODULE LIST
      UNSUBSCRIBE ch
    `))).toEqual([]);
  });

  it('XINFO STREAM looks the key up before reading its options', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      XINFO STREAM k k
      XINFO STREAM k FULL COUNT 1 x
      SET str v
      XINFO STREAM str k
      XADD k 1-1 a b
      XINFO STREAM k k
      XINFO STREAM k FULL COUNT x
      XINFO STREAM k FULL COUNT
    `))).toEqual([]);
  });

  it('CONFIG SET list-max-listpack-size takes any 32-bit int', async () => {
    expect(await diff(pair, script(`
      CONFIG SET list-max-listpack-size -6
      CONFIG GET list-max-listpack-size
      CONFIG SET list-max-listpack-size -2147483648
      CONFIG SET list-max-listpack-size -2147483649
      CONFIG SET list-max-listpack-size 2147483647
      CONFIG SET list-max-listpack-size 0
      RPUSH l a b c
      LRANGE l 0 -1
      CONFIG SET list-max-ziplist-size -3
      CONFIG GET list-max-listpack-size
      CONFIG SET list-max-listpack-size -2
    `))).toEqual([]);
  });

  it('SORT LIMIT with huge and negative bounds', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      RPUSH k 3 1 2 5 4 6 7
      SORT k LIMIT 5 9007199254740993
      SORT k LIMIT 5 9223372036854775807
      SORT k LIMIT 9223372036854775807 5
      SORT k LIMIT -9223372036854775808 2
      SORT k LIMIT 2 -9223372036854775808
      SORT k LIMIT 5 9223372036854775808
      SORT k BY nosort LIMIT 5 9007199254740993
      SORT k BY w_* LIMIT 1 9007199254740993
      SORT nokey LIMIT 5 9007199254740993
    `))).toEqual([]);
  });
});
