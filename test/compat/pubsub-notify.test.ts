import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import { runClients } from './pubsub-kit.js';
import { PORTS } from '../helpers/ports.js';

// notify-keyspace-events: the flags' validation and canonical form, and expiry events on both channels.
describe('keyspace notifications match redis-server', () => {
  const pair = usePair(PORTS.core + 560);

  it('validates and canonicalises the flags', async () => {
    const mismatches = await diff(pair, script(`
      CONFIG GET notify-keyspace-events
      CONFIG SET notify-keyspace-events KEA
      CONFIG GET notify-keyspace-events
      CONFIG SET notify-keyspace-events gtdzn$KEx
      CONFIG GET notify-keyspace-events
      CONFIG SET notify-keyspace-events $lshzxetdnKEm
      CONFIG GET notify-keyspace-events
      CONFIG SET notify-keyspace-events q
      CONFIG SET notify-keyspace-events Kq
      CONFIG GET notify-keyspace-events
      CONFIG SET notify-keyspace-events ""
      CONFIG GET notify-keyspace-events
    `));
    expect(mismatches).toEqual([]);
  });

  it('publishes expired events on __keyspace and __keyevent channels', async () => {
    const mismatches = await runClients(pair, 2, `
      B: CONFIG SET notify-keyspace-events Ex
      A: SUBSCRIBE __keyevent@0__:expired __keyspace@0__:short
      A?
      B: SET short v PX 20
      A?
      B: CONFIG SET notify-keyspace-events Kx
      B: SET short v PX 20
      A?
      B: CONFIG SET notify-keyspace-events ""
    `);
    expect(mismatches).toEqual([]);
  });
});
