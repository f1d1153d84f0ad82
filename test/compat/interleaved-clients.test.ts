// Clients taking turns, one request each, as redis-benchmark's 50 clients do: dispatch remembers each
// client's last command name (Client.nameBuf), so a name must resolve the same whether it repeats, changes
// spelling or case, names a container with a subcommand, or names no command at all.
import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import type { Reply, RespClient } from '../helpers/resp.js';

/** Test ports 11930-11949 (this helper's block): redis-server on 11932, the engine on 11933. */
const PORT = 11932;

describe('clients taking turns resolve their commands as redis-server does', () => {
  const pair = usePair(PORT);

  it('repeated, re-spelled, unknown and container command names across four clients', async () => {
    const clients = await Promise.all([pair.connect(), pair.connect(), pair.connect(), pair.connect()]);
    // Client i's script: each round every client sends its next command, so names interleave.
    const scripts: string[][][] = [
      [['SET', 'a', '1'], ['SET', 'a', '2'], ['set', 'a', '3'], ['GET', 'a'], ['GET', 'a'], ['GETX', 'a'], ['GET', 'a']],
      [['GET', 'a'], ['get', 'a'], ['Get', 'a'], ['INCR', 'n'], ['INCR', 'n'], ['incr'], ['INCR', 'n']],
      [['CONFIG', 'GET', 'hz'], ['config', 'get', 'maxclients'], ['CONFIG', 'NOPE'], ['CONFIG'], ['OBJECT', 'ENCODING', 'n'], ['OBJECT', 'FREQ', 'n'], ['CONFIG', 'GET', 'hz']],
      [['NOSUCH'], ['NOSUCH', 'x'], ['PING'], ['ping', 'x'], ['MSET', 'a', '9', 'b'], ['MSET', 'a', '9'], ['MGET', 'a', 'n']],
    ];
    const seen: Record<'redis' | 'engine', Reply[]> = { redis: [], engine: [] };
    for (let round = 0; round < scripts[0].length; round++) {
      for (let i = 0; i < clients.length; i++) {
        for (const side of ['redis', 'engine'] as const) {
          const c: RespClient = clients[i][side];
          seen[side].push(await c.call(scripts[i][round]));
        }
      }
    }
    expect(seen.engine).toEqual(seen.redis);
    expect(seen.engine[seen.engine.length - 1]).toEqual({ t: 'array', v: [{ t: 'bulk', v: '9' }, { t: 'bulk', v: '3' }] });
  });
});
