// Introspection and admin commands against redis-server 7.0: COMMAND DOCS (facts captured from
// redis-server by scripts/gen-command-facts.ts), GETKEYSANDFLAGS, HELP; MODULE with no modules;
// SUBSTR; the DEBUG subcommands test suites use (with enable-debug-command yes on both).
import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import type { Reply } from '../helpers/resp.js';

const P = 11760; // this file: 11760-11769

describe('introspection commands match redis-server', () => {
  const pair = usePair(P, ['--enable-debug-command', 'yes']);

  it('COMMAND DOCS, GETKEYSANDFLAGS and HELP', async () => {
    expect(await diff(pair, script(`
      COMMAND HELP
      COMMAND DOCS get
      COMMAND DOCS set zadd geosearch sort bitfield pfadd nope
      COMMAND DOCS GET
      COMMAND DOCS nope
      COMMAND GETKEYSANDFLAGS set k v
      COMMAND GETKEYSANDFLAGS set k v GET
      COMMAND GETKEYSANDFLAGS lmove a b left right
      COMMAND GETKEYSANDFLAGS zunionstore d 2 a b weights 1 2
      COMMAND GETKEYSANDFLAGS sort k by w_* store d
      COMMAND GETKEYSANDFLAGS bitfield k get u8 0
      COMMAND GETKEYSANDFLAGS bitfield k incrby u8 0 1
      COMMAND GETKEYSANDFLAGS georadius g 1 2 3 km store x storedist y
      COMMAND GETKEYSANDFLAGS mset a 1 b 2
      COMMAND GETKEYSANDFLAGS blmpop 0 2 a b left
      COMMAND GETKEYSANDFLAGS pfmerge d a b
      COMMAND GETKEYSANDFLAGS migrate h 1 "" 0 5 keys a b
      COMMAND GETKEYSANDFLAGS get
      COMMAND GETKEYSANDFLAGS nope x y
      COMMAND GETKEYSANDFLAGS ping x
      COMMAND GETKEYSANDFLAGS zunionstore d x a
      HELLO 3
      COMMAND DOCS get pfcount
      COMMAND GETKEYSANDFLAGS set k v
      HELLO 2
    `)).then((d) => d.filter((l) => !l.startsWith('HELLO')))).toEqual([]);
  });

  it('MODULE with no modules, SUBSTR, LOLWUT', async () => {
    expect(await diff(pair, script(`
      MODULE LIST
      MODULE LOAD /nonexistent/x.so
      MODULE LOADEX /nonexistent/x.so ARGS 1
      MODULE UNLOAD x
      MODULE HELP
      MODULE LIST x
      MODULE nope
      SET s "Hello World"
      SUBSTR s 0 4
      SUBSTR s -5 -1
      SUBSTR s 5 1
      SUBSTR s x 1
      SUBSTR nokey 0 1
      SUBSTR s 0
      LPUSH l a
      SUBSTR l 0 1
      LOLWUT
      LOLWUT VERSION 7
      LOLWUT VERSION 1
      LOLWUT VERSION x
      LOLWUT VERSION 5 x
      LOLWUT VERSION 6 10 x
      LOLWUT foo
    `))).toEqual([]);
    // Versions 5 and 6 draw (randomised in Redis too): the captions must match.
    for (const v of [['5', '40', '4', '3'], ['6', '30', '5']]) {
      const { redis, engine } = await pair.both(['LOLWUT', 'VERSION', ...v]);
      const caption = (r: Reply) => String('v' in r ? r.v : '').trimEnd().split('\n').slice(v[0] === '5' ? -1 : -2);
      expect(caption(engine)).toEqual(caption(redis));
    }
  });

  it('DEBUG subcommands', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      DEBUG ERROR "some error"
      DEBUG ERROR
      DEBUG LOG "a line for the log"
      DEBUG POPULATE 3
      DEBUG POPULATE 2 p 5
      DEBUG POPULATE 2 q 12
      DEBUG POPULATE 2 key 50
      MGET key:0 key:1 key:2 p:0 p:1 q:0 q:1
      DBSIZE
      DEBUG POPULATE x
      DEBUG POPULATE -1
      DEBUG POPULATE 1 x -1
      DEBUG PROTOCOL string
      DEBUG PROTOCOL integer
      DEBUG PROTOCOL double
      DEBUG PROTOCOL bignum
      DEBUG PROTOCOL null
      DEBUG PROTOCOL array
      DEBUG PROTOCOL set
      DEBUG PROTOCOL map
      DEBUG PROTOCOL attrib
      DEBUG PROTOCOL push
      DEBUG PROTOCOL verbatim
      DEBUG PROTOCOL true
      DEBUG PROTOCOL false
      DEBUG PROTOCOL nope
      HELLO 3
      DEBUG PROTOCOL double
      DEBUG PROTOCOL bignum
      DEBUG PROTOCOL null
      DEBUG PROTOCOL set
      DEBUG PROTOCOL map
      DEBUG PROTOCOL verbatim
      DEBUG PROTOCOL true
      HELLO 2
      DEBUG CHANGE-REPL-ID
      DEBUG QUICKLIST-PACKED-THRESHOLD 100
      DEBUG QUICKLIST-PACKED-THRESHOLD 1mb
      DEBUG QUICKLIST-PACKED-THRESHOLD 0
      DEBUG QUICKLIST-PACKED-THRESHOLD x
      DEBUG QUICKLIST-PACKED-THRESHOLD 5gb
      DEBUG QUICKLIST-PACKED-THRESHOLD 4294967295
      DEBUG QUICKLIST-PACKED-THRESHOLD 4293918720
      DEBUG QUICKLIST-PACKED-THRESHOLD -1
      DEBUG DIGEST-VALUE nokey
      DEBUG SET-ACTIVE-EXPIRE 0
      DEBUG SET-ACTIVE-EXPIRE 1
      DEBUG SLEEP 0
      DEBUG PAUSE-CRON 0
      DEBUG REPLYBUFFER peak-reset-time 100
      DEBUG SET-DISABLE-DENY-SCRIPTS 0
      DEBUG LISTPACK nokey
      DEBUG OBJECT nokey
      DEBUG nope
    `)).then((d) => d.filter((l) => !l.startsWith('HELLO')))).toEqual([]);
  });
});
