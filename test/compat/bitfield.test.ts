// BITFIELD and BITFIELD_RO against redis-server 7.0: every signed and unsigned width read and
// written at unaligned and `#` offsets, INCRBY under OVERFLOW WRAP/SAT/FAIL at each width's limits,
// string growth, and every error.
import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';

const P = 11750; // this file: 11750-11759

describe('BITFIELD matches redis-server', () => {
  const pair = usePair(P);

  it('every width: SET/GET/INCRBY at unaligned and # offsets, at the limits, each OVERFLOW mode', async () => {
    const cmds: string[][] = [['FLUSHALL'], ['SET', 'k', 'some bytes to read from \xff\x00\x80 end']];
    const types = [...Array.from({ length: 64 }, (_, i) => `i${i + 1}`), ...Array.from({ length: 63 }, (_, i) => `u${i + 1}`)];
    for (const t of types) {
      const bits = BigInt(t.slice(1));
      const signed = t[0] === 'i';
      const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
      const min = signed ? -(1n << (bits - 1n)) : 0n;
      cmds.push(['BITFIELD', 'k', 'GET', t, '3', 'GET', t, '#2', 'GET', t, '1000']);
      cmds.push(['BITFIELD_RO', 'k', 'GET', t, '7']);
      for (const mode of ['WRAP', 'SAT', 'FAIL']) {
        const key = `f:${t}:${mode}`;
        cmds.push(['BITFIELD', key, 'OVERFLOW', mode, 'SET', t, '5', String(max), 'INCRBY', t, '5', '1', 'GET', t, '5']);
        cmds.push(['BITFIELD', key, 'OVERFLOW', mode, 'SET', t, '#1', String(min), 'INCRBY', t, '#1', '-1', 'INCRBY', t, '#1', '-3']);
        cmds.push(['BITFIELD', key, 'OVERFLOW', mode, 'SET', t, '11', String(max + 1n > 9223372036854775807n ? max : max + 1n), 'SET', t, '11', String(min - 1n < -9223372036854775808n ? min : min - 1n), 'SET', t, '11', '-1']);
        cmds.push(['BITFIELD', key, 'OVERFLOW', mode, 'INCRBY', t, '0', '9223372036854775807', 'INCRBY', t, '0', '-9223372036854775808', 'INCRBY', t, '0', '12345']);
        cmds.push(['GET', key]);
      }
    }
    expect(await diff(pair, cmds)).toEqual([]);
  });

  it('mixed operations, growth, keyspace and errors', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      BITFIELD nokey GET u8 0 GET i5 100
      EXISTS nokey
      BITFIELD_RO nokey GET u8 0
      BITFIELD n OVERFLOW FAIL INCRBY u2 100 5
      GET n
      BITFIELD n SET u8 0 255 GET u8 0 OVERFLOW SAT INCRBY u8 0 10 OVERFLOW WRAP INCRBY u8 0 10 GET u4 4
      GET n
      BITFIELD n
      BITFIELD n GET u8
      BITFIELD n SET u8 0
      BITFIELD n FOO u8 0
      BITFIELD n OVERFLOW
      BITFIELD n OVERFLOW BAD GET u8 0
      BITFIELD n GET u64 0
      BITFIELD n GET i65 0
      BITFIELD n GET i0 0
      BITFIELD n GET U8 0
      BITFIELD n GET x8 0
      BITFIELD n GET u08 0
      BITFIELD n GET u8 -1
      BITFIELD n GET u8 abc
      BITFIELD n GET u8 #-1
      BITFIELD n GET u8 ##1
      BITFIELD n GET u8 4294967296
      BITFIELD n GET u8 4294967295
      BITFIELD n SET u8 0 abc
      BITFIELD n SET u8 0 99999999999999999999
      BITFIELD n INCRBY u8 0 1.5
      BITFIELD_RO n SET u8 0 1
      BITFIELD_RO n INCRBY u8 0 1
      BITFIELD_RO n GET u8 0 GET i8 #3
      BITFIELD_RO n GET u8 abc SET u8 0 1
      LPUSH list a
      BITFIELD list GET u8 0
      BITFIELD list SET u8 0 1
      BITFIELD_RO list GET u8 0
      SET int 12345
      BITFIELD int GET u8 0 SET u8 0 100
      GET int
      OBJECT ENCODING int
      SET ttl x EX 100
      BITFIELD ttl SET u8 800 1
      TTL ttl
      STRLEN ttl
    `))).toEqual([]);
  });
});
