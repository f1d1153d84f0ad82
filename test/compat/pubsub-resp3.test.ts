import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { runClients } from './pubsub-kit.js';
import type { Reply } from '../helpers/resp.js';
import { PORTS } from '../helpers/ports.js';

/** HELLO's reply carries the client id: compare only its type. */
const helloAsType = (r: Reply): Reply =>
  r.t === 'map' || (r.t === 'array' && r.v?.[0]?.t === 'bulk' && r.v[0].v === 'server') ? { t: 'simple', v: r.t } : r;

// RESP3: confirmations and messages are `>` pushes, and a subscribed client may run any command,
// its own publishes included (the push precedes the reply).
describe('pub/sub (RESP3) matches redis-server', () => {
  const pair = usePair(PORTS.core + 540);

  it('pushes confirmations and messages, allows commands while subscribed', async () => {
    const mismatches = await runClients(pair, 3, `
      A: HELLO 3
      C: HELLO 3
      A: UNSUBSCRIBE
      A: SUBSCRIBE a b
      A?
      A: PSUBSCRIBE p*
      A: SSUBSCRIBE s1
      A: SET k v
      A: GET k
      A: PING
      B: PUBLISH a hello
      A?
      B: PUBLISH pxy via-pattern
      A?
      B: SPUBLISH s1 sharded
      A?
      A: PUBLISH b to-myself
      A?
      C: SUBSCRIBE a
      B: PUBLISH a two-receivers
      A?
      C?
      A: UNSUBSCRIBE b
      A: UNSUBSCRIBE
      A: PUNSUBSCRIBE
      A: SUNSUBSCRIBE
      A: SUNSUBSCRIBE
      C: HELLO 2
      C: GET k
      C: UNSUBSCRIBE a
      C: GET k
      B: PUBSUB NUMSUB a b
      B: PUBSUB NUMPAT
    `, { normalize: helloAsType });
    expect(mismatches).toEqual([]);
  });

  it('a RESP2 subscriber switching to RESP3 leaves the restricted context', async () => {
    const mismatches = await runClients(pair, 2, `
      A: SUBSCRIBE x
      A: GET k
      A: HELLO 3
      A: GET k
      B: PUBLISH x msg
      A?
      A: RESET
      B: PUBLISH x gone
    `, { normalize: helloAsType });
    expect(mismatches).toEqual([]);
  });
});
