// Streams on entries (XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID) against redis-server.
// Explicit IDs keep replies identical; auto IDs are checked for shape and order.
import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { diffScript, scalar } from './datatypes-kit.js';

describe('stream entry commands match redis-server', () => {
  // Small nodes so approximate trimming and node boundaries are exercised.
  const pair = usePair(11400, ['--stream-node-max-entries', '4']);

  it('XADD IDs, errors and NOMKSTREAM', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      XADD s 1-1 a 1
      XADD s 1-1 a 1
      XADD s 0-0 a 1
      XADD s2 0-0 a 1
      EXISTS s2
      XADD s2 0-* a 1
      XADD s2 0-* a 1
      XADD s 1 a
      XADD s 1-2 a
      XADD s 1-2 a 1 b
      XADD s maxlen x 1 a 1
      XADD s maxlen -1 * a 1
      XADD s limit 10 * a 1
      XADD s limit 0 5-0 a 1
      XADD s maxlen 1 limit 10 * a 1
      XADD s maxlen ~ 1 limit -1 * a 1
      XADD s maxlen 1 minid 1 * a 1
      XADD s minid abc * a 1
      XADD s nomkstream
      XADD s 1-x a 1
      XADD s -1 a 1
      XADD s + a 1
      XADD s 5-* a 1
      XADD s 5-* a 1
      XADD s 4-* a 1
      XADD s 5 a 1
      XADD s 6 a 1
      XADD s 00007-01 a 1
      XADD s 18446744073709551615-* f v
      XADD s * a 1
      XADD s 18446744073709551615-* a 1
      XADD s 0-1 a 1
      XADD s 18446744073709551616-1 a 1
      XADD n nomkstream 1-1 a 1
      EXISTS n
      XADD n NOMKSTREAM MAXLEN 5 1-1 a 1
      SET str x
      XADD str 1-1 a 1
      XLEN str
      XRANGE str - +
      XDEL str 1-1
      XTRIM str maxlen 1
      XSETID str 1-1
      TYPE s
      OBJECT ENCODING s
      XLEN s
      XLEN nokey
      XRANGE s - +
    `)).toEqual([]);
  });

  it('XRANGE / XREVRANGE bounds, exclusive ranges and COUNT', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      XADD s 1-0 a 1
      XADD s 1-1 b 2 c 3
      XADD s 2-0 a 10
      XADD s 2-5 a 11 x yy
      XADD s 3-0 a 123456789012 big -5
      XADD s 4-18446744073709551615 a ""
      XADD s 5-0 a hello
      XRANGE s - +
      XREVRANGE s + -
      XRANGE s 2 2
      XRANGE s (1-1 (3-0
      XREVRANGE s (5-0 (1-0
      XRANGE s (4-18446744073709551615 +
      XREVRANGE s (5 -
      XRANGE s 2 +  COUNT 2
      XREVRANGE s + - COUNT 3
      XRANGE s - + COUNT 0
      XRANGE s - + COUNT -1
      XRANGE s - + COUNT
      XRANGE s - + FOO 1
      XRANGE s - + COUNT x
      XRANGE s a b
      XRANGE s ( +
      XRANGE s (- +
      XRANGE s - (+
      XRANGE s (18446744073709551615-18446744073709551615 +
      XRANGE s - (0-0
      XRANGE s - (0
      XRANGE s 3 1
      XRANGE nokey - +
      XREVRANGE nokey + -
      XRANGE s 0001-1 +
    `)).toEqual([]);
  });

  it('XDEL, XTRIM (MAXLEN/MINID, exact and ~, LIMIT) and XADD trimming', async () => {
    const lines = ['FLUSHALL'];
    for (let i = 1; i <= 30; i++) lines.push(`XADD s ${i}-0 f ${i}`);
    expect(await diffScript(pair, `
      ${lines.join('\n')}
      XDEL s 3-0 4-0 99-0
      XDEL s 3-0
      XDEL s -
      XDEL s 1-0 bad
      XDEL nokey 1-1
      XLEN s
      XTRIM s
      XTRIM s foo 1
      XTRIM s maxlen
      XTRIM s maxlen 1 limit 5
      XTRIM s maxlen ~ 1 limit 5 extra
      XTRIM s maxlen ~ 25
      XLEN s
      XTRIM s maxlen 25
      XRANGE s - + COUNT 2
      XTRIM s maxlen ~ 10 limit 4
      XLEN s
      XTRIM s maxlen ~ 10 limit 0
      XLEN s
      XTRIM s minid ~ 20
      XLEN s
      XTRIM s minid 22-0
      XRANGE s - + COUNT 1
      XTRIM s minid = 23
      XTRIM s maxlen = 3
      XRANGE s - +
      XTRIM nokey maxlen 1
      XADD s maxlen 2 31-0 f 31
      XRANGE s - +
      XADD s minid 31 32-0 f 32
      XRANGE s - +
      XTRIM s maxlen 0
      XLEN s
      EXISTS s
      XRANGE s - +
      XADD s 1-0 a 1
      XDEL s 32-0
      XDEL s 31-0
      XLEN s
      EXISTS s
    `)).toEqual([]);
  });

  it('XSETID', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      XADD s 5-0 a 1
      XADD s 6-0 a 1
      XSETID s 1-1
      XSETID s 6-0
      XSETID s 6
      XSETID s 10-0 ENTRIESADDED 1
      XSETID s 10-0 ENTRIESADDED -1
      XSETID s 10-0 ENTRIESADDED x
      XSETID s 10-0 MAXDELETEDID 11-0
      XSETID s 10-0 MAXDELETEDID 9-0 ENTRIESADDED 5
      XSETID s 8-0
      XSETID s 10-0 FOO
      XSETID s 99999999999999999999999-1
      XSETID s +
      XSETID nokey 1-1
      XADD s 7-0 a 1
      XADD s 10-* a 1
      XDEL s 5-0 6-0 10-1
      XSETID s 10-0
      XSETID s 10-1
      XADD s 10-* a 1
      XSETID s 18446744073709551615-18446744073709551615
      XADD s * a 1
      XADD s 1-* a 1
    `)).toEqual([]);
  });

  it('auto IDs increase and propagate concretely; TYPE/DEL/RENAME/COPY work on streams', async () => {
    for (const c of [pair.redis, pair.engine]) {
      await c.call(['FLUSHALL']);
      const a = await c.call(['XADD', 's', '*', 'f', 'v']);
      const b = await c.call(['XADD', 's', '*', 'f', 'v']);
      expect(a.t).toBe('bulk');
      const [am, as] = String(scalar(a)).split('-').map(BigInt);
      const [bm, bs] = String(scalar(b)).split('-').map(BigInt);
      expect(bm > am || (bm === am && bs === as + 1n)).toBe(true);
    }
    expect(await diffScript(pair, `
      FLUSHALL
      XADD s 1-1 a 1 b 2
      TYPE s
      COPY s s2
      XRANGE s2 - +
      XADD s2 2-0 c 3
      XLEN s
      RENAME s2 s3
      XRANGE s3 - +
      DEL s s3
      EXISTS s s3
      XADD s 1-1 a 1
      SCAN 0 TYPE stream
      OBJECT ENCODING s
    `)).toEqual([]);
  });
});
