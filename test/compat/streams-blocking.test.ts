// Blocking XREAD / XREADGROUP against redis-server: several clients, wake-up order, timeouts, EXEC,
// deleted streams and groups, and the keyspace events stream commands send. Each scenario runs on
// both servers; the transcripts must be identical.
import { describe, expect, it } from 'vitest';
import { blockedClients, transcripts, usePair } from './harness.js';
import type { Reply } from '../helpers/resp.js';

/** Entry IDs in an XREAD-style reply, or the reply itself when it is not one (errors, nulls). */
function shape(r: Reply): string {
  return JSON.stringify(r);
}

describe('blocking stream reads match redis-server', () => {
  const pair = usePair(11440);

  it('XREAD BLOCK: every reader of a stream is woken by one XADD, in blocking order', async () => {
    const t = await transcripts(pair, 4, async ([a, b, c, w], log) => {
      log('setup', await w.call(['XADD', 's', '1-0', 'f', 'v']));
      const pa = a.call(['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$']);
      await blockedClients(w, 1);
      const pb = b.call(['XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 'other', 's', '0', '$']);
      await blockedClients(w, 2);
      // Nothing after 1-0 yet: this reader blocks too.
      const pc = c.call(['XREAD', 'BLOCK', '0', 'STREAMS', 's', '1-0']);
      await blockedClients(w, 3);
      log('xadd other', await w.call(['XADD', 'other', '1-0', 'o', '1']));
      log('b', shape(await pb));
      log('xadd', await w.call(['XADD', 's', '2-0', 'g', 'w']));
      const [ra, rc] = await Promise.all([pa, pc]);
      log('a', shape(ra));
      log('c', shape(rc));
      await blockedClients(w, 0);
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('XREADGROUP BLOCK: one new entry goes to the first consumer that blocked, the next to the second', async () => {
    const t = await transcripts(pair, 4, async ([a, b, c, w], log) => {
      log('create', await w.call(['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']));
      const pa = a.call(['XREADGROUP', 'GROUP', 'g', 'ca', 'BLOCK', '0', 'STREAMS', 's', '>']);
      await blockedClients(w, 1);
      const pb = b.call(['XREADGROUP', 'GROUP', 'g', 'cb', 'BLOCK', '0', 'STREAMS', 's', '>']);
      await blockedClients(w, 2);
      const pc = c.call(['XREADGROUP', 'GROUP', 'g', 'cc', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>']);
      await blockedClients(w, 3);
      log('xadd', await w.call(['XADD', 's', '1-0', 'f', '1']));
      log('a', await pa);
      log('xadd', await w.call(['XADD', 's', '2-0', 'f', '2']));
      log('b', await pb);
      // Two entries in one EXEC reach the last waiter together.
      log('multi', await w.call(['MULTI']));
      log('q', await w.call(['XADD', 's', '3-0', 'f', '3']));
      log('q', await w.call(['XADD', 's', '4-0', 'f', '4']));
      log('exec', await w.call(['EXEC']));
      log('c', await pc);
      log('pending', await w.call(['XPENDING', 's', 'g']));
      log('groups', await w.call(['XINFO', 'GROUPS', 's']));
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('timeouts, BLOCK inside MULTI, and bad BLOCK values', async () => {
    const t = await transcripts(pair, 2, async ([a, w], log) => {
      log('create', await w.call(['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']));
      log('xread', await a.call(['XREAD', 'BLOCK', '50', 'STREAMS', 's', '$']));
      log('xreadgroup', await a.call(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '50', 'STREAMS', 's', '>']));
      log('missing', await a.call(['XREAD', 'BLOCK', '50', 'STREAMS', 'nokey', '0']));
      log('neg', await a.call(['XREAD', 'BLOCK', '-1', 'STREAMS', 's', '$']));
      log('nan', await a.call(['XREAD', 'BLOCK', 'x', 'STREAMS', 's', '$']));
      log('multi', await a.call(['MULTI']));
      log('q', await a.call(['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$']));
      log('q', await a.call(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>']));
      log('exec', await a.call(['EXEC']));
      log('consumers', (await w.call(['XINFO', 'CONSUMERS', 's', 'g'])).t);
      log('lua', await a.call(['EVAL', "return redis.call('xread','block','0','streams','s','$')", '0']));
      log('lua', await a.call(['EVAL', "return redis.call('XREADGROUP','GROUP','g','c','BLOCK','0','STREAMS','s','>')", '0']));
      log('lua', await a.call(['EVAL', "return redis.call('xread','streams','s','0')", '0']));
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('a deleted or retyped stream and a destroyed group unblock XREADGROUP with errors; XREAD waits on', async () => {
    const t = await transcripts(pair, 4, async ([a, b, c, w], log) => {
      log('create', await w.call(['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']));
      const pa = a.call(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>']);
      const pc = c.call(['XREAD', 'BLOCK', '300', 'STREAMS', 's', '$']);
      await blockedClients(w, 2);
      log('del', await w.call(['DEL', 's']));
      log('a', await pa);
      log('set', await w.call(['SET', 's', 'x']));
      log('c', await pc);
      log('del', await w.call(['DEL', 's']));
      log('create', await w.call(['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']));
      const pb = b.call(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>']);
      await blockedClients(w, 1);
      log('destroy', await w.call(['XGROUP', 'DESTROY', 's', 'g']));
      log('b', await pb);
      log('create', await w.call(['XGROUP', 'CREATE', 's', 'g', '$']));
      const pa2 = a.call(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>']);
      await blockedClients(w, 1);
      log('set', await w.call(['SET', 's', 'x']));
      log('a2', await pa2);
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('a reader blocked on several streams fed by one EXEC or script is answered from the first signalled stream alone (7.0)', async () => {
    const t = await transcripts(pair, 4, async ([a, b, c, w], log) => {
      for (const k of ['a', 'b', 'c']) log('setup', await w.call(['XADD', k, '1-0', 'f', '0']));
      log('create', await w.call(['XGROUP', 'CREATE', 'a', 'g', '$']));
      log('create', await w.call(['XGROUP', 'CREATE', 'b', 'g', '$']));
      log('hello', (await c.call(['HELLO', '3'])).t);
      const pa = a.call(['XREAD', 'BLOCK', '0', 'STREAMS', 'a', 'b', 'c', '$', '$', '$']);
      await blockedClients(w, 1);
      const pb = b.call(['XREADGROUP', 'GROUP', 'g', 'cb', 'BLOCK', '0', 'STREAMS', 'a', 'b', '>', '>']);
      await blockedClients(w, 2);
      const pc = c.call(['XREAD', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 'a', 'c', '$', '$']);
      await blockedClients(w, 3);
      log('multi', await w.call(['MULTI']));
      for (const [k, id] of [['b', '5-1'], ['a', '5-2'], ['c', '5-3'], ['b', '5-4']]) log('q', await w.call(['XADD', k, id, 'f', id]));
      log('exec', await w.call(['EXEC']));
      log('a', await pa);
      log('b', await pb);
      log('c', await pc);
      const pa2 = a.call(['XREAD', 'BLOCK', '0', 'STREAMS', 'c', 'a', '$', '$']);
      await blockedClients(w, 1);
      log('eval', await w.call(['EVAL', "redis.call('xadd','a','6-1','f','1'); redis.call('xadd','c','6-2','f','2'); return 1", '0']));
      log('a2', await pa2);
      log('pending', await w.call(['XPENDING', 'b', 'g']));
      log('pending', await w.call(['XPENDING', 'a', 'g']));
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('keyspace notifications for stream commands', async () => {
    const t = await transcripts(pair, 2, async ([sub, w], log) => {
      log('config', await w.call(['CONFIG', 'SET', 'notify-keyspace-events', 'KEA']));
      log('psub', await sub.call(['PSUBSCRIBE', '__key*__:*']));
      const cmds: string[][] = [
        ['XADD', 's', '1-0', 'f', 'v'],
        ['XADD', 's', 'MAXLEN', '1', '2-0', 'f', 'v'],
        ['XADD', 'n', 'NOMKSTREAM', '1-0', 'f', 'v'],
        ['XDEL', 's', '2-0'],
        ['XDEL', 's', '9-0'],
        ['XADD', 's', '3-0', 'f', 'v'],
        ['XTRIM', 's', 'MAXLEN', '0'],
        ['XTRIM', 's', 'MAXLEN', '0'],
        ['XSETID', 's', '5-0'],
        ['XGROUP', 'CREATE', 's', 'g', '$'],
        ['XGROUP', 'CREATE', 'm', 'g', '$', 'MKSTREAM'],
        ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'],
        ['XADD', 's', '6-0', 'f', 'v'],
        ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', '>'],
        ['XCLAIM', 's', 'g', 'c3', '0', '6-0'],
        ['XAUTOCLAIM', 's', 'g', 'c4', '0', '0'],
        ['XACK', 's', 'g', '6-0'],
        ['XGROUP', 'SETID', 's', 'g', '0'],
        ['XGROUP', 'DELCONSUMER', 's', 'g', 'c1'],
        ['XGROUP', 'DESTROY', 's', 'g'],
        ['DEL', 's'],
        ['CONFIG', 'SET', 'notify-keyspace-events', ''],
      ];
      for (const cmd of cmds) log(cmd.join(' '), await w.call(cmd));
      log('ping', await w.call(['PING']));
      const msgs: string[] = [];
      for (;;) {
        const m = await sub.next(300).catch(() => null);
        if (!m) break;
        msgs.push(JSON.stringify(m));
      }
      log('events', msgs.join('\n'));
    });
    for (const ev of ['xadd', 'xtrim', 'xdel', 'xsetid', 'xgroup-create', 'xgroup-createconsumer', 'xgroup-setid', 'xgroup-delconsumer', 'xgroup-destroy']) {
      expect(t.redis.join('\n')).toContain(`"${ev}"`);
    }
    expect(t.engine).toEqual(t.redis);
  });
});
