// BGSAVE on the engine: a point-in-time snapshot while clients keep writing, save points, the final
// save on SHUTDOWN and SIGTERM, LASTSAVE, and the MISCONF guard after a failed background save.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startEngine, startRedis, stopAll, tmpDir } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { RespClient, type Reply } from '../helpers/resp.js';

const P = PORTS.persistence + 100; // this file: P+0 .. P+19
const N = 150_000;

afterAll(stopAll);

async function info(c: RespClient, field: string): Promise<string> {
  const r = await c.call(['INFO', 'persistence']);
  const m = new RegExp(`${field}:(\\S+)`).exec((r as { v: string }).v);
  return m ? m[1] : '';
}

async function until(fn: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const val = (r: Reply) => (r as { v: unknown }).v;

describe('BGSAVE', () => {
  it('writes exactly the dataset of the moment it started while writes continue', async () => {
    const e = await startEngine(P);
    const c = await RespClient.connect(P);
    const w = await RespClient.connect(P);
    try {
      for (let i = 0; i < N; i += 1000) {
        const args = ['MSET'];
        for (let j = i; j < i + 1000; j++) args.push(`key:${j}`, `v:${j}`);
        await c.call(args);
      }
      await c.call(['RPUSH', 'list', 'a', 'b', 'c']);
      await c.call(['HSET', 'hash', 'f', 'old']);
      await c.call(['SET', 'ttl', 'x', 'PX', '600000']);
      const ttlAt = val(await c.call(['PEXPIRETIME', 'ttl']));
      expect(val(await c.call(['BGSAVE']))).toBe('Background saving started');
      // rewrite keys from the end (not yet serialized), mutate aggregates in place, add and delete keys
      let n = 0;
      while ((await info(c, 'rdb_bgsave_in_progress')) === '1') {
        for (let k = 0; k < 50; k++, n++) {
          const i = N - 1 - n;
          w.writeRaw(`*3\r\n$3\r\nSET\r\n$${`key:${i}`.length}\r\nkey:${i}\r\n$3\r\nnew\r\n`);
        }
        await w.call(['DEL', `key:${n}`]);
        await w.call(['SET', `fresh:${n}`, 'x']);
        await w.call(['RPUSH', 'list', 'd']);
        await w.call(['HSET', 'hash', 'f', 'new']);
        await w.call(['PERSIST', 'ttl']);
      }
      expect(n).toBeGreaterThan(0); // the loop really ran during the snapshot
      const dir = tmpDir('kvctl-p-');
      fs.copyFileSync(path.join(e.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
      await startRedis(P + 1, { dir });
      const r = await RespClient.connect(P + 1);
      try {
        await until(async () => (await info(r, 'loading')) === '0', 'redis-server to load');
        expect(val(await r.call(['DBSIZE']))).toBe(String(N + 3));
        expect(val(await r.call(['LRANGE', 'list', '0', '-1']))).toEqual([{ t: 'bulk', v: 'a' }, { t: 'bulk', v: 'b' }, { t: 'bulk', v: 'c' }]);
        expect(val(await r.call(['HGET', 'hash', 'f']))).toBe('old');
        expect(val(await r.call(['PEXPIRETIME', 'ttl']))).toBe(ttlAt);
        for (let i = 0; i < N; i += 997) expect(val(await r.call(['GET', `key:${i}`]))).toBe(`v:${i}`);
        expect(val(await r.call(['GET', `key:${N - 1}`]))).toBe(`v:${N - 1}`);
        expect(val(await r.call(['EXISTS', 'fresh:0']))).toBe('0');
      } finally {
        r.close();
      }
    } finally {
      c.close();
      w.close();
    }
  }, 60_000);

  it('save points trigger a background save; LASTSAVE moves', async () => {
    const e = await startEngine(P + 2, { args: ['--save', '1 3'] });
    const c = await RespClient.connect(P + 2);
    try {
      const before = Number(val(await c.call(['LASTSAVE'])));
      for (let i = 0; i < 3; i++) await c.call(['SET', `k${i}`, 'v']);
      await until(async () => Number(val(await c.call(['LASTSAVE']))) > before, 'a save point');
      expect(e.output()).toContain('3 changes in 1 seconds. Saving...');
      expect(await info(c, 'rdb_changes_since_last_save')).toBe('0');
      expect(fs.existsSync(path.join(e.dir, 'dump.rdb'))).toBe(true);
    } finally {
      c.close();
    }
  });

  it('saves on SHUTDOWN and on SIGTERM when save points are set, not with NOSAVE', async () => {
    const dir = tmpDir('kvctl-p-');
    const e = await startEngine(P + 3, { dir, args: ['--save', '3600 1'] });
    const c = await RespClient.connect(P + 3);
    await c.call(['SET', 'a', '1']);
    e.child.kill('SIGTERM');
    await new Promise((r) => e.child.once('exit', r));
    c.close();
    expect(e.output()).toContain('Saving the final RDB snapshot before exiting.');
    const e2 = await startEngine(P + 3, { dir, args: ['--save', '3600 1'] });
    const c2 = await RespClient.connect(P + 3);
    expect(val(await c2.call(['GET', 'a']))).toBe('1');
    await c2.call(['SET', 'a', '2']);
    c2.writeRaw('SHUTDOWN NOSAVE\r\n');
    await new Promise((r) => (e2.child.exitCode === null ? e2.child.once('exit', r) : r(null)));
    c2.close();
    const e3 = await startEngine(P + 3, { dir });
    const c3 = await RespClient.connect(P + 3);
    expect(val(await c3.call(['GET', 'a']))).toBe('1');
    c3.close();
    await e3.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses writes with MISCONF after a failed BGSAVE, and recovers after a good save', async () => {
    const e = await startEngine(P + 4, { args: ['--save', '3600 1'] });
    const c = await RespClient.connect(P + 4);
    try {
      fs.mkdirSync(path.join(e.dir, 'dump.rdb')); // rename onto a directory fails
      await c.call(['SET', 'a', '1']);
      await c.call(['BGSAVE']);
      await until(async () => (await info(c, 'rdb_last_bgsave_status')) === 'err', 'the failed save');
      const r = await c.call(['SET', 'b', '1']);
      expect(r.t).toBe('error');
      expect(val(r)).toMatch(/^MISCONF Redis is configured to save RDB snapshots/);
      expect(val(await c.call(['GET', 'a']))).toBe('1');
      fs.rmdirSync(path.join(e.dir, 'dump.rdb'));
      expect(await c.call(['SAVE'])).toEqual({ t: 'simple', v: 'OK' });
      expect(await c.call(['SET', 'b', '1'])).toEqual({ t: 'simple', v: 'OK' });
      expect(val(await c.call(['BGSAVE', 'NOW']))).toBe('ERR syntax error');
    } finally {
      c.close();
    }
  });
});
