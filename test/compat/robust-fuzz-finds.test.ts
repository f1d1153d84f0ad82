// What the command fuzzer found once scripting, streams, blocking and pause commands were in its
// reach (issue 12), each against real redis-server 7.0.15: a CLIENT PAUSE that never ended, blocking
// timeouts read as strtold reads them, error order and texts in scripting, functions, XGROUP, CONFIG SET.
import { describe, expect, it } from 'vitest';
import { PORTS } from '../helpers/ports.js';
import { diff, script, usePair } from './harness.js';

const PORT = PORTS.core + 680;

describe('fuzzer finds, against redis-server', () => {
  const pair = usePair(PORT);

  it('a short CLIENT PAUSE always ends (a timer firing a millisecond early left clients held forever)', async () => {
    const cmds: string[][] = [];
    for (let i = 0; i < 40; i++) cmds.push(['CLIENT', 'PAUSE', String(i % 3), i % 2 ? 'ALL' : 'WRITE'], ['SET', 'p', String(i)], ['PING']);
    expect(await diff(pair, cmds)).toEqual([]);
  });

  it('blocking timeouts as getTimeoutFromObjectOrReply: strtold, hex floats, wrap to negative; BLMPOP/BZMPOP read options first', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      RPUSH l a b c d e f g
      ZADD z 1 a 2 b 3 c
      BLPOP l 0x10
      BRPOP l 0X1P-2
      BLPOP nokey 0x1p-6
      BLPOP nokey inf
      BLPOP nokey -inf
      BLPOP nokey infinity
      BLPOP nokey nan
      BLPOP nokey 1e5000
      BLPOP nokey 1e400
      BLPOP nokey 9223372036854775807
      BLPOP nokey 1e308
      BLPOP nokey " 1"
      BLPOP nokey "1 "
      BLPOP nokey 0x
      BLPOP nokey -1
      BRPOPLPUSH nokey l inf
      BLMOVE l l2 LEFT RIGHT 0x10
      BZPOPMIN z 0x10
      BZPOPMAX nokey 1e308
      BLMPOP 1e308 1 nokey LEFT
      BLMPOP abc 0 nokey LEFT
      BLMPOP abc 1 nokey LEF
      BLMPOP abc 1 nokey LEFT COUNT 0
      BLMPOP 0x1p-6 1 l RIGHT COUNT 2
      BZMPOP abc 1 z MIN COUNT -1
      BZMPOP abc 0 z MIN
      BZMPOP 0x10 1 z MAX COUNT 2
    `))).toEqual([]);
  });

  it('INCRBYFLOAT / HINCRBYFLOAT read hex floats (strtold) and refuse overflow as not a float', async () => {
    expect(await diff(pair, script(`
      SET x 1
      INCRBYFLOAT x 0x10
      INCRBYFLOAT x 0x1p3
      INCRBYFLOAT x 0x.8
      INCRBYFLOAT x -0X1.8P1
      INCRBYFLOAT x 0x
      INCRBYFLOAT x 0xp1
      INCRBYFLOAT x 0x1p
      INCRBYFLOAT x 0x1p99999
      INCRBYFLOAT x 1e5000
      INCRBYFLOAT x 1e4000
      INCRBYFLOAT x inf
      SET hx 0x10
      INCRBYFLOAT hx 1
      HSET h f 0x1p1
      HINCRBYFLOAT h f 0x1
      HINCRBYFLOAT h f 1e5000
    `))).toEqual([]);
  });

  it('a refused EXEC answers EXECABORT, in or out of MULTI (pub/sub context, arity)', async () => {
    const { redis, engine } = await pair.connect();
    const out: string[] = [];
    for (const [name, c] of [['redis', redis], ['engine', engine]] as const) {
      const replies = [];
      replies.push(await c.call(['EXEC', 'x']));
      replies.push(await c.call(['SUBSCRIBE', 'ch']));
      replies.push(await c.call(['EXEC']));
      replies.push(await c.call(['MULTI']));
      replies.push(await c.call(['EXEC']));
      out.push(`${name}: ${JSON.stringify(replies)}`);
    }
    expect(out[1].replace('engine:', '')).toBe(out[0].replace('redis:', ''));
  });

  it('scripting and functions: FCALL names are case-insensitive, EVALSHA of a short sha is NOSCRIPT first, FUNCTION subcommand syntax errors', async () => {
    expect(await diff(pair, script(`
      FUNCTION FLUSH
      FUNCTION LOAD "#!lua name=lib1\\nredis.register_function('f1', function(keys, args) return keys end)"
      FCALL F1 1 k
      FCALL f1 1 k
      FCALL_RO F1 0
      FUNCTION LOAD "#!lua name=lib2\\nredis.register_function('F1', function() return 1 end)"
      EVALSHA 1 3
      EVALSHA -1 2
      EVALSHA_RO bar 549755813888 k
      EVALSHA xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 9223372036854775807
      FUNCTION FLUSH ASYNC ASYNC
      FUNCTION FLUSH bad
      FUNCTION RESTORE x FLUSH FLUSH
      FUNCTION RESTORE x bad
      FUNCTION LOAD "#!lua name=a b\\n" "#!lua name=a b\\n"
      FUNCTION LOAD replace "\\n#!lua x\\n" code
      FUNCTION FLUSH
    `))).toEqual([]);
  });

  it('XGROUP SETID reads its options before the key; error texts echo binary bytes as sent', async () => {
    const bin = Buffer.from([0xcf, 0x69, 0x7d, 0x52, 0xf6]);
    expect(await diff(pair, [
      ...script(`
        SET s v
        XGROUP SETID nokey g 0 ENTRIESREAD -5
        XGROUP SETID nokey g 0 bad 1
        XGROUP SETID nokey g 0 ENTRIESREAD
        XGROUP SETID s g 0 ENTRIESREAD x
        XGROUP SETID s g 0 ENTRIESREAD -1
        XADD st 1-1 f v
        XGROUP SETID st nog 0
      `),
      ['XCLAIM', 'st', bin, 'c', '0', '1-1'],
      ['XGROUP', 'SETID', 'st', bin, '0'],
      ['XREADGROUP', 'GROUP', bin, 'c', 'STREAMS', 'st', '>'],
      ['PEXPIRE', 's', '100', bin],
      ['EXPIREAT', 's', '100', Buffer.from('NXé')],
      ['LATENCY', 'GRAPH', bin],
      ['ACL', 'CAT', 'x'.repeat(300)],
      ['ACL', 'CAT', bin],
    ])).toEqual([]);
  });

  it('CONFIG SET: odd argument counts, memory values, LLONG_MAX bounds, immutable and enum configs', async () => {
    expect(await diff(pair, script(`
      CONFIG SET hz 10 hz
      CONFIG SET hash-max-ziplist-value abc
      CONFIG SET hash-max-ziplist-value -1
      CONFIG SET hash-max-ziplist-value 1kb
      CONFIG GET hash-max-ziplist-value
      CONFIG SET hash-max-ziplist-value ""
      CONFIG SET zset-max-listpack-value 2kb
      CONFIG GET zset-max-listpack-value
      CONFIG SET stream-node-max-bytes ""
      CONFIG SET stream-node-max-bytes kb
      CONFIG SET proto-max-bulk-len -1
      CONFIG SET proto-max-bulk-len ""
      CONFIG SET slowlog-max-len -1
      CONFIG SET maxclients 0
      CONFIG SET repl-backlog-ttl -1
      CONFIG SET socket-mark-id 1
      CONFIG SET sanitize-dump-payload abc
      CONFIG SET sanitize-dump-payload clients
      CONFIG GET sanitize-dump-payload
      CONFIG SET slowlog-log-slower-than 9223372036854775808
      CONFIG SET tracking-table-max-keys -9223372036854775809
      CONFIG SET slowlog-log-slower-than 10000
      CLIENT KILL TYPE type PUBSUB SKIPME yes
      CLIENT KILL TYPE normal SKIPME
      CLIENT KILL USER nosuchuser ID
      CONFIG SET hash-max-ziplist-value 64 zset-max-listpack-value 64 stream-node-max-bytes 4096
    `))).toEqual([]);
  });

  it('last session\'s leftovers: CLIENT HELP text, repeated SET/GETEX flags, ZRANGE/XADD/HMGET error order, ACL and EXPIREAT texts with NUL and non-ASCII bytes', async () => {
    expect(await diff(pair, [
      ...script(`
        FLUSHALL
        CLIENT HELP
        SET k v KEEPTTL KEEPTTL
        SET k v GET GET
        SET k v EX 10 EX 20
        SET k v KEEPTTL EX 10
        SET k v EX 10 KEEPTTL
        GETEX k PERSIST PERSIST
        GETEX k EX 10 EX 10
        GETEX k PERSIST EX 10
        ZADD z 1 a 2 b 3 c
        ZRANGE z a b LIMIT 0 1
        ZRANGE z 0 1 LIMIT 0 1
        ZRANGE z a b BYSCORE LIMIT x 1
        ZRANGE z (a b BYSCORE
        ZRANGE z 0 1 BYLEX
        ZRANGE z a b LIMIT 0
        ZRANGE z 0 1 REV LIMIT 0 1
        ZRANGE z a b WITHSCORES LIMIT 0 1
        ZRANGE z a b BYLEX WITHSCORES
        ZRANGESTORE d z a b LIMIT 0 1
        ZRANGESTORE d z 0 1 LIMIT 0 1
        ZRANGESTORE d z a b BYSCORE LIMIT 0 x
        ZRANGESTORE d z [a [b BYLEX LIMIT 0 x
        SET s x
        HMGET s a
        LPUSH l a
        HMGET l a b
        XADD st MAXLEN x 1-1 f v
        XADD st 1-1 f
        XADD st LIMIT 10 * f v
        XADD st MAXLEN 1 LIMIT 10 * f v
        XADD st MINID 0 LIMIT 10 * f v
        XADD st LIMIT x * f v
        XADD st MAXLEN ~ 1 LIMIT x * f v
        XADD s * f v
        XADD st 0-0 f v
        XADD st 1-x f v
        XADD st * f v g
        XADD st NOMKSTREAM MAXLEN ~ -1 * f v
      `),
      ['ACL', 'CAT', 'a\x00b'],
      ['ACL', 'DRYRUN', 'default', 'get', 'k\x00'],
      ['ACL', 'DRYRUN', 'u\x00', 'get', 'k'],
      ['ACL', 'DRYRUN', 'default', 'g\x00et', 'k'],
      ['EXPIREAT', 'k', '100', Buffer.from([0xc3, 0xa9, 0x00, 0xff])],
      ['EXPIRE', 'k', '100', Buffer.from('n\x00x')],
    ])).toEqual([]);
  });

  it('ZRANGE LIMIT with a rank range conflicts only when the count is not -1; ACL SETUSER rules: empty is a no-op, keywords end at a NUL', async () => {
    expect(await diff(pair, [
      ...script(`
        ZADD z 1 a 2 b
        SET s v
        ZRANGE z 0 member LIMIT 7 -1
        ZRANGE s 0 member LIMIT 7 -1
        ZRANGE z 0 1 LIMIT 7 -1
        ZRANGE z 0 1 LIMIT 0 -5
        ZRANGE z 0 1 LIMIT 3 0
        ZRANGESTORE d z 0 1 LIMIT 7 -1
        ACL SETUSER fzq ""
        ACL SETUSER fzq "" +nosuch
      `),
      ['ACL', 'SETUSER', 'fzq', 'on\x00', '-@all', 'off'],
      ['ACL', 'SETUSER', 'fzq', 'on\x01'],
      ['ACL', 'SETUSER', 'fzq', 'bad\x00rule'],
      ['ACL', 'DELUSER', 'fzq'],
    ])).toEqual([]);
  });

  it('ZRANGE refuses a second REV, BYSCORE or BYLEX; score bounds are C strings (a NUL ends them); XGROUP CREATE/SETID read repeated options before the key, group and arity checks; NOGROUP names end at a NUL', async () => {
    expect(await diff(pair, [
      ...script(`
        ZADD z 1 a 2 b
        ZRANGE z LIMIT "" REV REV
        ZRANGE z 0 1 REV REV
        ZRANGE z 0 1 BYSCORE BYLEX
        ZRANGE z 0 1 WITHSCORES WITHSCORES
        ZRANGESTORE d z 0 1 REV REV
        ZRANGEBYSCORE z "\\u0000x" 1
        ZRANGEBYSCORE z "(\\u0000" 1
        ZCOUNT z "" "1\\u0000junk"
        ZRANGESTORE d z "" "\\u0000" BYSCORE
        XGROUP CREATE s g $ MKSTREAM
        XGROUP SETID miss "" $ ENTRIESREAD 6 ENTRIESREAD 6
        XGROUP SETID s g $ ENTRIESREAD 6 ENTRIESREAD 7
        XGROUP SETID s nog $ ENTRIESREAD 6 ENTRIESREAD 7
        XGROUP SETID s g $ ENTRIESREAD x ENTRIESREAD 6
        XGROUP SETID s g $ MKSTREAM MKSTREAM
        XGROUP CREATE miss g $ ENTRIESREAD 5 ENTRIESREAD 6
        XGROUP CREATE s g $ ENTRIESREAD 5 ENTRIESREAD 6
        XGROUP CREATE s g3 $ MKSTREAM MKSTREAM MKSTREAM
        XGROUP SETID s g 0 ENTRIESREAD 3
        XINFO GROUPS s
      `),
      ['XINFO', 'CONSUMERS', 's', 'a\x00b'],
      ['XINFO', 'CONSUMERS', 's\x00x', 'a\x00b'],
      ['XREADGROUP', 'GROUP', 'n\x00g', 'c', 'STREAMS', 's', '>'],
      ['XCLAIM', 's', 'g\x00x', 'c', '0', '0-1'],
      ['XPENDING', 's', 'g\x00x'],
      ['XAUTOCLAIM', 's', 'g\x00x', 'c', '0', '0'],
      ['XGROUP', 'CREATECONSUMER', 's', 'g\x00x', 'c'],
    ])).toEqual([]);
  });

  it('Lua errors keep the script\'s bytes: a compile error names the byte it met, error_reply passes bytes through; FUNCTION LIST flags are status replies', async () => {
    const b = (s: string) => Buffer.from(s, 'latin1');
    expect(await diff(pair, [
      ['EVAL_RO', Buffer.from('\ufffd\ufffd'), '0'],
      ['EVAL', b('\x80x'), '0'],
      ['EVAL', b("return redis.error_reply('\xe9t\xe9')"), '0'],
      ['EVAL', b("error('\xe9t\xe9')"), '0'],
      ['EVAL', b("return {err='\xe9\xff'}"), '0'],
      ['FUNCTION', 'LOAD', b('#!lua name=l\n\xe9')],
      ['FUNCTION', 'LOAD', "#!lua name=fl\nredis.register_function{function_name='f', callback=function() return 1 end, flags={'no-writes', 'allow-stale'}}"],
      ['FUNCTION', 'LIST'], // flags are status replies
    ])).toEqual([]);
  });

  it('CONFIG SET: a name and its alias are not duplicates (both are set, in order); the same name twice is', async () => {
    expect(await diff(pair, script(`
      CONFIG SET lua-time-limit 10 busy-reply-threshold 20
      CONFIG GET busy-reply-threshold
      CONFIG SET lua-time-limit 10% busy-reply-threshold -1
      CONFIG SET busy-reply-threshold 1 lua-time-limit 2 nosuch 3
      CONFIG SET hz 5 HZ 7
      CONFIG SET replica-read-only no slave-read-only yes
      CONFIG GET replica-read-only
      CONFIG SET busy-reply-threshold 5000
      CONFIG GET hz
    `))).toEqual([]);
  });

  it('FCALL numkeys is a long long (out of range, +1 and 007 are not numbers); XADD checks its ID before the LIMIT rules', async () => {
    expect(await diff(pair, [
      ['FUNCTION', 'LOAD', "#!lua name=nk\nredis.register_function{function_name='nk', callback=function(keys) return #keys end, flags={'no-writes'}}"],
      ...['-18446744073709551617', '9223372036854775808', '-9223372036854775808', '99999999999999999', '007', '+1', '-0', ' 1', '-1', '1'].map((n) => ['FCALL_RO', 'nk', n, 'a', 'b']),
      ['XADD', 's', 'NOMKSTREAM', 'MAXLEN', '=', '1', 'LIMIT', '5', 'xx', 'c', 'd'],
      ['XADD', 's', 'MAXLEN', '=', '1', 'LIMIT', '5', '1-x'],
      ['XADD', 's', 'MAXLEN', '=', '1', 'LIMIT', '5', '1-1', 'c', 'd'],
      ['XADD', 's', 'MAXLEN', '=', '1', 'LIMIT', '5', '*', 'c', 'd'],
      ['XADD', 's', 'LIMIT', '5', 'bad', 'c', 'd'],
      ['XADD', 's', 'MAXLEN', '~', '1', 'LIMIT', '5', '1-1', 'c', 'd'],
    ])).toEqual([]);
  });

  it('HELLO applies each option as it reads it (an AUTH or a name before a bad option stays), with 7.0\'s NOAUTH text; LATENCY GRAPH names end at a NUL', async () => {
    expect(await diff(pair, script(`
      CONFIG SET requirepass pw
      RESET
      HELLO 3 AUTH default pw bad
      PING
      RESET
      HELLO 3 AUTH default wrong SETNAME "a b"
      PING
      AUTH pw
      HELLO 2 SETNAME early late
      CLIENT GETNAME
      RESET
      HELLO 3
      HELLO 2 AUTH default pw SETNAME nm bad
      CLIENT GETNAME
      HELLO 3 SETNAME "a b" AUTH default wrong
      HELLO 3 "x\\u0000y"
      LATENCY GRAPH "\\u0000"
      LATENCY GRAPH "command\\u0000x"
      CONFIG SET requirepass ""
    `))).toEqual([]);
  });

  it('CLIENT KILL USER names a missing user up to its first NUL, as %s does', async () => {
    expect(await diff(pair, script(`
      CLIENT KILL USER "\\u0000"
      CLIENT KILL USER "ab\\u0000cd"
      CLIENT KILL LADDR foo USER "x\\u0000" SKIPME yes
      CLIENT KILL USER nobody
    `))).toEqual([]);
  });
});
