import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import { PORTS } from '../helpers/ports.js';
import type { Reply } from '../helpers/resp.js';

const bulks = (r: Reply): string[] => (r.t === 'array' && r.v ? r.v.map((x) => (x.t === 'bulk' ? String(x.v) : '?')) : []);

describe('server and connection commands match redis-server', () => {
  const pair = usePair(PORTS.core + 40, ['--enable-debug-command', 'yes']);

  it('connection commands and their errors', async () => {
    expect(await diff(pair, script(`
      PING
      PING a
      PING a b
      ECHO
      ECHO x
      SELECT 16
      SELECT -1
      SELECT x
      SELECT 3
      SET k v
      SELECT 0
      GET k
      AUTH a b c
      AUTH x
      AUTH user pass
      HELLO 4
      HELLO x
      HELLO 3 FOO
      HELLO 2 SETNAME "a b"
      HELLO 2 AUTH default
      CLIENT SETNAME "a b"
      CLIENT GETNAME
      CLIENT SETNAME myname
      CLIENT GETNAME
      CLIENT SETNAME ""
      CLIENT GETNAME
      CLIENT KILL 1.2.3.4:5
      CLIENT KILL ID 999999
      CLIENT KILL FOO bar
      CLIENT KILL ID x
      CLIENT KILL TYPE foo
      CLIENT KILL SKIPME maybe
      CLIENT LIST TYPE foo
      CLIENT LIST ID x
      CLIENT LIST FOO
      CLIENT NO-EVICT maybe
      CLIENT NO-EVICT on
      CLIENT NO-EVICT off
      CLIENT REPLY foo
      CLIENT FOO
      CLIENT GETREDIR
      RESET
    `))).toEqual([]);
  });

  it('server commands: config, swapdb, flush, time, slowlog, command', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      FLUSHALL FOO
      FLUSHALL ASYNC
      FLUSHDB SYNC
      FLUSHDB a b
      TIME x
      DBSIZE
      SET a 1
      SELECT 1
      SET b 2
      SET c 3
      SELECT 0
      SWAPDB 0 1
      DBSIZE
      GET b
      SWAPDB 0 99
      SWAPDB a 1
      SWAPDB 0 a
      SWAPDB 1 0
      DBSIZE
      CONFIG GET maxmemory
      CONFIG GET nosuch
      CONFIG SET maxmemory 100mb
      CONFIG GET maxmemory
      CONFIG SET maxmemory 0 timeout 7
      CONFIG GET timeout
      CONFIG SET timeout 0 timeout 1
      CONFIG SET nosuch 1
      CONFIG SET timeout abc
      CONFIG SET daemonize yes
      CONFIG SET save "100 1 200"
      CONFIG SET save "100 1 200 2"
      CONFIG GET save
      CONFIG SET save ""
      CONFIG SET maxmemory-policy foo
      CONFIG SET appendonly maybe
      CONFIG GET slave-read-only
      CONFIG SET list-max-ziplist-size -3
      CONFIG GET list-max-listpack-size
      CONFIG SET client-output-buffer-limit "pubsub 32mb 8mb 60"
      CONFIG GET client-output-buffer-limit
      CONFIG RESETSTAT
      CONFIG REWRITE
      CONFIG FOO
      SLOWLOG GET x
      SLOWLOG GET -2
      SLOWLOG RESET
      SLOWLOG FOO
      COMMAND GETKEYS ping x
      COMMAND GETKEYS set a
      COMMAND GETKEYS config get x
      COMMAND GETKEYS object encoding k
      COMMAND GETKEYS config nosuch
      COMMAND GETKEYS nosuch a
      COMMAND GETKEYS mset a 1 b 2
      COMMAND GETKEYS set a b
      COMMAND COUNT x
      COMMAND INFO nosuch get
      COMMAND LIST FILTERBY FOO x
      COMMAND LIST FILTERBY MODULE x
      DEBUG SLEEP 0
      SET obj hello
      DEBUG FOO
      DEBUG OBJECT nokey
    `))).toEqual([]);
  });

  it('CONFIG GET with globs and several patterns returns the same pairs', async () => {
    const pairsOf = (r: Reply) => {
      if (r.t !== 'array' || !r.v) return [];
      const b = bulks(r);
      const out: string[] = [];
      for (let i = 0; i < b.length; i += 2) out.push(`${b[i]}=${b[i + 1]}`);
      return out.sort();
    };
    for (const args of [['maxmemory*'], ['hash-max-*-entries', 'zset-*'], ['*slave*'], ['bind', 'port', 'databases', 'save', 'appendonly', 'maxmemory']]) {
      const { redis, engine } = await pair.both(['CONFIG', 'GET', ...args]);
      expect(pairsOf(engine)).toEqual(pairsOf(redis).filter((p) => !p.startsWith('port=') && !p.startsWith('bind=')).concat(pairsOf(engine).filter((p) => p.startsWith('port=') || p.startsWith('bind='))).sort());
    }
  });

  it('lists implemented commands and subcommands like COMMAND LIST', async () => {
    const { redis, engine } = await pair.both(['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'config*']);
    expect(bulks(engine).sort()).toEqual(bulks(redis).sort());
    const count = await pair.engine.call(['COMMAND', 'COUNT']);
    const all = await pair.engine.call(['COMMAND']);
    expect(count).toEqual({ t: 'int', v: String(all.t === 'array' && all.v ? all.v.length : -1) });
    const keyspace = bulks((await pair.both(['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'keyspace'])).engine);
    expect(keyspace).toContain('del');
    expect(keyspace).not.toContain('get');
  });

  it('records slow commands with Redis truncation rules', async () => {
    for (const c of [pair.redis, pair.engine]) {
      await c.call(['SLOWLOG', 'RESET']);
      await c.call(['CONFIG', 'SET', 'slowlog-log-slower-than', '0']);
      await c.call(['MSET', ...Array.from({ length: 40 }, (_, i) => `k${i}`), 'x'.repeat(200)].slice(0, 41));
      await c.call(['CONFIG', 'SET', 'slowlog-log-slower-than', '10000']);
    }
    const pick = (r: Reply) => {
      if (r.t !== 'array' || !r.v) return null;
      const entry = r.v.find((e) => e.t === 'array' && e.v && bulks(e.v[3])[0] === 'MSET');
      return entry && entry.t === 'array' && entry.v ? bulks(entry.v[3]) : null;
    };
    const { redis, engine } = await pair.both(['SLOWLOG', 'GET', '-1']);
    expect(pick(engine)).toEqual(pick(redis));
    expect(pick(engine)?.[31]).toBe('... (10 more arguments)');
  });

  it('DEBUG RELOAD saves, empties and reloads every type (and its options and errors)', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      SET s "short"
      SET n 12345
      SET long "${'L'.repeat(60)}"
      SETRANGE raw 0 abc
      RPUSH l a b c
      HSET h f v g w
      SADD si 1 2 3
      SADD ss a b
      ZADD z 1 a 2.5 b
      SET ttl v PX 100000
      DEBUG RELOAD
      DBSIZE
      GET s
      GET long
      OBJECT ENCODING n
      OBJECT ENCODING raw
      LRANGE l 0 -1
      HGETALL h
      SMEMBERS si
      OBJECT ENCODING si
      ZRANGE z 0 -1 WITHSCORES
      PTTL ttl
      SET extra 1
      DEBUG RELOAD NOSAVE
      EXISTS extra
      SET extra 2
      DEBUG RELOAD NOFLUSH MERGE NOSAVE
      GET extra
      DEBUG RELOAD BOGUS
    `).map((argv) => (argv[0] === 'PTTL' ? ['EXISTS', argv[1]!] : argv)))).toEqual([]);
  });
});
