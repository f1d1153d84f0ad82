// CLIENT PAUSE / UNPAUSE against redis-server: error texts, what a WRITE pause holds (writes,
// PUBLISH, writes queued in MULTI) and lets through (reads, PING), ALL holding everything until the
// timeout, and held commands running in order once released.
import { describe, expect, it } from 'vitest';
import { diff, script, transcripts, usePair } from './harness.js';
import { PORTS } from '../helpers/ports.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CLIENT PAUSE matches redis-server', () => {
  const pair = usePair(PORTS.sentinel + 100);

  it('replies and errors', async () => {
    expect(await diff(pair, script(`
      CLIENT PAUSE abc
      CLIENT PAUSE -1
      CLIENT PAUSE 10 foo
      CLIENT PAUSE 10 write x
      CLIENT PAUSE
      CLIENT UNPAUSE x
      CLIENT UNPAUSE
      CLIENT PAUSE 0
      CLIENT PAUSE 0 WRITE
      CLIENT PAUSE 0 all
      CLIENT UNPAUSE
    `))).toEqual([]);
  });

  it('FAILOVER argument errors (no replicas)', async () => {
    expect(await diff(pair, script(`
      FAILOVER ABORT
      FAILOVER
      FAILOVER TIMEOUT 0
      FAILOVER TIMEOUT -1
      FAILOVER TIMEOUT abc
      FAILOVER TO 127.0.0.1 1 FORCE
      FAILOVER TO 127.0.0.1 abc
      FAILOVER TO 127.0.0.1
      FAILOVER FOO
      FAILOVER ABORT TIMEOUT 5
      FAILOVER FORCE FORCE
      FAILOVER TIMEOUT 5 TIMEOUT 6
    `))).toEqual([]);
    const state = (r: { v: unknown }) => /master_failover_state:(\S+)/.exec(String(r.v))?.[1];
    const { redis, engine } = await pair.both(['INFO', 'replication']);
    expect(state(engine as { v: unknown })).toBe(state(redis as { v: unknown }));
  });

  it('WRITE holds writes, PUBLISH and queued writes; reads and PING go on; release runs them in order', async () => {
    const t = await transcripts(pair, 3, async ([a, b, c], log) => {
      log('pause', await a.call(['CLIENT', 'PAUSE', '20000', 'WRITE']));
      // Replies of different connections are compared one connection at a time (their relative
      // arrival order is the servers' write order, not something a client can rely on).
      const order: string[] = [];
      const w1 = b.call(['SET', 'k', 'v']).then((r) => { order.push('set'); return r; });
      const w2 = b.call(['INCR', 'n']).then((r) => { order.push('incr'); return r; });
      const pub = c.call(['PUBLISH', 'ch', 'm']).then((r) => { order.push('publish'); return r; });
      log('get while paused', await a.call(['GET', 'k']));
      log('ping while paused', await a.call(['PING']));
      log('dbsize while paused', await a.call(['DBSIZE']));
      await sleep(100);
      log('held so far', order.join(',') || 'none');
      const unpaused = a.call(['CLIENT', 'UNPAUSE']);
      log('set', await w1);
      log('incr', await w2);
      log('publish', await pub);
      log('unpause', await unpaused);
      log('b in order', String(order.indexOf('set') < order.indexOf('incr')));
      log('get after', await a.call(['GET', 'k']));

      log('multi', await b.call(['MULTI']));
      log('pause again', await a.call(['CLIENT', 'PAUSE', '20000', 'WRITE']));
      const queued = b.call(['SET', 'x', '1']);
      await sleep(100);
      log('x before unpause', await a.call(['EXISTS', 'x']));
      const unpaused2 = a.call(['CLIENT', 'UNPAUSE']);
      log('queued set', await queued);
      log('unpause', await unpaused2);
      log('exec', await b.call(['EXEC']));
      log('x', await a.call(['GET', 'x']));
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('ALL holds every command, CLIENT UNPAUSE included, until the timeout', async () => {
    const t = await transcripts(pair, 2, async ([a, b], log) => {
      log('pause', await a.call(['CLIENT', 'PAUSE', '400', 'ALL']));
      const t0 = Date.now();
      const held = b.call(['GET', 'k']);
      const unpause = a.call(['CLIENT', 'UNPAUSE']);
      log('get', await held);
      log('unpause', await unpause);
      log('held until the timeout', String(Date.now() - t0 >= 300));
    });
    expect(t.engine).toEqual(t.redis);
  });
});
