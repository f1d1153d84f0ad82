import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import { PORTS } from '../helpers/ports.js';

// Transactions on one connection: queueing, errors at queue time and at run time, misuse errors.
describe('MULTI/EXEC/DISCARD match redis-server', () => {
  const pair = usePair(PORTS.core + 500);

  const SCRIPT = `
    EXEC
    DISCARD
    MULTI
    MULTI
    WATCH x
    SET a 1
    INCR a
    GET a
    EXEC
    MULTI
    EXEC
    MULTI
    SET a 1
    LPUSH a x
    INCR a
    INCRBY a notanumber
    EXEC
    MULTI
    SET b 1
    DISCARD
    EXISTS b
    MULTI
    GET
    SET b 2
    EXEC
    EXISTS b
    MULTI
    NOSUCHCOMMAND x
    EXEC
    MULTI
    SAVE
    EXEC
    MULTI
    SET c 1
    EXEC extra
    GET c
    EXEC
    MULTI
    SELECT 5
    SET indb5 yes
    EXEC
    GET indb5
    SELECT 0
    GET indb5
    MULTI
    PING
    ECHO hi
    UNWATCH
    BLPOP nolist 0
    EXEC
  `;

  it('RESP2', async () => {
    expect(await diff(pair, script(SCRIPT))).toEqual([]);
  });

  it('RESP3', async () => {
    await pair.both(['HELLO', '3']);
    expect(await diff(pair, script(SCRIPT))).toEqual([]);
    await pair.both(['HELLO', '2']);
  });

  it('queued errors flag the transaction but EXEC misuse does not', async () => {
    const { redis, engine } = await pair.both(['MULTI']);
    expect(engine).toEqual(redis);
    const mismatches = await diff(pair, script(`
      SET k v
      MULTI
      WATCH k
      GET k
      EXEC
    `));
    expect(mismatches).toEqual([]);
    const last = await pair.engine.call(['GET', 'k']);
    expect(last).toEqual({ t: 'bulk', v: 'v' });
  });
});
