// Blocking commands with several clients: the same scenario runs on redis-server and on the engine,
// and the transcripts (who got what, in which order) must be identical.
import { describe, expect, it } from 'vitest';
import { blockedClients, transcripts, usePair } from './harness.js';
import { PORTS } from '../helpers/ports.js';

describe('blocking commands match redis-server', () => {
  const pair = usePair(PORTS.datatypes + 40);

  it('serves blocked clients in the order they blocked, one element each', async () => {
    const t = await transcripts(pair, 4, async ([a, b, c, w], log) => {
      const pa = a.call(['BLPOP', 'q', 'other', '0']);
      await blockedClients(w, 1);
      const pb = b.call(['BRPOP', 'other', 'q', '0']);
      await blockedClients(w, 2);
      const pc = c.call(['BLPOP', 'q', '0']);
      await blockedClients(w, 3);
      log('push', await w.call(['RPUSH', 'q', '1', '2']));
      log('a', await pa);
      log('b', await pb);
      log('left', await w.call(['LRANGE', 'q', '0', '-1']));
      log('push', await w.call(['RPUSH', 'q', '3', '4']));
      log('c', await pc);
      log('left', await w.call(['LRANGE', 'q', '0', '-1']));
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('serves a blocked client between two pipelined commands of another client', async () => {
    const t = await transcripts(pair, 2, async ([a, w], log) => {
      const pa = a.call(['BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0']);
      await blockedClients(w, 1);
      const push = w.call(['LPUSH', 'src', 'x']);
      const pop = w.call(['LPOP', 'src']);
      log('push', await push);
      log('pop', await pop);
      log('a', await pa);
      log('dst', await w.call(['LRANGE', 'dst', '0', '-1']));
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('chains BLMOVE wake-ups and queues a blocked client’s next commands', async () => {
    const t = await transcripts(pair, 3, async ([a, b, w], log) => {
      const pa = a.call(['BLMOVE', 'one', 'two', 'RIGHT', 'LEFT', '0']);
      const after = a.call(['LLEN', 'two']);
      await blockedClients(w, 1);
      const pb = b.call(['BRPOPLPUSH', 'two', 'three', '0']);
      await blockedClients(w, 2);
      log('push', await w.call(['RPUSH', 'one', 'v']));
      log('a', await pa);
      log('a-after', await after);
      log('b', await pb);
      log('three', await w.call(['LRANGE', 'three', '0', '-1']));
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('times out with nil, ignores wrong-typed keys while blocked, forgets closed clients', async () => {
    const t = await transcripts(pair, 3, async ([a, b, w], log) => {
      log('timeout', await a.call(['BLPOP', 'k', '0.05']));
      log('ztimeout', await a.call(['BZPOPMIN', 'k', '0.05']));
      log('mtimeout', await a.call(['BLMPOP', '0.05', '1', 'k', 'LEFT']));
      log('movetimeout', await a.call(['BLMOVE', 'k', 'j', 'LEFT', 'LEFT', '0.05']));
      const pa = a.call(['BLPOP', 'k', '0']);
      await blockedClients(w, 1);
      log('set', await w.call(['SET', 'k', 'str']));
      log('del', await w.call(['DEL', 'k']));
      void b.call(['BLPOP', 'gone', '0']).catch(() => undefined);
      await blockedClients(w, 2);
      b.close();
      await blockedClients(w, 1);
      log('push', await w.call(['RPUSH', 'gone', 'x']));
      log('gone', await w.call(['LLEN', 'gone']));
      log('push', await w.call(['RPUSH', 'k', 'y']));
      log('a', await pa);
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('wakes BZPOPMIN/BZPOPMAX/BZMPOP on ZADD and the STORE forms', async () => {
    const t = await transcripts(pair, 4, async ([a, b, c, w], log) => {
      const pa = a.call(['BZPOPMIN', 'z', '0']);
      await blockedClients(w, 1);
      const pb = b.call(['BZMPOP', '0', '2', 'y', 'z', 'MAX', 'COUNT', '5']);
      await blockedClients(w, 2);
      const pc = c.call(['BLMPOP', '0', '1', 'l', 'RIGHT', 'COUNT', '2']);
      await blockedClients(w, 3);
      log('zadd', await w.call(['ZADD', 'z', '3', 'c', '1', 'a', '2', 'b']));
      log('a', await pa);
      log('b', await pb);
      log('src', await w.call(['RPUSH', 'src', 'p', 'q', 'r']));
      log('store', await w.call(['LMOVE', 'src', 'l', 'LEFT', 'LEFT']));
      log('c', await pc);
      const pa2 = a.call(['BZPOPMAX', 'u', '0']);
      await blockedClients(w, 1);
      log('zadd2', await w.call(['ZADD', 'tmp', '5', 'm']));
      log('unionstore', await w.call(['ZUNIONSTORE', 'u', '1', 'tmp']));
      log('a2', await pa2);
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('serves blocked clients only after a whole MULTI/EXEC', async () => {
    const t = await transcripts(pair, 2, async ([a, w], log) => {
      const pa = a.call(['BLPOP', 'k', '0']);
      await blockedClients(w, 1);
      for (const cmd of [['MULTI'], ['RPUSH', 'k', 'a', 'b'], ['LPOP', 'k'], ['BLPOP', 'empty', '0'], ['EXEC']]) log(cmd[0], await w.call(cmd));
      log('a', await pa);
      log('k', await w.call(['LRANGE', 'k', '0', '-1']));
    });
    expect(t.engine).toEqual(t.redis);
  });
});
