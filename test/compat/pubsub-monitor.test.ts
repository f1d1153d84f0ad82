import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { runClients } from './pubsub-kit.js';
import type { Reply } from '../helpers/resp.js';
import { PORTS } from '../helpers/ports.js';

/** MONITOR lines start with a timestamp and the client's address: keep the db and the arguments. */
function stripClock(r: Reply): Reply {
  if (r.t !== 'simple') return r;
  const m = /^\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\] (.*)$/.exec(r.v);
  return m ? { t: 'simple', v: `[${m[1]}] ${m[2]}` } : r;
}

// MONITOR (A) watching another client (B): what is shown, in which order, with which db and quoting.
describe('MONITOR matches redis-server', () => {
  const pair = usePair(PORTS.core + 550);

  it('streams executed commands in Redis format', async () => {
    const mismatches = await runClients(pair, 2, `
      A: MONITOR
      B: SET k v
      A?
      B: SET bin "a \\"quoted\\" \\\\ back\\nnl\\r\\t\\u0001\\u007f"
      A?
      B: SELECT 2
      A?
      B: GET k
      A?
      B: CONFIG GET hz
      B: NOSUCH x
      B: GET
      B: SELECT 0
      A?
      B: MULTI
      A?
      B: SET t 1
      B: INCR t
      B: EXEC
      A?
      A?
      A?
      B: MULTI
      B: PING
      B: DISCARD
      A?
      A?
      B: SUBSCRIBE ch
      A?
      B: UNSUBSCRIBE
      A?
    `, { normalize: stripClock });
    expect(mismatches).toEqual([]);
  });

  it('a monitor may PING and RESET but not touch the keyspace', async () => {
    const mismatches = await runClients(pair, 1, `
      A: MULTI
      A: MONITOR
      A: EXEC
      A: MONITOR
      A: PING
      A?
      A: GET k
      A: SET k v
      A! MONITOR
      A: RESET
      A: GET k
    `, { normalize: stripClock });
    expect(mismatches).toEqual([]);
  });
});
