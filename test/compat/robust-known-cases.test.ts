// Issue 12's known cases, each against real redis-server 7.0.15: inputs that crashed or hung the
// engine, or answered differently (random-count ranges, glob backtracking, CLIENT REPLY with pub/sub,
// COMMAND <unknown>, BITCOUNT crossed negative ranges, ZINTERCARD LIMIT).
import { describe, expect, it } from 'vitest';
import { PORTS } from '../helpers/ports.js';
import { RespClient, encodeCommand } from '../helpers/resp.js';
import { diff, script, transcripts, usePair } from './harness.js';

const PORT = PORTS.core + 620;

/** Raw bytes a fresh connection receives for `cmds` within `ms`. */
async function rawReplies(port: number, cmds: string[][], ms = 300): Promise<string> {
  const c = await RespClient.connect(port);
  let got = '';
  c.sock.prependListener('data', (d: Buffer) => (got += d.toString('latin1')));
  c.writeRaw(Buffer.concat(cmds.map((a) => encodeCommand(a))));
  await new Promise((r) => setTimeout(r, ms));
  c.close();
  return got;
}

describe('known robustness cases, against redis-server', () => {
  const pair = usePair(PORT, ['--enable-debug-command', 'yes']);

  it('random-count family: range checks, option order and error texts', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      HSET h a 1
      SADD s a
      ZADD z 1 a
      SET str x
      HRANDFIELD h -9223372036854775808
      HRANDFIELD h -9223372036854775808 WITHVALUES
      HRANDFIELD h -4611686018427387904 WITHVALUES
      HRANDFIELD h 4611686018427387904 WITHVALUES
      HRANDFIELD h 4611686018427387903 WITHVALUES
      HRANDFIELD h 9223372036854775807
      HRANDFIELD h 9223372036854775808
      HRANDFIELD h abc foo
      HRANDFIELD h -9223372036854775808 foo
      HRANDFIELD h 4611686018427387904 WITHVALUES foo
      HRANDFIELD h 1 foo
      HRANDFIELD nokey -9223372036854775808
      HRANDFIELD nokey -4611686018427387904 WITHVALUES
      HRANDFIELD str -9223372036854775808
      HRANDFIELD str 1
      HRANDFIELD h -3 WITHVALUES
      SRANDMEMBER s -9223372036854775808
      SRANDMEMBER s 9223372036854775807
      SRANDMEMBER s -9223372036854775808 foo
      SRANDMEMBER s abc
      SRANDMEMBER nokey -9223372036854775808
      SRANDMEMBER str -9223372036854775808
      SRANDMEMBER s -3
      ZRANDMEMBER z -9223372036854775808
      ZRANDMEMBER z -4611686018427387904 WITHSCORES
      ZRANDMEMBER z 4611686018427387904 WITHSCORES
      ZRANDMEMBER z 9223372036854775807 WITHSCORES
      ZRANDMEMBER z abc foo
      ZRANDMEMBER z 1 foo
      ZRANDMEMBER str 9223372036854775807 WITHSCORES
      ZRANDMEMBER z -3 WITHSCORES
    `))).toEqual([]);
  });

  it('glob matching gives up like Redis instead of backtracking exponentially (KEYS, SCAN, CONFIG GET, PSUBSCRIBE)', async () => {
    const key = 'a'.repeat(40);
    const hostile = 'a*'.repeat(20) + 'b';
    expect(await diff(pair, [
      ['FLUSHALL'], ['SET', key, '1'], ['SET', 'ab', '1'],
      ['KEYS', hostile], ['KEYS', 'a*'.repeat(20)], ['SCAN', '0', 'MATCH', hostile, 'COUNT', '100'],
      ['CONFIG', 'GET', '*a'.repeat(20) + '*z'],
      ['KEYS', '*[a-]'], ['KEYS', 'a[^b]*'], ['KEYS', '[\\]'], ['KEYS', 'a\\'],
    ])).toEqual([]);
    const { redis, engine } = await pair.connect();
    for (const c of [redis, engine]) {
      expect(await c.call(['PSUBSCRIBE', hostile])).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'psubscribe' }, { t: 'bulk', v: hostile }, { t: 'int', v: '1' }] });
    }
    expect(await pair.both(['PUBLISH', key, 'm'])).toEqual({ redis: { t: 'int', v: '0' }, engine: { t: 'int', v: '0' } });
  });

  it('CLIENT REPLY OFF / SKIP still sends pub/sub confirmations and messages', async () => {
    const cases = [
      [['CLIENT', 'REPLY', 'OFF'], ['SUBSCRIBE', 'a', 'b'], ['PSUBSCRIBE', 'x*'], ['UNSUBSCRIBE', 'a'], ['PING']],
      [['CLIENT', 'REPLY', 'SKIP'], ['SUBSCRIBE', 'a', 'b'], ['PSUBSCRIBE', 'x*'], ['PING']],
      [['HELLO', '3'], ['CLIENT', 'REPLY', 'OFF'], ['SUBSCRIBE', 'a'], ['PUBLISH', 'a', 'hi'], ['PSUBSCRIBE', 'x*'], ['PING']],
    ];
    for (const cmds of cases) {
      const [redis, engine] = await Promise.all([rawReplies(pair.redisProc.port, cmds), rawReplies(pair.engineProc.port, cmds)]);
      // HELLO's map holds the connection id, which differs: compare what follows it.
      const tail = (s: string) => (cmds[0][0] === 'HELLO' ? s.slice(s.indexOf('>3')) : s);
      expect(tail(engine)).toBe(tail(redis));
      expect(redis).toContain('subscribe');
    }
  });

  it('COMMAND <unknown subcommand>, BITCOUNT crossed negative range, ZINTERCARD LIMIT text', async () => {
    expect(await diff(pair, script(`
      COMMAND foo
      COMMAND foo bar
      SET s abcd
      BITCOUNT s -6 -7
      BITCOUNT s -7 -6
      BITCOUNT s -6 -7 BIT
      BITCOUNT s -100 -90
      BITPOS s 1 -6 -7
      DEL zk
      ZADD zk 1 a
      ZINTERCARD 1 zk LIMIT a
      ZINTERCARD 1 zk LIMIT -1
      ZINTERCARD 1 zk LIMIT 1 LIMIT 2
      SADD sk a
      SINTERCARD 1 sk LIMIT a
    `))).toEqual([]);
  });

  it('a WATCHed key that expires aborts EXEC; one already expired at WATCH time does not', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const t = await transcripts(pair, 2, async ([a, b], log) => {
      await a.call(['DEBUG', 'SET-ACTIVE-EXPIRE', '0']);
      for (const touch of [null, ['EXISTS', 'k'], ['GET', 'k']]) {
        await a.call(['SET', 'k', 'v', 'PX', '50']);
        log('watch', await a.call(['WATCH', 'k']));
        await sleep(120);
        if (touch) log(touch.join(' '), await b.call(touch));
        await a.call(['MULTI']);
        await a.call(['PING']);
        log('exec', await a.call(['EXEC']));
      }
      await a.call(['SET', 'k', 'v', 'PX', '20']);
      await sleep(80);
      log('watch expired', await a.call(['WATCH', 'k']));
      log('get', await b.call(['GET', 'k']));
      await a.call(['MULTI']);
      await a.call(['PING']);
      log('exec', await a.call(['EXEC']));
      await a.call(['DEBUG', 'SET-ACTIVE-EXPIRE', '1']);
    });
    expect(t.engine).toEqual(t.redis);
    expect(t.redis.filter((l) => l.startsWith('exec'))).toEqual(['exec {"t":"array","v":null}', 'exec {"t":"array","v":null}', 'exec {"t":"array","v":null}', 'exec {"t":"array","v":[{"t":"simple","v":"PONG"}]}']);
  });

  it('SMOVE to a destination already holding the member does not dirty a WATCH on it', async () => {
    const t = await transcripts(pair, 2, async ([a, b], log) => {
      await a.call(['SADD', 's', 'm']);
      await a.call(['SADD', 'd', 'm']);
      await a.call(['WATCH', 'd']);
      log('smove', await b.call(['SMOVE', 's', 'd', 'm']));
      await a.call(['MULTI']);
      await a.call(['SMEMBERS', 'd']);
      log('exec', await a.call(['EXEC']));
      await a.call(['SADD', 's', 'n']);
      await a.call(['WATCH', 'd']);
      log('smove new', await b.call(['SMOVE', 's', 'd', 'n']));
      await a.call(['MULTI']);
      await a.call(['PING']);
      log('exec', await a.call(['EXEC']));
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('RESTORE IDLETIME / FREQ survive TTL, TYPE and EXISTS; OBJECT IDLETIME resets on use', async () => {
    const t = await transcripts(pair, 1, async ([a], log) => {
      await a.call(['SET', 'src', 'some value']);
      const dump = await a.call(['DUMP', 'src']);
      const payload = Buffer.from(String(dump.t === 'bulk' ? dump.v : ''), 'latin1');
      // Idle times have a 1 s clock on both servers: 1000 and 1001 (or 0 and 1) are the same answer here.
      const coarse = (r: Awaited<ReturnType<typeof a.call>>) => (r.t === 'int' ? { t: 'int' as const, v: String(Math.round(Number(r.v) / 10) * 10) } : r);
      const run = async (args: (string | Buffer)[]) => log(args.map((x) => (Buffer.isBuffer(x) ? '<payload>' : x)).join(' '), args[1] === 'IDLETIME' ? coarse(await a.call(args)) : await a.call(args));
      await run(['RESTORE', 'r1', '0', payload, 'IDLETIME', '1000']);
      for (const cmd of ['OBJECT IDLETIME r1', 'TTL r1', 'TYPE r1', 'EXISTS r1', 'OBJECT IDLETIME r1', 'GET r1', 'OBJECT IDLETIME r1']) await run(cmd.split(' '));
      await run(['RESTORE', 'r2', '0', payload, 'FREQ', '100']);
      await run(['OBJECT', 'FREQ', 'r2']);
      await run(['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu']);
      await run(['RESTORE', 'r3', '0', payload, 'FREQ', '100']);
      for (const cmd of ['OBJECT FREQ r3', 'TTL r3', 'TYPE r3', 'EXISTS r3', 'OBJECT FREQ r3', 'OBJECT IDLETIME r3']) await run(cmd.split(' '));
      await run(['RESTORE', 'r4', '0', payload, 'FREQ', '256']);
      await run(['RESTORE', 'r4', '0', payload, 'IDLETIME', '-1']);
      await run(['RESTORE', 'r4', '0', payload, 'IDLETIME', '1', 'FREQ', '1']);
      await run(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
    });
    expect(t.engine).toEqual(t.redis);
    expect(t.redis).toContain('OBJECT IDLETIME r1 {"t":"int","v":"1000"}');
  });

  it('CLIENT LIST / CLIENT INFO qbuf and argv-mem count the real buffers', async () => {
    const fields = (line: string) => Object.fromEntries(line.trim().split(' ').map((kv) => kv.split('=')).filter(([k]) => ['qbuf', 'qbuf-free', 'argv-mem', 'cmd'].includes(k)));
    const out: Record<string, unknown>[][] = [];
    for (const port of [pair.redisProc.port, pair.engineProc.port]) {
      const partial = await RespClient.connect(port);
      const id = await partial.call(['CLIENT', 'ID']);
      partial.writeRaw('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\nabc');
      const c = await RespClient.connect(port);
      await new Promise((r) => setTimeout(r, 100));
      const list = await c.call(['CLIENT', 'LIST', 'ID', String(id.t === 'int' ? id.v : '')]);
      const info = await c.call(['CLIENT', 'INFO']);
      out.push([...String(list.t === 'bulk' ? list.v : '').trim().split('\n').map(fields), fields(String(info.t === 'bulk' ? info.v : ''))]);
      partial.close();
      c.close();
    }
    expect(out[1]).toEqual(out[0]);
    expect(out[0]).toContainEqual({ qbuf: '3', 'qbuf-free': '20471', 'argv-mem': '4', cmd: 'client|id' });
  });

  it('CONFIG SET: percent validation, port bind failure rolls back, hidden configs by exact name', async () => {
    expect(await diff(pair, script(`
      CONFIG SET maxmemory-clients 101%
      CONFIG SET maxmemory-clients 100%
      CONFIG GET maxmemory-clients
      CONFIG SET maxmemory-clients -1%
      CONFIG SET maxmemory-clients abc
      CONFIG SET maxmemory-clients 0
      CONFIG GET key-load-delay
      CONFIG GET rdb-key-save-delay
      CONFIG GET loading-process-events-interval-bytes
      CONFIG GET *load-delay*
      CONFIG GET Key-Load-Delay
      CONFIG GET MAXMEMORY
    `))).toEqual([]);
    // Each server is asked to move onto the other's port, which is taken: nothing may change.
    const ports = [pair.redisProc.port, pair.engineProc.port];
    const replies = await Promise.all([pair.redis.call(['CONFIG', 'SET', 'maxmemory', '10mb', 'port', String(ports[1])]), pair.engine.call(['CONFIG', 'SET', 'maxmemory', '10mb', 'port', String(ports[0])])]);
    expect(replies[1]).toEqual(replies[0]);
    expect(replies[0]).toEqual({ t: 'error', v: "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs." });
    expect(await diff(pair, script('CONFIG GET maxmemory'))).toEqual([]);
    expect(await pair.engine.call(['CONFIG', 'GET', 'port'])).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'port' }, { t: 'bulk', v: String(ports[1]) }] });
  });

  it('C int arguments (SELECT, MOVE, SWAPDB) and LINDEX argument order, as the fuzzer found them', async () => {
    expect(await diff(pair, script(`
      SELECT 137438953473
      SELECT 2147483648
      SELECT -1
      SELECT abc
      MOVE k 4611686018427387905
      MOVE k 16
      SWAPDB 4398046511103 1
      SWAPDB 1 4398046511103
      SWAPDB 2147483647 1
      SWAPDB 1 -2147483649
      SET str x
      LINDEX nokey abc
      LINDEX str abc
      RPUSH l a
      LINDEX l abc
    `))).toEqual([]);
  });

  it('floats read as C strtod reads them: hex floats, empty range bounds, overflow and underflow', async () => {
    expect(await diff(pair, script(`
      DEL z
      ZADD z 0x1p3 a
      ZADD z 1e-400 b
      ZADD z " 1" c
      ZADD z 1e309 c
      ZADD z 4.9e-324 d
      ZADD z nan e
      ZADD z 0x c
      ZADD z 0X1.8P1 f
      ZADD z infinity g
      ZADD z 1e k
      ZRANGE z 0 -1 WITHSCORES
      ZCOUNT z "" 1
      ZCOUNT z " 1" 10
      ZCOUNT z "(" 10
      ZCOUNT z nan 1
      ZINCRBY z 0x10 a
      ZUNIONSTORE dst 1 z WEIGHTS 0x2
      ZRANGE dst 0 -1 WITHSCORES
      SET notz x
      ZCOUNT notz "" 1
    `))).toEqual([]);
  });

  it('argument checks in Redis order: key before index or options (SMOVE, LSET, *SCAN), option texts (LPOS, COPY, SLOWLOG GET, CLIENT LIST ID)', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      SET str x
      SADD s a
      SMOVE nokey str a
      SMOVE str s a
      SMOVE nokey s a
      LSET nokey 1e3 x
      LSET str 1e3 x
      COPY str dst DB -72057594037927936
      COPY str dst DB 99
      RPUSH l a b
      LPOS l b COUNT 1e3
      LPOS l b MAXLEN abc
      LPOS l b RANK abc
      SLOWLOG GET 1 2
      HSCAN str 0 MATCH k* COUNT 1 0
      HSCAN str 0 foo
      HSCAN nokey 0 foo
      HSCAN nokey abc
      SSCAN s 0 COUNT 0
      SSCAN str 0 COUNT 0
      ZSCAN nokey 0 COUNT abc
      SCAN 0 COUNT 0
      SCAN 0 foo
      CLIENT LIST ID 0
      CLIENT LIST ID abc
      HSET h a 1
      HSCAN h "" COUNT -5
      HSCAN h ""
      SSCAN h " 0"
      # one key, so that SCAN's order (hash-table order) cannot differ
      FLUSHALL
      HSET h a 1
      SCAN ""
      SCAN " 1"
      SCAN +0
      SCAN -0
      SCAN +
      SCAN -18446744073709551617
      SCAN 18446744073709551616
    `))).toEqual([]);
  });
});

