// MEMORY against redis-server 7.0: USAGE equal to the byte for strings and compact aggregates (the
// sizes jemalloc would give), within 5% for big hashtable/skiplist values; STATS with Redis's fields
// and reply types; DOCTOR, PURGE, HELP and the errors.
import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import type { Reply } from '../helpers/resp.js';

const P = 11770; // this file: 11770-11779
/** MEMORY USAGE of any key is within this factor of redis-server's. */
const TOLERANCE = 1.25;

describe('MEMORY matches redis-server', () => {
  const pair = usePair(P);

  it('USAGE of strings and compact aggregates, errors, DOCTOR, PURGE, HELP', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      MEMORY DOCTOR
      SET k v
      MEMORY USAGE k
      SET k 12345
      MEMORY USAGE k
      SET k -9223372036854775808
      MEMORY USAGE k
      SET k aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      MEMORY USAGE k
      SET k aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      MEMORY USAGE k
      SET kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      MEMORY USAGE kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk
      RPUSH l a b c 1 2 300 -7 100000 hello-world
      MEMORY USAGE l
      HSET h a 1 b hello c 3.5
      MEMORY USAGE h
      SADD s 1 2 300000
      MEMORY USAGE s
      SADD s2 1 2 30000000000
      MEMORY USAGE s2
      ZADD z 1 a 2.5 b
      MEMORY USAGE z
      MEMORY USAGE nokey
      MEMORY USAGE k SAMPLES 0
      MEMORY USAGE k SAMPLES x
      MEMORY USAGE k SAMPLES -1
      MEMORY USAGE k SAMPLES
      MEMORY USAGE k foo
      MEMORY PURGE
      MEMORY HELP
      MEMORY nope
    `))).toEqual([]);
  });

  it('USAGE of big values is within 5% of redis-server', async () => {
    const fill = [
      ['HSET', 'hb', ...Array.from({ length: 600 }, (_, i) => [`field:${i}`, `value:${i}`]).flat()],
      ['SADD', 'sb', ...Array.from({ length: 1000 }, (_, i) => `member:${i}`)],
      ['ZADD', 'zb', ...Array.from({ length: 300 }, (_, i) => [String(i), `m${i}`]).flat()],
      ['RPUSH', 'lb', ...Array.from({ length: 5000 }, (_, i) => String(i))],
      ['SET', 'big', 'x'.repeat(100_000)],
    ];
    for (const c of fill) await pair.both(c);
    for (const k of ['hb', 'sb', 'zb', 'lb', 'big']) {
      const { redis, engine } = await pair.both(['MEMORY', 'USAGE', k, 'SAMPLES', '0']);
      const [a, b] = [Number((redis as { v: string }).v), Number((engine as { v: string }).v)];
      expect(Math.abs(a - b) / a, `${k}: redis ${a}, engine ${b}`).toBeLessThan(0.05);
    }
  });

  it('USAGE tracks redis-server for every type at small and large sizes, streams and HLLs included', async () => {
    const n = (k: number, f: (i: number) => string[]): string[] => Array.from({ length: k }, (_, i) => f(i)).flat();
    const fill: string[][] = [
      ['FLUSHALL'],
      ['SET', 'str:small', 'abc'],
      ['SET', 'str:big', 'y'.repeat(5000)],
      ['RPUSH', 'list:small', 'a', 'b', 'c'],
      ['RPUSH', 'list:big', ...n(20_000, (i) => [`item-${i}`])],
      ['HSET', 'hash:small', 'a', '1', 'b', '2'],
      ['HSET', 'hash:big', ...n(5000, (i) => [`f${i}`, `value-${i}`])],
      ['SADD', 'set:small', 'a', 'b'],
      ['SADD', 'set:int', ...n(400, (i) => [String(i * 3)])],
      ['SADD', 'set:big', ...n(5000, (i) => [`member-${i}`])],
      ['ZADD', 'zset:small', '1', 'a', '2', 'b'],
      ['ZADD', 'zset:big', ...n(5000, (i) => [String(i / 3), `m-${i}`])],
      ['XADD', 'stream:small', '1-1', 'f', 'v'],
      ...Array.from({ length: 3000 }, (_, i) => ['XADD', 'stream:big', `${i + 1}-0`, 'field', `value-${i}`, 'n', String(i)]),
      ['XGROUP', 'CREATE', 'stream:big', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '500', 'STREAMS', 'stream:big', '>'],
      ['PFADD', 'hll:sparse', ...n(50, (i) => [`e${i}`])],
      ['PFADD', 'hll:dense', ...n(5000, (i) => [`e${i}`])],
    ];
    for (const c of fill) await pair.both(c);
    const keys = ['str:small', 'str:big', 'list:small', 'list:big', 'hash:small', 'hash:big', 'set:small', 'set:int', 'set:big', 'zset:small', 'zset:big', 'stream:small', 'stream:big', 'hll:sparse', 'hll:dense'];
    const off: string[] = [];
    for (const k of keys) {
      for (const samples of [[], ['SAMPLES', '0']]) {
        const { redis, engine } = await pair.both(['MEMORY', 'USAGE', k, ...samples]);
        const [a, b] = [Number((redis as { v: string }).v), Number((engine as { v: string }).v)];
        if (!(b >= a / TOLERANCE && b <= a * TOLERANCE)) off.push(`${k} ${samples.join(' ')}: redis ${a}, engine ${b}`);
      }
    }
    expect(off).toEqual([]);
  });

  it('STATS has Redis 7.0 fields in order, with the same reply types', async () => {
    const shape = (r: Reply): string[] => {
      if (r.t !== 'array' || !r.v) return [JSON.stringify(r)];
      const out: string[] = [];
      for (let i = 0; i < r.v.length; i += 2) {
        const v = r.v[i + 1];
        out.push(`${(r.v[i] as { v: string }).v}:${v.t === 'array' ? shape(v).join(',') : v.t}`);
      }
      return out;
    };
    await pair.both(['FLUSHALL']);
    await pair.both(['SET', 'a', '1']);
    const { redis, engine } = await pair.both(['MEMORY', 'STATS']);
    expect(shape(engine)).toEqual(shape(redis));
  });
});
