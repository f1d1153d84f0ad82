import { describe, expect, it } from 'vitest';
import { usePair, transcripts, type Log } from './harness.js';
import type { Reply, RespClient } from '../helpers/resp.js';

// Client-side caching against redis-server: CLIENT TRACKING modes (default, OPTIN/OPTOUT with CLIENT
// CACHING, BCAST with prefixes, NOLOOP, REDIRECT to a RESP2 subscriber), the invalidation pushes
// (after the writer's own reply), flushes, tracking-table-max-keys, and every error text.
describe('client tracking matches redis-server', () => {
  const pair = usePair(17304);
  /** Client ids differ between the servers: replies equal to a known id are logged by name. */
  const named = (ids: Map<string, string>) => (r: Reply): string => {
    const s = JSON.stringify(r);
    let out = s;
    for (const [id, name] of ids) out = out.split(`"v":"${id}"`).join(`"v":"<${name}>"`);
    return out;
  };
  const run = (n: number, scenario: (c: RespClient[], log: Log, id: (name: string, c: RespClient) => Promise<string>, show: (r: Reply) => string) => Promise<void>) =>
    transcripts(pair, n, async (clients, log) => {
      const ids = new Map<string, string>();
      const show = named(ids);
      const id = async (name: string, c: RespClient) => {
        const r = await c.call(['CLIENT', 'ID']);
        ids.set(r.t === 'int' ? r.v : '', name);
        return r.t === 'int' ? r.v : '';
      };
      await scenario(clients, (what, r) => log(what, typeof r === 'string' ? r : show(r)), id, show);
    });

  it('RESP3: default, NOLOOP, OPTIN/OPTOUT, flushes, TRACKINGINFO', async () => {
    const t = await run(2, async ([a, b], log) => {
      const step = async (who: string, c: RespClient, argv: string[]) => log(`${who}: ${argv.join(' ')}`, await c.call(argv));
      const next = async (who: string, c: RespClient) => log(`${who}?`, await c.next());
      await a.call(['HELLO', '3']);
      await step('A', a, ['CLIENT', 'TRACKINGINFO']);
      await step('A', a, ['CLIENT', 'GETREDIR']);
      await step('A', a, ['CLIENT', 'TRACKING', 'ON']);
      await step('A', a, ['CLIENT', 'TRACKINGINFO']);
      await step('A', a, ['CLIENT', 'GETREDIR']);
      await step('B', b, ['MSET', 'k1', 'a', 'k2', 'b', 'k3', 'c']);
      await step('A', a, ['MGET', 'k1', 'k2']);
      await step('A', a, ['GET', 'k3']);
      await step('B', b, ['SET', 'k1', 'x']);
      await next('A', a);
      await step('B', b, ['SET', 'k1', 'y']);
      await step('A', a, ['PING']);
      await step('B', b, ['DEL', 'k2', 'k3']);
      await next('A', a);
      await next('A', a);
      await step('A', a, ['GET', 'k1']);
      await step('A', a, ['SET', 'k1', 'own']);
      await next('A', a);
      await step('A', a, ['CLIENT', 'TRACKING', 'ON', 'NOLOOP']);
      await step('A', a, ['GET', 'k1']);
      await step('A', a, ['INCR', 'k1']);
      await step('A', a, ['PING']);
      await step('A', a, ['GET', 'k1']);
      await step('B', b, ['FLUSHALL']);
      await next('A', a);
      await step('A', a, ['PING']);
      await step('A', a, ['CLIENT', 'TRACKING', 'OFF']);
      await step('A', a, ['CLIENT', 'TRACKING', 'ON', 'OPTIN']);
      await step('A', a, ['CLIENT', 'CACHING', 'YES']);
      await step('A', a, ['CLIENT', 'TRACKINGINFO']);
      await step('A', a, ['GET', 'in1']);
      await step('A', a, ['GET', 'in2']);
      await step('B', b, ['MSET', 'in1', '1', 'in2', '2']);
      await next('A', a);
      await step('A', a, ['PING']);
      await step('A', a, ['CLIENT', 'TRACKING', 'OFF']);
      await step('A', a, ['CLIENT', 'TRACKING', 'ON', 'OPTOUT']);
      await step('A', a, ['GET', 'out1']);
      await step('A', a, ['CLIENT', 'CACHING', 'NO']);
      await step('A', a, ['GET', 'out2']);
      await step('B', b, ['MSET', 'out1', '1', 'out2', '2']);
      await next('A', a);
      await step('A', a, ['PING']);
      await step('A', a, ['MULTI']);
      await step('A', a, ['GET', 'm1']);
      await step('A', a, ['SET', 'm1', 'v']);
      await step('A', a, ['EXEC']);
      await next('A', a);
      await step('A', a, ['INFO', 'clients']).catch(() => undefined);
      await step('A', a, ['RESET']);
      await step('A', a, ['CLIENT', 'TRACKINGINFO']);
    });
    expect(t.engine.filter((l) => !l.startsWith('A: INFO'))).toEqual(t.redis.filter((l) => !l.startsWith('A: INFO')));
  });

  it('BCAST with prefixes, REDIRECT to a RESP2 subscriber, broken redirect, max keys', async () => {
    const t = await run(3, async ([a, b, c], log, id) => {
      const step = async (who: string, x: RespClient, argv: string[]) => log(`${who}: ${argv.join(' ')}`, await x.call(argv));
      const next = async (who: string, x: RespClient) => log(`${who}?`, await x.next());
      await id('A', a);
      await a.call(['HELLO', '3']);
      await step('A', a, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'cart:']);
      await step('A', a, ['CLIENT', 'TRACKINGINFO']);
      await step('C', c, ['MSET', 'user:1', 'a', 'cart:9', 'b', 'other', 'c', 'user:0', 'd']);
      await next('A', a);
      await step('A', a, ['PING']);
      await step('A', a, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:1']);
      await step('A', a, ['CLIENT', 'TRACKING', 'OFF']);
      await step('A', a, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'NOLOOP']);
      await step('A', a, ['SET', 'mine', '1']);
      await step('C', c, ['SET', 'theirs', '1']);
      await next('A', a);
      await step('A', a, ['CLIENT', 'TRACKING', 'OFF']);
      const bid = await id('B', b);
      await step('B', b, ['SUBSCRIBE', '__redis__:invalidate']);
      await a.call(['HELLO', '2']);
      log('A: CLIENT TRACKING ON REDIRECT <B>', await a.call(['CLIENT', 'TRACKING', 'ON', 'REDIRECT', bid]));
      await step('A', a, ['CLIENT', 'GETREDIR']);
      await step('A', a, ['GET', 'r1']);
      await step('C', c, ['SET', 'r1', 'x']);
      await next('B', b);
      await step('A', a, ['GET', 'r1']);
      await step('C', c, ['FLUSHDB']);
      await next('B', b);
      await step('C', c, ['CONFIG', 'SET', 'tracking-table-max-keys', '1']);
      await step('A', a, ['GET', 'e1']);
      await step('A', a, ['GET', 'e2']);
      // Redis evicts a random tracked key (a radix-tree random walk): either one will do.
      log('B? (e1 or e2)', JSON.stringify(await b.next()).replace(/"e[12]"/, '"e?"'));
      await step('C', c, ['CONFIG', 'SET', 'tracking-table-max-keys', '1000000']);
      await a.call(['HELLO', '3']);
      await step('A', a, ['GET', 'b1']);
      b.close();
      // The server must have seen B go before C writes (a fixed sleep raced under load): poll
      // CLIENT LIST ID from C, which is not part of the transcript.
      for (let tries = 0; ; tries++) {
        const left = await c.call(['CLIENT', 'LIST', 'ID', bid]);
        if (left.t === 'bulk' && left.v === '') break;
        if (tries === 500) throw new Error(`client ${bid} still connected after closing it: ${JSON.stringify(left)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      await step('C', c, ['SET', 'b1', 'x']);
      await next('A', a);
      await step('A', a, ['CLIENT', 'TRACKINGINFO']);
    });
    expect(t.engine).toEqual(t.redis);
  });

  it('errors', async () => {
    const t = await run(1, async ([a], log) => {
      for (const argv of [
        ['CLIENT', 'TRACKING'], ['CLIENT', 'TRACKING', 'maybe'], ['CLIENT', 'TRACKING', 'ON', 'BOGUS'],
        ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', 'x'], ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '999999'],
        ['CLIENT', 'TRACKING', 'ON', 'PREFIX', 'a'], ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN'],
        ['CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'], ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'ab', 'PREFIX', 'a'],
        ['CLIENT', 'CACHING', 'YES'], ['CLIENT', 'TRACKING', 'ON', 'OPTIN'], ['CLIENT', 'CACHING', 'NO'], ['CLIENT', 'CACHING', 'MAYBE'],
        ['CLIENT', 'TRACKING', 'ON', 'OPTOUT'], ['CLIENT', 'TRACKING', 'ON', 'BCAST'], ['CLIENT', 'TRACKING', 'OFF'],
        ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a'], ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'ab'], ['CLIENT', 'TRACKING', 'ON'],
        ['CLIENT', 'CACHING'], ['CLIENT', 'GETREDIR', 'x'], ['CLIENT', 'TRACKINGINFO', 'x'], ['CLIENT', 'TRACKING', 'OFF'],
      ]) log(argv.join(' '), await a.call(argv));
    });
    expect(t.engine).toEqual(t.redis);
  });
});
