// Consumer groups against redis-server: XGROUP, XREADGROUP (non-blocking), XREAD, XACK, XPENDING,
// XCLAIM, XAUTOCLAIM, XINFO, entries-read/lag. Clock-valued fields are masked (streams-kit.ts).
import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { diffMasked } from './streams-kit.js';

describe('stream consumer groups match redis-server', () => {
  const pair = usePair(11410, ['--stream-node-max-entries', '3']);

  it('XGROUP subcommands and their errors', async () => {
    expect(await diffMasked(pair, `
      FLUSHALL
      XGROUP CREATE s g 0
      XGROUP CREATE s g $ MKSTREAM
      XGROUP CREATE s g $ MKSTREAM
      XGROUP CREATE s g2 0 ENTRIESREAD 5
      XGROUP CREATE s g3 0 ENTRIESREAD -2
      XGROUP CREATE s g3 0 ENTRIESREAD x
      XGROUP CREATE s g3 0 FOO
      XGROUP CREATE s g3 bad
      XGROUP CREATE s g3 - 
      XGROUP CREATE s g3 0 MKSTREAM ENTRIESREAD -1
      TYPE s
      XLEN s
      XGROUP SETID s nog 0
      XGROUP SETID s g 5-5
      XGROUP SETID s g $ ENTRIESREAD 3
      XGROUP SETID s g 0 ENTRIESREAD -3
      XGROUP SETID s g 0 FOO 1
      XGROUP SETID s g bad
      XGROUP SETID s g -
      XGROUP CREATECONSUMER s g alice
      XGROUP CREATECONSUMER s g alice
      XGROUP CREATECONSUMER s nog alice
      XGROUP DELCONSUMER s g bob
      XGROUP DELCONSUMER s g alice
      XGROUP DELCONSUMER nokey g alice
      XGROUP DESTROY s g2
      XGROUP DESTROY s g2
      XGROUP DESTROY nokey g2
      XGROUP HELP
      XGROUP HELP extra
      XINFO HELP
      XINFO HELP extra
      XGROUP NOPE
      XINFO NOPE
      XGROUP CREATECONSUMER nokey g c
      SET str x
      XGROUP CREATE str g 0
      XGROUP DESTROY str g
      XINFO GROUPS s
      XGROUP FOO s g
      XGROUP CREATE s
    `)).toEqual([]);
  });

  it('XREADGROUP, XREAD, XACK, XPENDING and entries-read/lag', async () => {
    expect(await diffMasked(pair, `
      FLUSHALL
      XADD s 1-0 a 1
      XADD s 2-0 b 2
      XADD s 3-0 c 3
      XADD s 4-0 d 4
      XGROUP CREATE s g 0
      XINFO GROUPS s
      XREADGROUP GROUP g alice COUNT 2 STREAMS s >
      XINFO GROUPS s
      XREADGROUP GROUP g bob STREAMS s >
      XREADGROUP GROUP g bob STREAMS s >
      XINFO GROUPS s
      XREADGROUP GROUP g alice STREAMS s 0
      XREADGROUP GROUP g alice COUNT 1 STREAMS s 1-0
      XREADGROUP GROUP g carol STREAMS s 0
      XPENDING s g
      XPENDING s g - + 10
      XPENDING s g - + 10 alice
      XPENDING s g - + 10 nobody
      XPENDING s g (1-0 + 1
      XPENDING s g IDLE 0 - + 10
      XPENDING s g IDLE 100000 - + 10
      XPENDING s g - + 0
      XPENDING s g - + -1
      XPENDING s g IDLE 5 - +
      XPENDING s g - +
      XPENDING s g - + x
      XPENDING s g a + 1
      XPENDING s nog
      XPENDING nokey g
      XACK s g 1-0 1-0 9-0
      XACK s g bad
      XACK s nog 1-0
      XACK nokey g 1-0
      XPENDING s g
      XDEL s 3-0
      XREADGROUP GROUP g bob STREAMS s 0
      XINFO CONSUMERS s g
      XINFO CONSUMERS s nog
      XINFO CONSUMERS nokey g
      XREADGROUP GROUP g alice STREAMS s $
      XREADGROUP GROUP g alice STREAMS s
      XREADGROUP GROUP g alice STREAMS s > extra
      XREADGROUP STREAMS s >
      XREADGROUP GROUP nog alice STREAMS s >
      XREADGROUP GROUP g alice STREAMS nokey >
      XREADGROUP GROUP g alice COUNT x STREAMS s >
      XREADGROUP GROUP g alice FOO STREAMS s >
      XREADGROUP GROUP g alice STREAMS s bad
      XREADGROUP GROUP g alice NOACK STREAMS s >
      XREAD STREAMS s 0
      XREAD COUNT 2 STREAMS s 1-0
      XREAD STREAMS s nokey 0 0
      XREAD STREAMS s $
      XREAD STREAMS s >
      XREAD GROUP g a STREAMS s 0
      XREAD NOACK STREAMS s 0
      XREAD STREAMS s
      XREAD COUNT 1
      XREAD STREAMS str 0
      SET str x
      XREAD STREAMS str 0
      XREADGROUP GROUP g a STREAMS str >
      XADD s 5-0 e 5
      XADD s 6-0 f 6
      XGROUP CREATE s g2 $
      XGROUP CREATE s g3 0
      XGROUP CREATE s g4 3-0
      XGROUP CREATE s g5 2-0 ENTRIESREAD 2
      XINFO GROUPS s
      XREADGROUP GROUP g3 x NOACK STREAMS s >
      XREADGROUP GROUP g4 x COUNT 1 STREAMS s >
      XREADGROUP GROUP g5 x COUNT 1 STREAMS s >
      XINFO GROUPS s
      XDEL s 6-0
      XINFO GROUPS s
      XTRIM s MAXLEN 1
      XINFO GROUPS s
      XINFO STREAM s
      XINFO STREAM s FULL
      XINFO STREAM s FULL COUNT 1
      XINFO STREAM s FULL COUNT 0
      XINFO STREAM s FULL COUNT x
      XINFO STREAM s FULL FOO 1
      XINFO STREAM s PARTIAL
      XINFO STREAM nokey
      XINFO STREAM str
      XINFO GROUPS str
      COMMAND GETKEYS XREAD COUNT 2 BLOCK 5 STREAMS a b 0 0
      COMMAND GETKEYS XREADGROUP GROUP streams c NOACK STREAMS s1 s2 s3 > > >
      COMMAND GETKEYS XADD s * f v
      COMMAND GETKEYS XGROUP CREATE s g $
      COMMAND GETKEYS XINFO STREAM s
    `)).toEqual([]);
  });

  it('XCLAIM and XAUTOCLAIM', async () => {
    expect(await diffMasked(pair, `
      FLUSHALL
      XADD s 1-0 a 1
      XADD s 2-0 b 2
      XADD s 3-0 c 3
      XADD s 4-0 d 4
      XGROUP CREATE s g 0
      XREADGROUP GROUP g alice STREAMS s >
      XCLAIM s g bob 0 1-0
      XCLAIM s g bob 0 1-0 2-0 JUSTID
      XCLAIM s g bob 3600000 3-0
      XCLAIM s g bob 0 3-0 RETRYCOUNT 7 IDLE 1000
      XCLAIM s g bob 0 4-0 TIME 5
      XPENDING s g - + 10
      XCLAIM s g bob 0 9-0
      XCLAIM s g bob 0 9-0 FORCE
      XDEL s 4-0
      XCLAIM s g carol 0 4-0
      XPENDING s g
      XADD s 5-0 e 5
      XCLAIM s g carol 0 5-0 FORCE
      XCLAIM s g carol 0 5-0 FORCE JUSTID
      XCLAIM s g carol 0 3-0 LASTID 9-0
      XINFO GROUPS s
      XCLAIM s g carol x 1-0
      XCLAIM s g carol 0 1-0 IDLE x
      XCLAIM s g carol 0 1-0 TIME x
      XCLAIM s g carol 0 1-0 RETRYCOUNT x
      XCLAIM s g carol 0 1-0 LASTID bad
      XCLAIM s g carol 0 1-0 FOO
      XCLAIM s g carol 0 bad
      XCLAIM s nog carol 0 1-0
      XCLAIM nokey g carol 0 1-0
      XINFO CONSUMERS s g
      XAUTOCLAIM s g dave 0 0
      XAUTOCLAIM s g erin 0 0 COUNT 1
      XAUTOCLAIM s g erin 0 (1-0 COUNT 2 JUSTID
      XAUTOCLAIM s g erin 3600000 0
      XDEL s 2-0
      XAUTOCLAIM s g frank 0 0
      XAUTOCLAIM s g frank 0 0 COUNT 0
      XAUTOCLAIM s g frank 0 0 COUNT x
      XAUTOCLAIM s g frank 0 0 FOO
      XAUTOCLAIM s g frank x 0
      XAUTOCLAIM s g frank 0 bad
      XAUTOCLAIM s nog frank 0 0
      XAUTOCLAIM nokey g frank 0 0
      XPENDING s g - + 10
      XINFO STREAM s FULL
    `)).toEqual([]);
  });

  it('RESP3 replies (maps) for XREAD, XREADGROUP and XINFO', async () => {
    expect(await diffMasked(pair, `
      FLUSHALL
      !HELLO 3
      XADD s 1-0 a 1
      XADD t 1-0 b 2
      XGROUP CREATE s g 0
      XREAD STREAMS s t 0 0
      XREADGROUP GROUP g c STREAMS s >
      XREADGROUP GROUP g c STREAMS s 0
      XREAD STREAMS s 5
      XINFO STREAM s
      XINFO STREAM s FULL
      XINFO GROUPS s
      XINFO CONSUMERS s g
      XPENDING s g
      XRANGE s - + COUNT 0
      !HELLO 2
    `)).toEqual([]);
  });

  it('radix-tree-nodes over many nodes and deletions', async () => {
    const lines = ['FLUSHALL'];
    for (let i = 1; i <= 200; i++) lines.push(`XADD s ${i * 37}-${i % 5} f ${i}`);
    lines.push('XINFO STREAM s', 'XDEL s 37-1 74-2 111-3', 'XINFO STREAM s', 'XTRIM s MAXLEN 50', 'XINFO STREAM s');
    for (let i = 1; i <= 40; i++) lines.push(`XADD big ${1700000000000 + i * 1000}-0 f ${i}`);
    lines.push('XINFO STREAM big');
    expect(await diffMasked(pair, lines.join('\n'))).toEqual([]);
  });
});
