// MIGRATE between the engine and a real redis-server, both ways: DUMP payloads, TTLs, COPY, REPLACE,
// KEYS, AUTH/AUTH2, errors from the target and an unreachable target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, startEngine, startRedis, stopAll } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { RespClient } from '../helpers/resp.js';

const ENGINE = PORTS.cluster + 30; // 14030
const REDIS = PORTS.cluster + 31; // 14031, requirepass secret
const DEAD = PORTS.cluster + 39; // nothing listens there

describe.skipIf(!hasRedisServer())('MIGRATE engine <-> redis-server', () => {
  let e: RespClient;
  let r: RespClient;
  beforeAll(async () => {
    await Promise.all([startEngine(ENGINE), startRedis(REDIS, { args: ['--requirepass', 'secret'] })]);
    e = await RespClient.connect(ENGINE);
    r = await RespClient.connect(REDIS);
    await r.call(['AUTH', 'secret']);
  });
  afterAll(async () => {
    e.close();
    r.close();
    await stopAll();
  });

  it('moves keys with their TTL to redis-server (KEYS, AUTH), deleting them here', async () => {
    await e.call(['SET', 'a', '1']);
    await e.call(['SET', 'b', '2']);
    await e.call(['PEXPIRE', 'b', '100000']);
    expect(await e.call(['MIGRATE', '127.0.0.1', String(REDIS), '', '0', '5000', 'AUTH', 'secret', 'KEYS', 'a', 'b', 'nope'])).toEqual({ t: 'simple', v: 'OK' });
    expect(await e.call(['EXISTS', 'a', 'b'])).toEqual({ t: 'int', v: '0' });
    expect(await r.call(['MGET', 'a', 'b'])).toEqual({ t: 'array', v: [{ t: 'bulk', v: '1' }, { t: 'bulk', v: '2' }] });
    const ttl = Number((await r.call(['PTTL', 'b']) as { v: string }).v);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(100000);
    expect(await r.call(['PTTL', 'a'])).toEqual({ t: 'int', v: '-1' });
  });

  it('reports the target error (BUSYKEY) and keeps the key; REPLACE and COPY', async () => {
    await e.call(['SET', 'a', 'engine']);
    const busy = await e.call(['MIGRATE', '127.0.0.1', String(REDIS), 'a', '0', '5000', 'AUTH2', 'default', 'secret']);
    expect(busy).toEqual({ t: 'error', v: 'ERR Target instance replied with error: BUSYKEY Target key name already exists.' });
    expect(await e.call(['GET', 'a'])).toEqual({ t: 'bulk', v: 'engine' });
    expect(await e.call(['MIGRATE', '127.0.0.1', String(REDIS), 'a', '0', '5000', 'COPY', 'REPLACE', 'AUTH', 'secret'])).toEqual({ t: 'simple', v: 'OK' });
    expect(await e.call(['GET', 'a'])).toEqual({ t: 'bulk', v: 'engine' });
    expect(await r.call(['GET', 'a'])).toEqual({ t: 'bulk', v: 'engine' });
  });

  it('takes keys from redis-server (aggregates through DUMP payloads)', async () => {
    await r.call(['RPUSH', 'list', 'x', 'y', 'z']);
    await r.call(['HSET', 'hash', 'f', 'v']);
    for (const k of ['list', 'hash']) {
      expect(await r.call(['MIGRATE', '127.0.0.1', String(ENGINE), k, '0', '5000'])).toEqual({ t: 'simple', v: 'OK' });
    }
    expect(await e.call(['LRANGE', 'list', '0', '-1'])).toEqual({ t: 'array', v: ['x', 'y', 'z'].map((v) => ({ t: 'bulk', v })) });
    expect(await e.call(['HGET', 'hash', 'f'])).toEqual({ t: 'bulk', v: 'v' });
  });

  it('answers NOKEY, syntax errors and IOERR like redis-server, and keeps the connection usable', async () => {
    expect(await e.call(['MIGRATE', '127.0.0.1', String(REDIS), 'missing', '0', '100'])).toEqual({ t: 'simple', v: 'NOKEY' });
    expect(await e.call(['MIGRATE', '127.0.0.1', String(REDIS), 'a', '0', '100', 'KEYS', 'a'])).toEqual({ t: 'error', v: 'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string' });
    expect(await e.call(['MIGRATE', '127.0.0.1', String(REDIS), 'a', '0', '100', 'BOGUS'])).toEqual({ t: 'error', v: 'ERR syntax error' });
    const dead = await e.call(['MIGRATE', '127.0.0.1', String(DEAD), 'a', '0', '200']);
    expect(dead).toEqual({ t: 'error', v: 'IOERR error or timeout connecting to the client' });
    e.writeRaw('*1\r\n$4\r\nPING\r\n');
    expect(await e.next()).toEqual({ t: 'simple', v: 'PONG' });
  });
});
