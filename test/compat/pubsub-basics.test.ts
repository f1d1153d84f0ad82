import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { runClients } from './pubsub-kit.js';
import { PORTS } from '../helpers/ports.js';

// RESP2 pub/sub with a subscriber (A, C) and a publisher (B): confirmations, messages, pattern and
// shard messages, the subscribed-mode restrictions, introspection and cleanup on disconnect/RESET.
describe('pub/sub (RESP2) matches redis-server', () => {
  const pair = usePair(PORTS.core + 530);

  it('subscribes, receives, unsubscribes', async () => {
    const mismatches = await runClients(pair, 3, `
      A: UNSUBSCRIBE
      A: PUNSUBSCRIBE
      A: SUNSUBSCRIBE
      A: UNSUBSCRIBE never subscribed
      A?
      A: SUBSCRIBE news sport
      A?
      A: SUBSCRIBE news
      A: PSUBSCRIBE n*
      A: SSUBSCRIBE shard1
      B: PUBLISH news hello
      A? 2
      B: PUBLISH nothing-here x
      A?
      B: PUBLISH sport "with space"
      A?
      B: SPUBLISH shard1 sharded
      A?
      B: PUBLISH zzz nobody
      B: PUBSUB NUMSUB news sport zzz
      B: PUBSUB NUMPAT
      B~ PUBSUB CHANNELS
      B: PUBSUB CHANNELS n*
      B: PUBSUB SHARDCHANNELS
      B: PUBSUB SHARDNUMSUB shard1 other
      B: PUBSUB NUMSUB
      C: PSUBSCRIBE n* ne?s
      C?
      B: PUBLISH news twice
      A? 2
      C? 2
      B: PUBSUB NUMPAT
      A: GET k
      A: SET k v
      A: PING
      A: PING payload
      A: UNSUBSCRIBE news
      A: PUNSUBSCRIBE n* nonexistent
      A?
      A: SUNSUBSCRIBE
      A: UNSUBSCRIBE
      A: GET k
      A: PING
      B: PUBSUB NUMSUB news sport
      C: RESET
      C: PUBLISH news after-reset
      B: PUBSUB NUMPAT
      B~ PUBSUB CHANNELS
    `);
    expect(mismatches).toEqual([]);
  });

  it('rejects bad arguments and disallowed commands like redis', async () => {
    const mismatches = await runClients(pair, 2, `
      A: SUBSCRIBE
      A: PUBLISH onlychannel
      A: PUBSUB
      A: PUBSUB FOO
      A: PUBSUB CHANNELS a b
      A: PUBSUB SHARDCHANNELS a b
      A: PUBSUB NUMPAT x
      A: PUBSUB HELP
      A: SUBSCRIBE c
      A: MULTI
      A: PUBLISH c x
      A: SPUBLISH c x
      A: QUIT
      B: MULTI
      B: SUBSCRIBE c
      B: SSUBSCRIBE s
      B: EXEC
      B: PUBSUB NUMSUB c
      B: PING
    `);
    expect(mismatches).toEqual([]);
  });

  it('drops subscriptions of a closed client', async () => {
    const mismatches = await runClients(pair, 1, `
      A: SUBSCRIBE gone
      A: PSUBSCRIBE gone*
    `);
    expect(mismatches).toEqual([]);
    const after = await runClients(pair, 1, `
      A: PUBLISH gone x
      A: PUBSUB NUMSUB gone
      A: PUBSUB NUMPAT
    `);
    expect(after).toEqual([]);
  });
});
