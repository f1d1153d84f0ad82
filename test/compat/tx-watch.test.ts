import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { runClients } from './pubsub-kit.js';
import { PORTS } from '../helpers/ports.js';

// WATCH with a watcher (A) and a modifier (B): which changes abort EXEC and which do not.
describe('WATCH matches redis-server', () => {
  const pair = usePair(PORTS.core + 510);

  it('aborts on modification by another client, FLUSHDB, FLUSHALL; not on other keys or dbs', async () => {
    const mismatches = await runClients(pair, 2, `
      A: SET k 1
      A: WATCH k other
      B: SET k 2
      A: MULTI
      A: SET k 3
      A: EXEC
      A: GET k
      # EXEC unwatched everything: the next transaction runs
      B: SET k 4
      A: MULTI
      A: INCR k
      A: EXEC
      # untouched keys, and the same key in another db
      A: WATCH k
      B: SET unrelated 1
      B: SELECT 3
      B: SET k other-db
      A: MULTI
      A: INCR k
      A: EXEC
      # a write that changes nothing still counts (SET same value), a read does not
      A: WATCH k
      B: SELECT 0
      B: GET k
      A: MULTI
      A: PING
      A: EXEC
      A: WATCH k
      B: SET k 6
      A: MULTI
      A: PING
      A: EXEC
      # deleting and expiring commands touch the key
      A: WATCH k
      B: EXPIRE k 100
      A: MULTI
      A: PING
      A: EXEC
      A: WATCH k
      B: DEL k
      A: MULTI
      A: PING
      A: EXEC
      # DEL of a missing key changes nothing
      A: WATCH k
      B: DEL k
      A: MULTI
      A: PING
      A: EXEC
      # FLUSHDB and FLUSHALL touch existing watched keys only
      A: SET k 1
      A: WATCH k
      B: FLUSHDB
      A: MULTI
      A: PING
      A: EXEC
      A: WATCH missing
      B: FLUSHALL
      A: MULTI
      A: PING
      A: EXEC
      A: SET k 1
      A: WATCH k
      B: FLUSHALL
      A: MULTI
      A: PING
      A: EXEC
    `);
    expect(mismatches).toEqual([]);
  });

  it('UNWATCH, DISCARD and RESET forget a dirty watch; a queued error wins over a dirty watch', async () => {
    const mismatches = await runClients(pair, 2, `
      A: SET k 1
      A: WATCH k
      B: SET k 2
      A: UNWATCH
      A: MULTI
      A: PING
      A: EXEC
      A: WATCH k
      B: SET k 3
      A: MULTI
      A: DISCARD
      A: MULTI
      A: PING
      A: EXEC
      A: WATCH k
      B: SET k 4
      A: RESET
      A: MULTI
      A: PING
      A: EXEC
      A: WATCH k
      B: SET k 5
      A: MULTI
      A: NOSUCH
      A: EXEC
      A: WATCH k
      A: WATCH k
      B: SET k 6
      A: MULTI
      A: PING
      A: EXEC
    `);
    expect(mismatches).toEqual([]);
  });

  it('a watcher modifying the key itself before MULTI aborts too (RESP3)', async () => {
    const mismatches = await runClients(pair, 2, `
      A: HELLO 3
      A: WATCH k
      A: SET k mine
      A: MULTI
      A: GET k
      A: EXEC
      A: WATCH k
      A: MULTI
      A: GET k
      A: EXEC
    `, { normalize: (r) => (r.t === 'map' ? { t: 'null' } : r) });
    expect(mismatches).toEqual([]);
  });
});
