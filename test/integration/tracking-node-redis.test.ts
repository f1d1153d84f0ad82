import { afterAll, describe, expect, it } from 'vitest';
import { createClient, BasicClientSideCache } from 'redis';
import { startEngine, startRedis, stopAll } from '../helpers/procs.js';

// node-redis's client-side cache (RESP3, CLIENT TRACKING ON) against the engine and redis-server: the
// second read is served from the cache, a write from another connection invalidates it, and FLUSHALL
// empties it.
afterAll(stopAll);

describe.each([['engine', 17330], ['redis-server', 17331]] as const)('node-redis client-side cache (%s)', (side, port) => {
  it('gets invalidations', async () => {
    await (side === 'engine' ? startEngine(port) : startRedis(port));
    const cache = new BasicClientSideCache({ maxEntries: 100 });
    const cached = createClient({ socket: { host: '127.0.0.1', port }, RESP: 3, clientSideCache: cache });
    const writer = createClient({ socket: { host: '127.0.0.1', port } });
    cached.on('error', () => undefined);
    writer.on('error', () => undefined);
    await Promise.all([cached.connect(), writer.connect()]);
    try {
      await writer.set('k', 'v1');
      expect(await cached.get('k')).toBe('v1');
      expect(await cached.get('k')).toBe('v1');
      expect(cache.stats().hitCount).toBe(1);
      expect(cache.size()).toBe(1);
      await writer.set('k', 'v2');
      // The invalidation push arrives asynchronously: wait until the entry is gone.
      for (let i = 0; i < 100 && cache.size() > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(cache.size()).toBe(0);
      expect(await cached.get('k')).toBe('v2');
      expect(cache.stats().missCount).toBe(2);
      expect(await cached.get('k')).toBe('v2');
      await writer.flushAll();
      for (let i = 0; i < 100 && cache.size() > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(cache.size()).toBe(0);
      expect(await cached.get('k')).toBeNull();
    } finally {
      await Promise.all([cached.quit(), writer.quit()]);
    }
  });
});
