// GEO commands against redis-server 7.0: scores, positions, hashes and distances formatted alike;
// radius and box searches over thousands of points (poles, the antimeridian, tiny and huge radii,
// every unit) giving the same members in the same order; STORE/STOREDIST; every error. Then geo keys
// moved between the servers by DUMP/RESTORE, RDB and replication, both ways.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { diff, script, usePair, type Pair } from './harness.js';
import { startEngine, startRedis, stopAll, tmpDir } from '../helpers/procs.js';
import { RespClient, type Reply } from '../helpers/resp.js';

const P = 11720; // this file: 11720-11739

/** Deterministic pseudo-random numbers (a 32-bit LCG), so both servers get the same points. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** GEOADD commands for n points around (lon, lat) within +-spread degrees (clamped to the valid range). */
function points(key: string, n: number, lon: number, lat: number, spread: number, seed: number): string[][] {
  const r = rng(seed);
  const out: string[][] = [];
  for (let i = 0; i < n; i += 100) {
    const argv = ['GEOADD', key];
    for (let j = i; j < Math.min(n, i + 100); j++) {
      const x = Math.max(-180, Math.min(180, lon + (r() * 2 - 1) * spread));
      const y = Math.max(-85.05112878, Math.min(85.05112878, lat + (r() * 2 - 1) * spread));
      argv.push(x.toFixed(6), y.toFixed(6), `${key}:${j}`);
    }
    out.push(argv);
  }
  return out;
}

/** Marks a command whose numbers may differ in the last bit (full-precision distances: V8's and glibc's sin/asin). */
const NEAR = '\u0000near';

/** diff(), except that commands ending in NEAR compare numbers to 1e-12 relative (members still exactly). */
async function diffNear(pair: Pair, cmds: string[][]): Promise<string[]> {
  const exact = await diff(pair, cmds.filter((c) => c[c.length - 1] !== NEAR));
  const out = [...exact];
  for (const c of cmds.filter((x) => x[x.length - 1] === NEAR)) {
    const { redis, engine } = await pair.both(c.slice(0, -1));
    const flat = (r: Reply): string[] => (r.t === 'array' && r.v ? r.v.map((x) => (x.t === 'bulk' ? String(x.v) : JSON.stringify(x))) : [JSON.stringify(r)]);
    const [a, b] = [flat(redis), flat(engine)];
    const same = a.length === b.length && a.every((x, i) => x === b[i] || Math.abs(Number(x) - Number(b[i])) <= 1e-12 * Math.abs(Number(x)));
    if (!same) out.push(`${c.slice(0, -1).join(' ')}\n  redis:  ${a.join(' ')}\n  engine: ${b.join(' ')}`);
  }
  return out;
}

describe('GEO commands match redis-server', () => {
  const pair = usePair(P);

  it('GEOADD options, GEOPOS, GEODIST, GEOHASH and their errors', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
      GEOADD Sicily 13.361389 38.115556 Palermo
      GEOADD Sicily CH 13.361389 38.115556 Palermo 13.5 38.1 Palermo
      GEOADD Sicily NX 1 1 Palermo 2 2 new
      GEOADD Sicily XX CH 3 3 new 4 4 absent
      GEOADD Sicily NX XX 1 1 x
      GEOADD Sicily 1 1
      GEOADD Sicily CH CH CH
      GEOADD Sicily 200 10 x
      GEOADD Sicily 10 86 x
      GEOADD Sicily -180 -85.05112878 edge1 180 85.05112878 edge2 0 0 origin
      GEOADD Sicily abc 10 x
      GEOADD Sicily 10 abc x
      GEOADD Sicily inf 10 x
      GEOADD Sicily GT 1 1 x
      ZRANGE Sicily 0 -1 WITHSCORES
      GEOPOS Sicily Palermo Catania nope edge1 edge2 origin new
      GEOPOS nokey a b
      GEOPOS Sicily
      GEODIST Sicily Palermo Catania
      GEODIST Sicily Palermo Catania km
      GEODIST Sicily Palermo Catania MI
      GEODIST Sicily Palermo Catania ft
      GEODIST Sicily Palermo Catania yards
      GEODIST Sicily Palermo Catania km extra
      GEODIST Sicily Palermo nope
      GEODIST nokey a b
      GEODIST Sicily edge1 edge2
      GEODIST Sicily Palermo Palermo
      GEOHASH Sicily Palermo Catania nope edge1 edge2 origin
      GEOHASH nokey a
      ZADD weird 9007199254740991 big -5 neg 1.5 frac
      GEOPOS weird big neg frac
      GEOHASH weird big neg frac
      SET str x
      GEOADD str 1 1 a
      GEOPOS str a
      GEODIST str a b
      GEOHASH str a
      GEOSEARCH str FROMLONLAT 0 0 BYRADIUS 1 km
    `))).toEqual([]);
  });

  it('radius and box searches return the same members, order and numbers', async () => {
    const setup = [
      ['FLUSHALL'],
      ...points('world', 3000, 0, 0, 180, 1),
      ...points('city', 2000, 13.4, 52.5, 0.5, 2),
      ...points('north', 800, 20, 84, 3, 3),
      ...points('date', 800, 179.5, -30, 1.5, 4),
      ['GEOADD', 'dup', '10', '10', 'a', '10', '10', 'b', '10', '10', 'c', '10.0001', '10', 'd'],
    ];
    expect(await diff(pair, setup)).toEqual([]);
    const cmds: string[][] = [];
    const r = rng(99);
    const shapes = [['BYRADIUS', '1', 'km'], ['BYRADIUS', '5000', 'm'], ['BYRADIUS', '30', 'mi'], ['BYRADIUS', '800', 'km'], ['BYRADIUS', '9000', 'km'], ['BYRADIUS', '0', 'm'],
      ['BYBOX', '10', '10', 'km'], ['BYBOX', '200', '50', 'km'], ['BYBOX', '3000', '1000', 'mi'], ['BYBOX', '50000', '20000', 'ft'], ['BYBOX', '20000', '20000', 'km']];
    const centers: Record<string, [number, number, number]> = { world: [0, 0, 180], city: [13.4, 52.5, 0.4], north: [20, 84, 2], date: [179.5, -30, 1.5] };
    for (const [key, [lon, lat, spread]] of Object.entries(centers)) {
      for (const shape of shapes) {
        const x = Math.max(-180, Math.min(180, lon + (r() * 2 - 1) * spread)).toFixed(5);
        const y = Math.max(-85, Math.min(85, lat + (r() * 2 - 1) * spread)).toFixed(5);
        cmds.push(['GEOSEARCH', key, 'FROMLONLAT', x, y, ...shape, 'ASC', 'WITHDIST', 'WITHCOORD', 'WITHHASH']);
        cmds.push(['GEOSEARCH', key, 'FROMLONLAT', x, y, ...shape, 'DESC']);
        cmds.push(['GEOSEARCH', key, 'FROMLONLAT', x, y, ...shape]);
        cmds.push(['GEOSEARCH', key, 'FROMMEMBER', `${key}:7`, ...shape, 'WITHDIST']);
        cmds.push(['GEOSEARCH', key, 'FROMLONLAT', x, y, ...shape, 'COUNT', '3', 'ANY']);
        cmds.push(['GEOSEARCH', key, 'FROMLONLAT', x, y, ...shape, 'COUNT', '5', 'ANY', 'DESC', 'WITHDIST']);
        cmds.push(['GEOSEARCHSTORE', 'dst', key, 'FROMLONLAT', x, y, ...shape, 'STOREDIST']);
        cmds.push(['ZRANGE', 'dst', '0', '-1']);
        cmds.push(['ZRANGE', 'dst', '0', '-1', 'WITHSCORES', NEAR]);
        cmds.push(['GEOSEARCHSTORE', 'dst', key, 'FROMLONLAT', x, y, ...shape]);
        cmds.push(['ZRANGE', 'dst', '0', '-1', 'WITHSCORES']);
        if (shape[0] === 'BYRADIUS') {
          cmds.push(['GEORADIUS', key, x, y, shape[1], shape[2], 'WITHDIST', 'ASC']);
          cmds.push(['GEORADIUS_RO', key, x, y, shape[1], shape[2], 'WITHCOORD', 'DESC']);
          cmds.push(['GEORADIUSBYMEMBER', key, `${key}:3`, shape[1], shape[2], 'WITHHASH']);
          cmds.push(['GEORADIUSBYMEMBER_RO', key, `${key}:3`, shape[1], shape[2], 'ASC', 'WITHDIST']);
          cmds.push(['GEORADIUS', key, x, y, shape[1], shape[2], 'STORE', 'rdst']);
          cmds.push(['ZRANGE', 'rdst', '0', '-1', 'WITHSCORES']);
          cmds.push(['GEORADIUSBYMEMBER', key, `${key}:3`, shape[1], shape[2], 'STOREDIST', 'rdst']);
          cmds.push(['ZRANGE', 'rdst', '0', '-1']);
          cmds.push(['ZRANGE', 'rdst', '0', '-1', 'WITHSCORES', NEAR]);
        }
      }
    }
    cmds.push(['GEOSEARCH', 'dup', 'FROMLONLAT', '10', '10', 'BYRADIUS', '100', 'km', 'ASC', 'WITHDIST']);
    cmds.push(['GEOSEARCH', 'dup', 'FROMLONLAT', '10', '10', 'BYRADIUS', '100', 'km', 'DESC']);
    cmds.push(['GEOSEARCH', 'dup', 'FROMMEMBER', 'a', 'BYBOX', '1', '1', 'km', 'WITHDIST']);
    expect(await diffNear(pair, cmds)).toEqual([]);
  });

  it('COUNT below the matches: points at equal distances come back in the order of Redis partial sort', async () => {
    // Members sharing a position (one geohash, so one distance) tie; Redis sorts only the first COUNT
    // with its partial quicksort, which leaves ties in an order of its own.
    const cmds: string[][] = [['FLUSHALL']];
    for (const [n, spots] of [[30, 3], [90, 4], [200, 7]]) {
      const argv = ['GEOADD', `tie${n}`];
      for (let i = 0; i < n; i++) argv.push(String(13.4 + (i % spots) * 0.01), String(52.5 + (i % spots) * 0.005), `m${(i * 7919) % 1000}`);
      cmds.push(argv);
      for (const count of ['1', '3', '6', '10', String(n - 1), String(n)]) {
        for (const dir of ['ASC', 'DESC']) {
          cmds.push(['GEOSEARCH', `tie${n}`, 'FROMLONLAT', '13.4', '52.5', 'BYRADIUS', '50', 'km', dir, 'COUNT', count]);
          cmds.push(['GEORADIUS', `tie${n}`, '13.4', '52.5', '50', 'km', dir, 'COUNT', count, 'WITHDIST']);
        }
        cmds.push(['GEOSEARCHSTORE', 'dst', `tie${n}`, 'FROMLONLAT', '13.4', '52.5', 'BYBOX', '100', '100', 'km', 'ASC', 'COUNT', count, 'STOREDIST']);
        cmds.push(['ZRANGE', 'dst', '0', '-1', 'WITHSCORES']);
      }
    }
    expect(await diff(pair, cmds)).toEqual([]);
  });

  it('search argument errors and missing keys', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
      GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST COUNT 1
      GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km COUNT 0
      GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km COUNT -1
      GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km COUNT x
      GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km COUNT
      GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km ANY
      GEOSEARCH g FROMLONLAT 15 37 BYRADIUS -1 km
      GEOSEARCH g FROMLONLAT 15 37 BYRADIUS x km
      GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 1 parsec
      GEOSEARCH g FROMLONLAT 15 37 BYBOX 1 -1 km
      GEOSEARCH g FROMLONLAT 15 37 BYBOX x 1 km
      GEOSEARCH g FROMLONLAT 15 37 BYBOX 1 x km
      GEOSEARCH g FROMLONLAT 15 37 BYBOX 1 1 furlong
      GEOSEARCH g FROMLONLAT 15 37 BYBOX 1 1 km BYRADIUS 1 km
      GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 1 km BYBOX 1 1 km
      GEOSEARCH g FROMLONLAT 15 37
      GEOSEARCH g BYRADIUS 1 km
      geosearch g BYRADIUS 1 km
      GEOSEARCH g FROMMEMBER Palermo FROMLONLAT 1 1 BYRADIUS 1 km
      GEOSEARCH g FROMLONLAT 1 1 FROMMEMBER Palermo BYRADIUS 1 km
      GEOSEARCH g FROMMEMBER nope BYRADIUS 1 km
      GEOSEARCH g FROMLONLAT 500 1 BYRADIUS 1 km
      GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 1 km STORE x
      GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 1 km STOREDIST
      GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 1 km BOGUS
      GEOSEARCH nokey FROMMEMBER nope BYRADIUS 1 km
      GEOSEARCH nokey FROMLONLAT 1 1 BYRADIUS 1 km
      GEOSEARCH nokey FROMMEMBER x BYBOX 1 1 km ANY
      GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST
      GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 200 km STORE x
      GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 200 km COUNT 1
      ZRANGE d 0 -1 WITHSCORES
      GEOSEARCHSTORE d g FROMLONLAT 0 0 BYRADIUS 1 m
      EXISTS d
      SET d x
      GEOSEARCHSTORE d nokey FROMLONLAT 0 0 BYRADIUS 1 m
      EXISTS d
      GEORADIUS g 15 37 200 km STORE
      GEORADIUS g 15 37 200 km STORE d WITHDIST
      GEORADIUS g 15 37 200 km STOREDIST d
      ZRANGE d 0 -1 WITHSCORES
      GEORADIUS_RO g 15 37 200 km STORE d
      GEORADIUS g 15 37 200 km FROMLONLAT 1 1
      GEORADIUS g 200 37 200 km
      GEORADIUS g 15 37 -5 km
      GEORADIUS g 15 37 5 lightyears
      GEORADIUSBYMEMBER g nope 100 km
      GEORADIUSBYMEMBER nokey nope 100 km
      GEORADIUSBYMEMBER nokey nope bad units
      GEORADIUSBYMEMBER nokey nope 100 km STORE d
      GEORADIUSBYMEMBER g Palermo 100 km BYBOX 1 1 km
      GEORADIUSBYMEMBER g Palermo 200 km COUNT 1 DESC WITHCOORD
      COMMAND GETKEYS GEORADIUS g 15 37 200 km STORE d1 STOREDIST d2
      COMMAND GETKEYS GEORADIUSBYMEMBER g m 200 km
      COMMAND GETKEYS GEOSEARCHSTORE d g FROMLONLAT 1 1 BYRADIUS 1 km
    `))).toEqual([]);
  });

  it('RESP3 replies: coordinates are doubles', async () => {
    expect(await diff(pair, script(`
      HELLO 3
      GEOADD g3 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
      GEOPOS g3 Palermo nope
      GEOSEARCH g3 FROMLONLAT 15 37 BYRADIUS 200 km WITHCOORD WITHDIST WITHHASH ASC
      GEODIST g3 Palermo nope
      GEOHASH g3 nope
      HELLO 2
    `)).then((d) => d.filter((l) => !l.startsWith('HELLO')))).toEqual([]);
  });
});

describe('GEO keys move between redis-server and the engine', () => {
  afterAll(stopAll);

  async function probe(c: RespClient, key: string): Promise<string[]> {
    const calls = [
      ['ZRANGE', key, '0', '-1', 'WITHSCORES'],
      ['GEOPOS', key, 'city:1', 'city:2'],
      ['GEOSEARCH', key, 'FROMLONLAT', '13.4', '52.5', 'BYRADIUS', '20', 'km', 'ASC', 'WITHDIST', 'WITHCOORD'],
      ['OBJECT', 'ENCODING', key],
    ];
    return Promise.all(calls.map(async (a) => JSON.stringify(await c.call(a))));
  }

  it('DUMP/RESTORE and RDB files, both ways', async () => {
    const r = await startRedis(P + 10);
    const e = await startEngine(P + 11);
    const redis = await RespClient.connect(P + 10);
    const engine = await RespClient.connect(P + 11);
    for (const c of [redis, engine]) {
      for (const cmd of [...points('city', 100, 13.4, 52.5, 0.3, 5), ...points('big', 300, 13.4, 52.5, 0.3, 6)]) await c.call(cmd);
    }
    for (const k of ['city', 'big']) {
      const a = await redis.call(['DUMP', k]);
      const b = await engine.call(['DUMP', k]);
      if (a.t !== 'bulk' || b.t !== 'bulk') throw new Error('DUMP failed');
      expect(await engine.call(['RESTORE', `r:${k}`, '0', Buffer.from(a.v as string, 'latin1')])).toEqual({ t: 'simple', v: 'OK' });
      expect(await redis.call(['RESTORE', `r:${k}`, '0', Buffer.from(b.v as string, 'latin1')])).toEqual({ t: 'simple', v: 'OK' });
      expect(await probe(engine, `r:${k}`)).toEqual(await probe(redis, `r:${k}`));
    }
    await redis.call(['SAVE']);
    await engine.call(['SAVE']);
    redis.close();
    engine.close();
    const toEngine = tmpDir('kvctl-geo-');
    const toRedis = tmpDir('kvctl-geo-');
    fs.copyFileSync(path.join(r.dir, 'dump.rdb'), path.join(toEngine, 'dump.rdb'));
    fs.copyFileSync(path.join(e.dir, 'dump.rdb'), path.join(toRedis, 'dump.rdb'));
    await Promise.all([startEngine(P + 12, { dir: toEngine }), startRedis(P + 13, { dir: toRedis })]);
    const loadedByEngine = await RespClient.connect(P + 12);
    const loadedByRedis = await RespClient.connect(P + 13);
    try {
      for (const k of ['city', 'big', 'r:city', 'r:big']) expect(await probe(loadedByEngine, k)).toEqual(await probe(loadedByRedis, k));
    } finally {
      loadedByEngine.close();
      loadedByRedis.close();
    }
  });
  it('replication both ways: an engine replica of redis-server and a redis-server replica of the engine', async () => {
    await Promise.all([startRedis(P + 14), startEngine(P + 15), startEngine(P + 16), startRedis(P + 17)]);
    const [rm, er, em, rr] = await Promise.all([P + 14, P + 15, P + 16, P + 17].map(async (p) => RespClient.connect(p)));
    try {
      expect(await er.call(['REPLICAOF', '127.0.0.1', String(P + 14)])).toEqual({ t: 'simple', v: 'OK' });
      expect(await rr.call(['REPLICAOF', '127.0.0.1', String(P + 16)])).toEqual({ t: 'simple', v: 'OK' });
      // Written before the first sync (reaches the replica in the RDB) and after it (the command stream).
      for (const m of [rm, em]) for (const cmd of points('city', 100, 13.4, 52.5, 0.3, 7)) await m.call(cmd);
      for (let i = 0; i < 100; i++) {
        const [a, b] = await Promise.all([rm.call(['INFO', 'replication']), em.call(['INFO', 'replication'])]);
        if (/connected_slaves:1/.test(JSON.stringify(a)) && /connected_slaves:1/.test(JSON.stringify(b))) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      for (const m of [rm, em]) {
        for (const cmd of points('big', 300, 13.4, 52.5, 0.3, 8)) await m.call(cmd);
        await m.call(['GEOADD', 'city', 'XX', 'CH', '13.5', '52.6', 'city:1']);
        await m.call(['GEOSEARCHSTORE', 'near', 'big', 'FROMLONLAT', '13.4', '52.5', 'BYRADIUS', '15', 'km', 'ASC', 'COUNT', '20']);
        await m.call(['GEOSEARCHSTORE', 'neardist', 'big', 'FROMMEMBER', 'big:3', 'BYBOX', '30', '20', 'km', 'STOREDIST']);
        await m.call(['GEORADIUS', 'city', '13.4', '52.5', '10', 'km', 'STORE', 'radius']);
        // The first sync may wait for redis-server's repl-diskless-sync-delay: WAIT for the replica's ACK.
        expect(await m.call(['WAIT', '1', '30000'])).toEqual({ t: 'int', v: '1' });
      }
      const read = async (x: RespClient): Promise<string[]> => [
        ...(await probe(x, 'city')),
        ...(await probe(x, 'big')),
        ...(await Promise.all(['near', 'neardist', 'radius'].map(async (k) => JSON.stringify(await x.call(['ZRANGE', k, '0', '-1', 'WITHSCORES']))))),
      ];
      const want = await read(rm);
      expect(want.some((r) => r.includes('city:1'))).toBe(true);
      expect(await read(er)).toEqual(want); // engine replica of redis-server
      expect(await read(em)).toEqual(want); // the engine master wrote the same
      expect(await read(rr)).toEqual(want); // redis-server replica of the engine
    } finally {
      for (const x of [rm, er, em, rr]) x.close();
    }
  }, 60_000);
});
