// Issue 12's known cases, each against real redis-server 7.0.15: inputs that crashed or hung the
// engine, or answered differently (random-count ranges, glob backtracking, CLIENT REPLY with pub/sub,
// COMMAND <unknown>, BITCOUNT crossed negative ranges, ZINTERCARD LIMIT).
import { describe, expect, it } from 'vitest';
import { PORTS } from '../helpers/ports.js';
import { RespClient, encodeCommand } from '../helpers/resp.js';
import { diff, script, usePair } from './harness.js';

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
  const pair = usePair(PORT);

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
});
