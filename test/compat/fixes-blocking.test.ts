// Cross-family fixes: clients blocked on a key are woken when the key appears by RENAME, RENAMENX,
// COPY, MOVE, RESTORE or SWAPDB (Redis's dbAdd/scanDatabaseForReadyKeys), and CLIENT UNBLOCK.
// Each scenario runs on redis-server and on the engine; the transcripts must be identical.
import { describe, expect, it } from 'vitest';
import { blockedClients, transcripts, usePair } from './harness.js';
import type { RespClient } from '../helpers/resp.js';

describe('blocked clients wake on keys created by generic commands', () => {
  const pair = usePair(17000);

  it('RENAME and RENAMENX onto a key a client blocks on', async () => {
    const t = await transcripts(pair, 3, async ([a, b, w], log) => {
      const pa = a.call(['BLPOP', 'k', '0']);
      await blockedClients(w, 1);
      log('push', await w.call(['RPUSH', 'src', 'x', 'y']));
      log('rename', await w.call(['RENAME', 'src', 'k']));
      log('a', await pa);
      log('k', await w.call(['LRANGE', 'k', '0', '-1']));
      const pb = b.call(['BLMOVE', 'n', 'dst', 'RIGHT', 'LEFT', '0']);
      await blockedClients(w, 1);
      log('push', await w.call(['RPUSH', 'src2', 'p']));
      log('renamenx', await w.call(['RENAMENX', 'src2', 'n']));
      log('b', await pb);
      log('dst', await w.call(['LRANGE', 'dst', '0', '-1']));
      log('n', await w.call(['EXISTS', 'n']));
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('a wrong-typed key renamed in keeps the client blocked', async () => {
    const t = await transcripts(pair, 2, async ([a, w], log) => {
      const pa = a.call(['BLPOP', 'k', '0']);
      await blockedClients(w, 1);
      log('set', await w.call(['SET', 's', 'str']));
      log('rename', await w.call(['RENAME', 's', 'k']));
      log('zadd', await w.call(['ZADD', 'z', '1', 'm']));
      log('rename', await w.call(['RENAME', 'z', 'k']));
      await blockedClients(w, 1);
      log('del', await w.call(['DEL', 'k']));
      log('push', await w.call(['RPUSH', 'l', 'v']));
      log('rename', await w.call(['RENAME', 'l', 'k']));
      log('a', await pa);
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('COPY and COPY ... DB wake BZPOPMIN and BLPOP', async () => {
    const t = await transcripts(pair, 3, async ([a, b, w], log) => {
      const pa = a.call(['BZPOPMIN', 'z', '0']);
      await blockedClients(w, 1);
      log('zadd', await w.call(['ZADD', 'zs', '2', 'b', '1', 'a']));
      log('copy', await w.call(['COPY', 'zs', 'z']));
      log('a', await pa);
      log('z', await w.call(['ZRANGE', 'z', '0', '-1', 'WITHSCORES']));
      log('select', await b.call(['SELECT', '3']));
      const pb = b.call(['BLPOP', 'q', '0']);
      await blockedClients(w, 1);
      log('push', await w.call(['RPUSH', 'q', '1', '2']));
      log('copy', await w.call(['COPY', 'q', 'q', 'DB', '3']));
      log('b', await pb);
      log('q', await w.call(['LRANGE', 'q', '0', '-1']));
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('MOVE to the db a client blocks in', async () => {
    const t = await transcripts(pair, 2, async ([a, w], log) => {
      log('select', await a.call(['SELECT', '2']));
      const pa = a.call(['BLMPOP', '0', '1', 'k', 'LEFT', 'COUNT', '5']);
      await blockedClients(w, 1);
      log('push', await w.call(['RPUSH', 'k', 'a', 'b']));
      log('move', await w.call(['MOVE', 'k', '2']));
      log('a', await pa);
      log('k', await a.call(['EXISTS', 'k']));
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('RESTORE (also REPLACE over a wrong type) wakes the client', async () => {
    const t = await transcripts(pair, 2, async ([a, w], log) => {
      await w.call(['RPUSH', 'orig', 'r1', 'r2']);
      const dump = await w.call(['DUMP', 'orig']);
      const payload = dump.t === 'bulk' && dump.v !== null ? Buffer.from(dump.v, 'latin1') : Buffer.alloc(0);
      const pa = a.call(['BRPOP', 'k', '0']);
      await blockedClients(w, 1);
      log('set', await w.call(['SET', 'k', 'str']));
      log('restore', await w.call(['RESTORE', 'k', '0', payload, 'REPLACE']));
      log('a', await pa);
      log('k', await w.call(['LRANGE', 'k', '0', '-1']));
      const pa2 = a.call(['BLPOP', 'k2', '0']);
      await blockedClients(w, 1);
      log('restore', await w.call(['RESTORE', 'k2', '0', payload]));
      log('a2', await pa2);
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('SWAPDB brings a list into the db a client blocks in', async () => {
    const t = await transcripts(pair, 2, async ([a, w], log) => {
      const pa = a.call(['BLPOP', 'k', 'other', '0']);
      await blockedClients(w, 1);
      log('select', await w.call(['SELECT', '5']));
      log('push', await w.call(['RPUSH', 'k', 'a', 'b']));
      log('zadd', await w.call(['ZADD', 'other', '1', 'x']));
      log('swap', await w.call(['SWAPDB', '0', '5']));
      log('a', await pa);
      log('select', await w.call(['SELECT', '0']));
      log('k', await w.call(['LRANGE', 'k', '0', '-1']));
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('RENAME inside MULTI wakes the client after EXEC', async () => {
    const t = await transcripts(pair, 2, async ([a, w], log) => {
      const pa = a.call(['BLPOP', 'k', '0']);
      await blockedClients(w, 1);
      for (const cmd of [['MULTI'], ['RPUSH', 'src', 'x', 'y'], ['RENAME', 'src', 'k'], ['LPOP', 'k'], ['EXEC']]) log(cmd[0], await w.call(cmd));
      log('a', await pa);
      log('k', await w.call(['LRANGE', 'k', '0', '-1']));
    });
    expect(t.engine).toEqual(t.redis);
  });
});

describe('CLIENT UNBLOCK', () => {
  const pair = usePair(17002);

  const idOf = async (c: RespClient): Promise<string> => {
    const r = await c.call(['CLIENT', 'ID']);
    return r.t === 'int' ? r.v : '0';
  };

  it('answers like a timeout, or with -UNBLOCKED, and runs what the client queued', async () => {
    const t = await transcripts(pair, 2, async ([a, w], log) => {
      const id = await idOf(a);
      log('not blocked', await w.call(['CLIENT', 'UNBLOCK', id]));
      const cases: string[][] = [
        ['BLPOP', 'k', '0'],
        ['BRPOPLPUSH', 'k', 'd', '0'],
        ['BLMOVE', 'k', 'd', 'LEFT', 'RIGHT', '0'],
        ['BZPOPMAX', 'k', '100'],
        ['BLMPOP', '0', '1', 'k', 'LEFT'],
        ['BZMPOP', '0', '1', 'k', 'MIN'],
        ['WAIT', '1', '0'],
      ];
      for (const cmd of cases) {
        for (const how of ['TIMEOUT', 'ERROR', null]) {
          const pa = a.call(cmd);
          const after = a.call(['PING', 'after']);
          await blockedClients(w, 1);
          log(`${cmd[0]} ${how}`, await w.call(how ? ['CLIENT', 'UNBLOCK', id, how] : ['CLIENT', 'UNBLOCK', id]));
          log('a', await pa);
          log('after', await after);
          log('again', await w.call(['CLIENT', 'UNBLOCK', id, 'ERROR']));
        }
      }
      log('exists', await w.call(['EXISTS', 'k', 'd']));
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('argument errors', async () => {
    const t = await transcripts(pair, 1, async ([w], log) => {
      for (const args of [[], ['x'], ['99'], ['-1'], ['99', 'foo'], ['x', 'foo'], ['x', 'error'], ['99', 'timeout', 'x'], ['99999999999999999999']]) {
        log(args.join(' '), await w.call(['CLIENT', 'UNBLOCK', ...args]));
      }
    });
    expect(t.engine).toEqual(t.redis);
  });
});
