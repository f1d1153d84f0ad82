import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import { PORTS } from '../helpers/ports.js';

describe('core basics match redis-server', () => {
  const pair = usePair(PORTS.core + 0);

  it('ping, echo, get/set, unknown commands and arity errors', async () => {
    const mismatches = await diff(pair, script(`
      PING
      PING hello
      ECHO "with spaces"
      SET k v
      GET k
      GET missing
      GET
      SET k
      NOSUCHCMD a b
      config get maxmemory
      config get port-does-not-exist
      config nosuch
      COMMAND INFO get set
      COMMAND GETKEYS SET a b
      DEL k missing
      EXISTS k
    `));
    expect(mismatches).toEqual([]);
  });

  it('speaks RESP3 after HELLO 3', async () => {
    const { redis, engine } = await pair.both(['HELLO', '3']);
    expect(engine.t).toBe('map');
    expect(redis.t).toBe('map');
    const mismatches = await diff(pair, script(`
      GET missing
      CONFIG GET maxmemory-policy
      COMMAND INFO get
    `));
    const back = await pair.both(['HELLO', '2']);
    expect(back.engine.t).toBe('array');
    expect(back.redis.t).toBe('array');
    expect(mismatches).toEqual([]);
  });
});
