import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { diffScript, scalar } from './datatypes-kit.js';
import { PORTS } from '../helpers/ports.js';
import type { RespClient } from '../helpers/resp.js';

async function info(c: RespClient, field: string): Promise<number> {
  const r = await c.call(['INFO', 'all']);
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(String(r.t === 'bulk' ? r.v : ''));
  if (!m) throw new Error(`no ${field} in INFO`);
  return Number(m[1]);
}

/**
 * Writes n values of size bytes under prefix (pipelined in batches), optionally with a TTL. Values are
 * 5000 bytes: smaller Buffers share Node's 8 KB pool slabs, so evicting one frees no memory.
 */
async function fill(c: RespClient, prefix: string, n: number, size: number, ttl = false): Promise<void> {
  const v = 'x'.repeat(size);
  for (let i = 0; i < n; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 100); j++) batch.push(c.call(ttl ? ['SET', `${prefix}${j}`, v, 'EX', '1000'] : ['SET', `${prefix}${j}`, v]));
    await Promise.all(batch);
  }
}

describe('maxmemory', () => {
  const pair = usePair(PORTS.datatypes + 50);

  it('noeviction refuses denyoom commands with the OOM error, allows reads and deletes', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      SET k v
      RPUSH l a
      CONFIG SET maxmemory 1
      SET k2 v
      LPUSH l b
      HSET h f v
      SADD s m
      ZADD z 1 m
      GET k
      LRANGE l 0 -1
      LPOP l
      DEL k
      CONFIG SET maxmemory 0
      SET k2 v
      CONFIG GET maxmemory-policy
    `)).toEqual([]);
  });

  it('allkeys-lru evicts down to the limit and keeps recently used keys', async () => {
    const c = pair.engine;
    await c.call(['FLUSHALL']);
    // Absolute limits: a baseline read from INFO may still include garbage of earlier rounds.
    const limit = 24 * 1024 * 1024;
    await c.call(['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru']);
    await c.call(['CONFIG', 'SET', 'maxmemory', String(limit)]);
    await fill(c, 'a:', 1000, 5000);
    const hot = Array.from({ length: 100 }, (_, i) => `a:${i * 10}`);
    // Keep the hot keys recently used while new keys push memory over the limit.
    for (let round = 0; round < 8; round++) {
      await Promise.all(hot.map((k) => c.call(['GET', k])));
      await fill(c, `b${round}:`, 1000, 5000);
    }
    const evicted = await info(c, 'evicted_keys');
    const size = Number(scalar(await c.call(['DBSIZE'])));
    expect(evicted, 'evicted_keys').toBeGreaterThan(0);
    expect(size).toBeLessThan(9000);
    expect(await info(c, 'used_memory')).toBeLessThan(limit * 1.5);
    const alive = (await Promise.all(hot.map((k) => c.call(['EXISTS', k])))).filter((r) => scalar(r) === '1').length;
    const coldAlive = (await Promise.all(Array.from({ length: 100 }, (_, i) => c.call(['EXISTS', `a:${i * 10 + 5}`])))).filter((r) => scalar(r) === '1').length;
    expect(alive, `hot keys alive (cold: ${coldAlive})`).toBeGreaterThan(coldAlive);
    await c.call(['CONFIG', 'SET', 'maxmemory', '0']);
  });

  it('volatile policies evict only keys with a TTL, and answer OOM when none are left', async () => {
    const c = pair.engine;
    for (const policy of ['volatile-ttl', 'volatile-random', 'volatile-lfu']) {
      await c.call(['FLUSHALL']);
      await c.call(['CONFIG', 'SET', 'maxmemory-policy', policy]);
      await fill(c, 'keep:', 500, 100);
      await c.call(['CONFIG', 'SET', 'maxmemory', String(10 * 1024 * 1024)]);
      await fill(c, 'vol:', 3000, 5000, true);
      const kept = (await Promise.all(Array.from({ length: 500 }, (_, i) => c.call(['EXISTS', `keep:${i}`])))).filter((r) => scalar(r) === '1').length;
      expect(kept).toBe(500);
      expect(await info(c, 'evicted_keys')).toBeGreaterThan(0);
      // Over any limit: TTL keys go first (a call evicts a bounded number), then writes are refused.
      await c.call(['CONFIG', 'SET', 'maxmemory', '1']);
      let reply = await c.call(['SET', 'more', 'x']);
      for (let i = 0; i < 5 && reply.t !== 'error'; i++) reply = await c.call(['SET', 'more', 'x']);
      expect(reply).toEqual({ t: 'error', v: "OOM command not allowed when used memory > 'maxmemory'." });
      expect(Number(scalar(await c.call(['DBSIZE'])))).toBeGreaterThanOrEqual(500);
      await c.call(['CONFIG', 'SET', 'maxmemory', '0']);
    }
  });

  it('allkeys-random and allkeys-lfu keep the dataset under the limit', async () => {
    const c = pair.engine;
    for (const policy of ['allkeys-random', 'allkeys-lfu']) {
      await c.call(['FLUSHALL']);
      await c.call(['CONFIG', 'SET', 'maxmemory-policy', policy]);
      await c.call(['CONFIG', 'SET', 'maxmemory', String(10 * 1024 * 1024)]);
      await fill(c, 'k:', 6000, 5000);
      expect(Number(scalar(await c.call(['DBSIZE'])))).toBeLessThan(6000);
      await c.call(['CONFIG', 'SET', 'maxmemory', '0']);
    }
  });
});
