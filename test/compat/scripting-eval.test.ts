import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import { PORTS } from '../helpers/ports.js';

// EVAL / EVALSHA / SCRIPT against redis-server: the redis.* API, conversions both ways, the sandbox
// and Redis 7.0's error texts (with their " script: <sha>, on @user_script:<line>." suffix).
describe('EVAL and SCRIPT match redis-server', () => {
  const pair = usePair(PORTS.scripting);

  it('math.random follows Redis lrand48 sequence and seeds', async () => {
    expect(await diff(pair, script(`
      EVAL "return tostring(math.random())" 0
      EVAL "return {tostring(math.random()), math.random(10), math.random(5, 9)}" 0
      EVAL "math.randomseed(7) return tostring(math.random())" 0
      EVAL "return tostring(math.random())" 0
    `))).toEqual([]);
  });

  it('Lua to RESP conversions', async () => {
    expect(await diff(pair, script(`
      EVAL "return 1" 0
      EVAL "return 3.99" 0
      EVAL "return -3.99" 0
      EVAL "return 2^53" 0
      EVAL "return 1e20" 0
      EVAL "return 'x'" 0
      EVAL "return true" 0
      EVAL "return false" 0
      EVAL "return nil" 0
      EVAL "return" 0
      EVAL "return {1,2,3.9,'x',nil,4}" 0
      EVAL "return {1,true,false,{2,{3}}}" 0
      EVAL "local t = {}; t[1]=1; t.x=2; return t" 0
      EVAL "return {err='bar'}" 0
      EVAL "return {err='a\\nb'}" 0
      EVAL "return {ok='fine'}" 0
      EVAL "return redis.status_reply('a\\r\\nb')" 0
      EVAL "return redis.error_reply('FOO bar')" 0
      EVAL "return redis.error_reply('bar')" 0
      EVAL "return redis.error_reply('-bar')" 0
      EVAL "return redis.error_reply('')" 0
      EVAL "return redis.error_reply()" 0
      EVAL "return redis.status_reply()" 0
      EVAL "local t = redis.error_reply('x y') return t.err" 0
      EVAL "return 'a\\\\0b\\\\255'" 0
      EVAL "return {1, 2, 3, 'ciao', {1, 2}}" 0
    `))).toEqual([]);
  });

  it('RESP to Lua conversions (redis.call results)', async () => {
    expect(await diff(pair, script(`
      DEL l h s z str
      RPUSH l a b c
      HSET h f v
      SADD s m
      SET str "bin\\u0000ary"
      EVAL "return redis.call('lrange', KEYS[1], 0, -1)" 1 l
      EVAL "return redis.call('get', 'nokey')" 0
      EVAL "return type(redis.call('get', 'nokey'))" 0
      EVAL "return redis.call('get', 'str')" 0
      EVAL "return redis.call('set', 'x', 'y')" 0
      EVAL "local r = redis.call('set', 'x', 'y') return r.ok" 0
      EVAL "return redis.call('incr', 'cnt')" 0
      EVAL "return type(redis.call('incr', 'cnt'))" 0
      EVAL "return redis.pcall('incr', 'str')" 0
      EVAL "local e = redis.pcall('incr', 'str') return e.err" 0
      EVAL "return redis.call('incr', 'str')" 0
      EVAL "return redis.call('hgetall', 'h')" 0
      EVAL "return redis.call('set', 'k', 1.5)" 0
      EVAL "return redis.call('get', 'k')" 0
      EVAL "return redis.call('set', 'k', 2^53)" 0
      EVAL "return redis.call('get', 'k')" 0
      EVAL "return redis.call('set', 'k', 1e20)" 0
      EVAL "return redis.call('get', 'k')" 0
      EVAL "return redis.call('set', 'k', -0.1)" 0
      EVAL "return redis.call('get', 'k')" 0
      EVAL "return redis.call('set', 'k', 7e15 + 3)" 0
      EVAL "return redis.call('get', 'k')" 0
      EVAL "return redis.call('exists', 'k', 'nokey')" 0
      EVAL "return redis.call('type', 'l')" 0
      EVAL "return {redis.call('select', 1), redis.call('set', 'indb1', 'v'), redis.call('get', 'indb1')}" 0
      EXISTS indb1
    `))).toEqual([]);
  });

  it('redis.call errors and argument checks', async () => {
    expect(await diff(pair, script(`
      EVAL "return redis.call('nosuch')" 0
      EVAL "return redis.pcall('nosuch')" 0
      EVAL "return redis.call('get')" 0
      EVAL "return redis.call()" 0
      EVAL "return redis.pcall()" 0
      EVAL "return redis.call({})" 0
      EVAL "return redis.call('set', 'k', {})" 0
      EVAL "return redis.call('set', 'k', true)" 0
      EVAL "return redis.call('multi')" 0
      EVAL "return redis.call('eval', 'return 1', '0')" 0
      EVAL "return redis.call('subscribe', 'x')" 0
      EVAL "return redis.call('blpop', 'x', 0)" 0
      EVAL "return redis.call('brpoplpush', 'x', 'y', 0)" 0
      EVAL "return redis.call('blmove', 'x', 'y', 'left', 'right', 0)" 0
      EVAL "return redis.call('config', 'nosuchsub')" 0
      EVAL "local ok, e = pcall(redis.call, 'nosuch'); return {tostring(ok), type(e), e}" 0
      EVAL "local ok, e = pcall(function() error('x') end); return {tostring(ok), type(e), e}" 0
      EVAL "local ok, e = pcall(function() error({err='x'}) end); return {tostring(ok), type(e), e}" 0
      EVAL "local ok, e = pcall(function() local a = nil; return a.b end); return {tostring(ok), type(e), e}" 0
      EVAL "local ok, e = xpcall(function() redis.call('nosuch') end, function(e) return e end); return {tostring(ok), type(e), e.err}" 0
      EVAL "local ok, a, b = pcall(function() return 1, 2 end); return {tostring(ok), a, b}" 0
      EVAL "return {pcall(error)}" 0
    `))).toEqual([]);
  });

  it('errors raised by scripts carry the script sha and line', async () => {
    expect(await diff(pair, script(`
      EVAL "return foo" 0
      EVAL "foo = 1" 0
      EVAL "local f = function() y = 1 end f()" 0
      EVAL "error('x')" 0
      EVAL "error({err='MY thing'})" 0
      EVAL "error()" 0
      EVAL "\\n\\nerror('line three')" 0
      EVAL "redis = 1" 0
      EVAL "redis.call = 1" 0
      EVAL "string.foo = 1" 0
      EVAL "rawset(_G, 'zz', 1) return zz" 0
      EVAL "setmetatable(_G, nil)" 0
      EVAL "return type(getmetatable(_G))" 0
      EVAL "retur" 0
      EVAL "return coroutine.yield()" 0
      EVAL "return 1" -1
      EVAL "return 1" 01
      EVAL "return 1" -0
      EVAL "return 1" 9223372036854775807
      EVAL "return 1" 9223372036854775808
      EVAL "return 1" 3 a
      EVAL "return 1" x
      EVAL "return 1" 1.5
      EVALSHA ffffffffffffffffffffffffffffffffffffffff 0
      EVALSHA abc 0
      EVAL "return redis.setresp(4)" 0
      EVAL "return redis.setresp()" 0
      EVAL "return redis.sha1hex()" 0
      EVAL "return redis.log(redis.LOG_WARNING)" 0
      EVAL "return redis.log(99, 'x')" 0
      EVAL "return redis.set_repl(99)" 0
      EVAL "return redis.replicate_commands()" 0
    `))).toEqual([]);
  });

  it('the sandbox: removed and kept globals', async () => {
    expect(await diff(pair, script(`
      EVAL "return {type(io), 1}" 0
      EVAL "return type(os)" 0
      EVAL "return type(loadfile)" 0
      EVAL "return type(dofile)" 0
      EVAL "return type(require)" 0
      EVAL "return type(print)" 0
      EVAL "return type(debug)" 0
      EVAL "return type(setfenv)" 0
      EVAL "return {type(loadstring), type(unpack), type(table.getn), type(math.mod), type(string.gfind)}" 0
      EVAL "return {type(coroutine), type(pcall), type(xpcall), type(gcinfo), type(collectgarbage)}" 0
      EVAL "return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM, redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}" 0
      EVAL "return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}" 0
      EVAL "return redis.sha1hex('')" 0
      EVAL "return redis.sha1hex('Pizza & Mandolino')" 0
      EVAL "return tostring(0.1) .. ' ' .. (2^53) .. ' ' .. 1e15+3" 0
      EVAL "local f = loadstring('return 5') return f()" 0
      EVAL "local f = loadstring('x = 5') return f()" 0
      EVAL "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}" 2 k1 k2 a1 a2
      EVAL "local t={} for k,v in pairs(_G) do t[#t+1]=k end table.sort(t) return #t > 20" 0
      EVAL "local t = {} for k in pairs(redis) do t[#t+1] = k end table.sort(t) return t" 0
      EVAL "return table.concat({1,2,3}, ',')" 0
      EVAL "return string.format('%d %s %5.2f', 42, 'x', 3.14159)" 0
    `))).toEqual([]);
  });

  it('the script cache and its commands', async () => {
    expect(await diff(pair, script(`
      SCRIPT FLUSH
      SCRIPT LOAD "return 'loaded'"
      SCRIPT EXISTS 9d3a44d07fd8bcd7b5fd0ac2a6d1b4a8bfb94d6b ffffffffffffffffffffffffffffffffffffffff
      EVALSHA 9d3a44d07fd8bcd7b5fd0ac2a6d1b4a8bfb94d6b 0
      EVALSHA 9D3A44D07FD8BCD7B5FD0AC2A6D1B4A8BFB94D6B 0
      EVAL "return 'x'" 0
      EVALSHA 8ca48abd89d7ecb0a1bb5bbd0e0b31e21d5d5082 0
      SCRIPT LOAD "retur"
      SCRIPT LOAD "#!lua flags=bad\\nreturn 1"
      SCRIPT FLUSH ASYNC
      SCRIPT FLUSH SYNC
      SCRIPT FLUSH BAD
      SCRIPT EXISTS 9d3a44d07fd8bcd7b5fd0ac2a6d1b4a8bfb94d6b
      EVALSHA 9d3a44d07fd8bcd7b5fd0ac2a6d1b4a8bfb94d6b 0
      SCRIPT KILL
      SCRIPT NOSUCH
      SCRIPT
    `))).toEqual([]);
  });

  it('shebang flags and read-only forms', async () => {
    expect(await diff(pair, script(`
      EVAL "#!lua flags=bad\\nreturn 1" 0
      EVAL "#!lua name=x\\nreturn 1" 0
      EVAL "#!luax\\nreturn 1" 0
      EVAL "#!lua\\nreturn redis.call('set','a','b')" 0
      EVAL "#!lua flags=no-writes\\nreturn redis.call('set','a','b')" 1 a
      EVAL "#!lua flags=no-writes,allow-oom\\nreturn redis.call('get','a')" 1 a
      EVAL "#!lua flags=no-writes\\nerror('on line two')" 0
      EVAL_RO "return redis.call('set','a','b')" 1 a
      EVAL_RO "return redis.call('get','a')" 1 a
      EVAL_RO "#!lua\\nreturn 1" 0
      EVAL_RO "#!lua flags=no-writes\\nreturn 1" 0
      SCRIPT LOAD "return redis.call('set', KEYS[1], 'ro')"
      EVALSHA_RO 60c2cd96ea6f4fd6b7c0a3e2c6a3f7e1a5bdb5d1 1 a
    `))).toEqual([]);
  });

  it('COMMAND INFO / GETKEYS for the scripting commands (numkeys key specs)', async () => {
    expect(await diff(pair, script(`
      COMMAND GETKEYS EVAL "return 1" 2 a b c
      COMMAND GETKEYS EVALSHA abc 1 k v
      COMMAND GETKEYS EVAL_RO "return 1" 0 x
      COMMAND GETKEYS FCALL f 2 k1 k2 a
      COMMAND GETKEYS FCALL_RO f 1 k1
      COMMAND INFO eval evalsha eval_ro evalsha_ro fcall fcall_ro
    `))).toEqual([]);
  });

  it('RESP3 with redis.setresp(3), for RESP2 and RESP3 callers', async () => {
    const cases = script(`
      DEL h s z
      HSET h f1 v1 f2 v2
      SADD s a
      ZADD z 1.5 m
      EVAL "redis.setresp(3) return redis.call('hgetall', 'h')" 0
      EVAL "redis.setresp(3) local r = redis.call('hgetall', 'h') return r.map.f1" 0
      EVAL "redis.setresp(3) local r = redis.call('smembers', 's') return tostring(r.set.a)" 0
      EVAL "redis.setresp(3) local r = redis.call('zscore', 'z', 'm') return tostring(r.double)" 0
      EVAL "redis.setresp(3) return redis.call('zscore', 'z', 'm')" 0
      EVAL "redis.setresp(3) return type(redis.call('get', 'nokey'))" 0
      EVAL "redis.setresp(3) return redis.call('get', 'nokey')" 0
      EVAL "redis.setresp(3) return {double=3.5}" 0
      EVAL "redis.setresp(3) return {map={a=1}}" 0
      EVAL "redis.setresp(3) return {set={a=true}}" 0
      EVAL "redis.setresp(3) return {big_number='123456789012345678901234567890'}" 0
      EVAL "redis.setresp(3) return {verbatim_string={format='txt', string='hello'}}" 0
      EVAL "redis.setresp(3) return true" 0
      EVAL "redis.setresp(3) return false" 0
      EVAL "return {double=3.5}" 0
      EVAL "return {map={a=1}}" 0
    `);
    expect(await diff(pair, cases)).toEqual([]);
    const { redis, engine } = await pair.connect();
    await redis.call(['HELLO', '3']);
    await engine.call(['HELLO', '3']);
    for (const argv of cases) {
      const [a, b] = await Promise.all([redis.call(argv), engine.call(argv)]);
      expect(JSON.stringify(b), argv.join(' ')).toBe(JSON.stringify(a));
    }
  });
});
