// BGSAVE of a db with no TTL at the start: the snapshot keeps the values it copied with the keys
// (persistence/snapshot.ts) instead of looking each key up again. Writes, deletes, in-place changes
// of aggregates and new keys during the snapshot must not reach the file, which redis-server loads.
// Ports 12620-12621.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startEngine, startRedis, stopAll, tmpDir } from '../helpers/procs.js';
import { RespClient, type Reply } from '../helpers/resp.js';

const P = 12620;
const N = 150_000;

afterAll(stopAll);

const val = (r: Reply) => (r as { v: unknown }).v;

async function field(c: RespClient, section: string, name: string): Promise<string> {
  const r = await c.call(['INFO', section]);
  return new RegExp(`${name}:(\\S+)`).exec(String(val(r)))?.[1] ?? '';
}

describe('BGSAVE without TTLs', () => {
  it('writes exactly the dataset of the moment it started while writes continue', async () => {
    const e = await startEngine(P, { args: ['--enable-debug-command', 'yes'] });
    const c = await RespClient.connect(P);
    const w = await RespClient.connect(P);
    expect(val(await c.call(['DEBUG', 'POPULATE', String(N), 'key']))).toBe('OK'); // key:<i> = value:<i>
    await c.call(['RPUSH', 'list', 'a', 'b', 'c']);
    await c.call(['HSET', 'hash', 'f', 'old']);
    expect(val(await c.call(['BGSAVE']))).toBe('Background saving started');
    let n = 0;
    while ((await field(c, 'persistence', 'rdb_bgsave_in_progress')) === '1') {
      for (let k = 0; k < 50; k++, n++) await w.call(['SET', `key:${N - 1 - n}`, 'new']);
      await w.call(['DEL', `key:${n}`]);
      await w.call(['SET', `fresh:${n}`, 'x']);
      await w.call(['EXPIRE', `key:${N / 2 + n}`, '1000']); // a TTL appears only through a write
      await w.call(['RPUSH', 'list', 'd']);
      await w.call(['HSET', 'hash', 'f', 'new']);
    }
    expect(n).toBeGreaterThan(0); // the loop really ran during the snapshot
    const dir = tmpDir('kvctl-p-');
    fs.copyFileSync(path.join(e.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    c.close();
    w.close();
    await startRedis(P + 1, { dir });
    const r = await RespClient.connect(P + 1);
    for (let i = 0; i < 500 && (await field(r, 'persistence', 'loading')) !== '0'; i++) await new Promise((res) => setTimeout(res, 20));
    expect(val(await r.call(['DBSIZE']))).toBe(String(N + 2));
    expect(val(await r.call(['LRANGE', 'list', '0', '-1']))).toEqual([{ t: 'bulk', v: 'a' }, { t: 'bulk', v: 'b' }, { t: 'bulk', v: 'c' }]);
    expect(val(await r.call(['HGET', 'hash', 'f']))).toBe('old');
    for (let i = 0; i < N; i += 997) expect(val(await r.call(['GET', `key:${i}`]))).toBe(`value:${i}`);
    expect(val(await r.call(['GET', 'key:0']))).toBe('value:0');
    expect(val(await r.call(['GET', `key:${N - 1}`]))).toBe(`value:${N - 1}`);
    expect(val(await r.call(['TTL', `key:${N / 2}`]))).toBe('-1');
    expect(val(await r.call(['EXISTS', 'fresh:0']))).toBe('0');
    r.close();
  }, 60_000);
});

