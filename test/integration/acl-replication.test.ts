import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startEngine, startRedis, stopAll } from '../helpers/procs.js';
import { RespClient } from '../helpers/resp.js';
import { caughtUp, closeConns, info, until } from './replication-kit.js';

// ACL users across replication: the replica logs in to its master as a user that may only
// replicate (masteruser/masterauth), in both directions between the engine and redis-server, and an
// application user (ioredis, username + password) writes on the master and reads on the replicas.
const USERS = [
  '--user', 'default', 'off',
  '--user', 'repl', 'on', '>rpw', '-@all', '+psync', '+replconf', '+ping',
  '--user', 'app', 'on', '>apw', '~app:*', '&*', '+@all', '-@dangerous',
  '--user', 'admin', 'on', '>xpw', '~*', '&*', '+@all',
];
const replicaOf = (port: number) => ['--replicaof', '127.0.0.1', String(port), '--masteruser', 'repl', '--masterauth', 'rpw'];

function appConn(port: number, username = 'app', password = 'apw'): Redis {
  return new Redis({ host: '127.0.0.1', port, username, password, maxRetriesPerRequest: 2, lazyConnect: true });
}

describe('ACL users across replication (engine and redis-server)', () => {
  const conns: Redis[] = [];
  afterAll(async () => {
    for (const c of conns) c.disconnect();
    closeConns();
    await stopAll();
  });
  const open = async (port: number, admin = false): Promise<Redis> => {
    const c = admin ? appConn(port, 'admin', 'xpw') : appConn(port);
    conns.push(c);
    await c.connect();
    return c;
  };

  it('engine master: redis-server and engine replicas log in with masteruser', async () => {
    await startEngine(17320, { args: USERS });
    await Promise.all([startRedis(17321, { args: [...USERS, ...replicaOf(17320)] }), startEngine(17322, { args: [...USERS, ...replicaOf(17320)] })]);
    const [m, r1, r2] = await Promise.all([open(17320), open(17321), open(17322)]);
    expect(await m.acl('WHOAMI')).toBe('app');
    await m.set('app:k', 'v1');
    await m.rpush('app:l', 'a', 'b');
    await expect(m.set('other', 'x')).rejects.toThrow('NOPERM this user has no permissions to access one of the keys used as arguments');
    await expect(m.flushall()).rejects.toThrow("NOPERM this user has no permissions to run the 'flushall' command");
    const ma = await open(17320, true);
    for (const [r, port] of [[r1, 17321], [r2, 17322]] as const) {
      await caughtUp(ma, await open(port, true));
      expect(await r.get('app:k')).toBe('v1');
      expect(await r.lrange('app:l', 0, -1)).toEqual(['a', 'b']);
    }
    // The master lists its replicas as clients of the replication user.
    const list = (await ma.client('LIST')) as string;
    expect(list.split('\n').filter((l) => /flags=S/.test(l) && /user=repl/.test(l))).toHaveLength(2);
  });

  it('redis-server master: an engine replica logs in with masteruser; a wrong masterauth never links', async () => {
    await startRedis(17323, { args: USERS });
    await startEngine(17324, { args: [...USERS, ...replicaOf(17323)] });
    const bad = await startEngine(17325, { args: [...USERS, '--replicaof', '127.0.0.1', '17323', '--masteruser', 'repl', '--masterauth', 'wrong'] });
    const [m, r, b] = await Promise.all([open(17323), open(17324), open(17325, true)]);
    await m.set('app:x', '42');
    await caughtUp(await open(17323, true), await open(17324, true));
    expect(await r.get('app:x')).toBe('42');
    await until(async () => bad.output().includes('Unable to AUTH to MASTER: WRONGPASS invalid username-password pair or user is disabled.'), 'the refused AUTH in the log');
    expect((await info(b, 'replication')).master_link_status).toBe('down');
    // Replicas answer the same NOPERM as their master for the application user.
    await expect(r.get('secret')).rejects.toThrow('NOPERM');
  });

  it('ioredis: a wrong password and a disabled default user are refused', async () => {
    const wrong = new Redis({ host: '127.0.0.1', port: 17320, username: 'app', password: 'nope', maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    conns.push(wrong);
    const refused = new Promise<Error>((resolve) => wrong.once('error', resolve));
    wrong.connect().catch(() => undefined);
    expect((await refused).message).toContain('WRONGPASS invalid username-password pair or user is disabled.');
    const anon = await RespClient.connect(17320);
    expect(await anon.call(['GET', 'app:k'])).toEqual({ t: 'error', v: 'NOAUTH Authentication required.' });
    expect(await anon.call(['AUTH', 'default', ''])).toEqual({ t: 'error', v: 'WRONGPASS invalid username-password pair or user is disabled.' });
    anon.close();
  });
});
