import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import { PORTS } from '../helpers/ports.js';

const LIB1 = `#!lua name=lib1
redis.register_function('f1', function(keys, args) return redis.call('set', keys[1], args[1]) end)
redis.register_function{function_name='f2', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}
redis.register_function('f3', function(keys, args) return {#keys, #args, args[1]} end)
redis.register_function('boom', function() error('boom') end)
redis.register_function('noglobal', function() return foo end)`;

// FUNCTION and FCALL against redis-server: loading, errors at load and call time, the read-only
// form, LIST / STATS / DELETE / FLUSH, and DUMP / RESTORE payloads in both directions.
describe('FUNCTION / FCALL match redis-server', () => {
  const pair = usePair(PORTS.scripting + 50);

  it('loads libraries and reports load errors as Redis does', async () => {
    expect(await diff(pair, [
      ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'LOAD', 'return 1'],
      ['FUNCTION', 'LOAD', '#!lua\nreturn 1'],
      ['FUNCTION', 'LOAD', '#!lua name=x foo=bar\nreturn 1'],
      ['FUNCTION', 'LOAD', '#!luax name=x\nreturn 1'],
      ['FUNCTION', 'LOAD', '#!lua name=a-b\nreturn 1'],
      ['FUNCTION', 'LOAD', '#!lua name=lib0\nreturn 1'],
      ['FUNCTION', 'LOAD', "#!lua name=lib0\nredis.call('set','x','y')"],
      ['FUNCTION', 'LOAD', '#!lua name=lib0\nlocal x = string'],
      ['FUNCTION', 'LOAD', '#!lua name=lib0\nlocal x = redis.sha1hex'],
      ['FUNCTION', 'LOAD', "#!lua name=lib0\nredis.register_function('f 3', function() end)"],
      ['FUNCTION', 'LOAD', "#!lua name=lib0\nredis.register_function('f3', function() end, 'x')"],
      ['FUNCTION', 'LOAD', "#!lua name=lib0\nredis.register_function{function_name='f3', callback=function() end, flags={'bad'}}"],
      ['FUNCTION', 'LOAD', "#!lua name=lib0\nredis.register_function{function_name='f3', callback=function() end, foo=1}"],
      ['FUNCTION', 'LOAD', "#!lua name=lib0\nredis.register_function{callback=function() end}"],
      ['FUNCTION', 'LOAD', "#!lua name=lib0\nredis.register_function{function_name='x'}"],
      ['FUNCTION', 'LOAD', "#!lua name=lib0\nredis.register_function(1, function() end)"],
      ['FUNCTION', 'LOAD', "#!lua name=lib0\nredis.register_function('x', 1)"],
      ['FUNCTION', 'LOAD', "#!lua name=lib0\nredis.register_function('x', function() end)\nredis.register_function('x', function() end)"],
      ['FUNCTION', 'LOAD', '#!lua name=lib0\nlocal x = nil; x.y = 1'],
      ['FUNCTION', 'LOAD', '#!lua name=lib0\nretur'],
      ['FUNCTION', 'LOAD', "#!lua name=lib0\nredis.log(redis.LOG_NOTICE, 'loading') redis.register_function('v', function() return redis.REDIS_VERSION end)"],
      ['FUNCTION', 'LOAD', LIB1],
      ['FUNCTION', 'LOAD', LIB1],
      ['FUNCTION', 'LOAD', 'REPLACE', LIB1],
      ['FUNCTION', 'LOAD', "#!lua name=lib2\nredis.register_function('f1', function() end)"],
      ['FUNCTION', 'LOAD', 'BADOPT', LIB1],
    ])).toEqual([]);
  });

  it('FCALL and FCALL_RO', async () => {
    expect(await diff(pair, script(`
      FCALL f1 1 k v
      FCALL f2 1 k
      FCALL_RO f2 1 k
      FCALL_RO f1 1 k v
      FCALL f3 2 a b c d
      FCALL f3 0
      FCALL nosuch 0
      FCALL nosuch x
      FCALL f1 x
      FCALL f1 -1
      FCALL f1 5 a
      FCALL boom 0
      FCALL noglobal 0
      FCALL v 0
    `))).toEqual([]);
  });

  it('LIST, STATS, DELETE, FLUSH', async () => {
    expect(await diff(pair, script(`
      FUNCTION LIST LIBRARYNAME lib0
      FUNCTION LIST LIBRARYNAME lib0 WITHCODE
      FUNCTION LIST LIBRARYNAME lib*0
      FUNCTION LIST LIBRARYNAME nomatch*
      FUNCTION LIST LIBRARYNAME
      FUNCTION LIST foo
      FUNCTION LIST WITHCODE WITHCODE
      FUNCTION STATS
      FUNCTION STATS x
      FUNCTION KILL
      FUNCTION DELETE nosuch
      FUNCTION DELETE lib0
      FUNCTION LIST LIBRARYNAME lib0
      FUNCTION FLUSH foo
      FUNCTION RESTORE abc foo
      FUNCTION RESTORE abc
    `))).toEqual([]);
    const { redis, engine } = await pair.connect();
    await redis.call(['HELLO', '3']);
    await engine.call(['HELLO', '3']);
    // One function per library: Redis lists a library's functions in its dict's (seeded) hash order.
    for (const argv of [['FUNCTION', 'LIST', 'LIBRARYNAME', 'lib0'], ['FUNCTION', 'STATS']]) {
      expect(JSON.stringify(await engine.call(argv))).toBe(JSON.stringify(await redis.call(argv)));
    }
  });

  it('FUNCTION DUMP payloads restore on the other server, both ways', async () => {
    await pair.both(['FUNCTION', 'FLUSH']);
    await pair.both(['FUNCTION', 'LOAD', LIB1]);
    const fromRedis = await pair.redis.call(['FUNCTION', 'DUMP']);
    const fromEngine = await pair.engine.call(['FUNCTION', 'DUMP']);
    expect(fromEngine).toEqual(fromRedis);
    const payload = Buffer.from((fromRedis as { v: string }).v, 'latin1');
    for (const c of [pair.redis, pair.engine]) {
      expect(await c.call(['FUNCTION', 'RESTORE', payload])).toEqual({ t: 'error', v: 'ERR Library lib1 already exists' });
      expect(await c.call(['FUNCTION', 'RESTORE', payload, 'REPLACE'])).toEqual({ t: 'simple', v: 'OK' });
      expect(await c.call(['FUNCTION', 'FLUSH'])).toEqual({ t: 'simple', v: 'OK' });
      expect(await c.call(['FUNCTION', 'RESTORE', payload])).toEqual({ t: 'simple', v: 'OK' });
      expect(await c.call(['FCALL', 'f3', '1', 'k', 'a'])).toEqual({ t: 'array', v: [{ t: 'int', v: '1' }, { t: 'int', v: '1' }, { t: 'bulk', v: 'a' }] });
      expect(await c.call(['FUNCTION', 'RESTORE', payload, 'FLUSH'])).toEqual({ t: 'simple', v: 'OK' });
    }
    const bad = Buffer.from(payload);
    bad[3] ^= 0xff;
    expect(await diff(pair, [['FUNCTION', 'RESTORE', bad]])).toEqual([]);
  });

  it('FUNCTION RESTORE restores every library of the payload or none', async () => {
    const lib = (name: string, fn: string) => `#!lua name=${name}\nredis.register_function('${fn}', function() return '${name}' end)`;
    await pair.both(['FUNCTION', 'FLUSH']);
    await pair.both(['FUNCTION', 'LOAD', lib('liba', 'fa')]);
    await pair.both(['FUNCTION', 'LOAD', lib('libb', 'fb')]);
    const dump = await pair.redis.call(['FUNCTION', 'DUMP']);
    const payload = Buffer.from((dump as { v: string }).v, 'latin1');
    const cases: (string | Buffer)[][] = [
      // APPEND: liba is new but libb exists: neither is added.
      ['FUNCTION', 'DELETE', 'liba'],
      ['FUNCTION', 'RESTORE', payload, 'APPEND'],
      ['FUNCTION', 'LIST'],
      // A function name held by another library: APPEND and REPLACE refuse, nothing changes.
      ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'LOAD', lib('libc', 'fb')],
      ['FUNCTION', 'RESTORE', payload, 'APPEND'],
      ['FUNCTION', 'LIST'],
      ['FUNCTION', 'RESTORE', payload, 'REPLACE'],
      ['FUNCTION', 'LIST'],
      // REPLACE drops the replaced library first: its functions may move to another library.
      ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'LOAD', lib('libb', 'fa')],
      ['FUNCTION', 'RESTORE', payload, 'REPLACE'],
      ['FCALL', 'fa', '0'],
      ['FCALL', 'fb', '0'],
      ['FUNCTION', 'LIST'],
      // FLUSH with a payload that does not load keeps the libraries.
      ['FUNCTION', 'RESTORE', Buffer.concat([payload.subarray(0, 5), Buffer.from('x'), payload.subarray(6)]), 'FLUSH'],
      ['FUNCTION', 'LIST'],
    ];
    expect(await diff(pair, cases)).toEqual([]);
    const replies = [];
    for (const argv of cases.slice(0, 4)) replies.push(await pair.redis.call(argv));
    expect(replies[1]).toEqual({ t: 'error', v: 'ERR Library libb already exists' });
  });
});
