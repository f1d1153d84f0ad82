// RDB round trips with a real redis-server 7.0: files written by either side are checked by
// redis-check-rdb and loaded by the other with identical contents; DUMP/RESTORE payloads cross over;
// corrupt files stop the engine at start with a clear error.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ENGINE_MAIN, startEngine, startRedis, stopAll, tmpDir } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { RespClient } from '../helpers/resp.js';
import { contents, datasetCommands, fillDataset, withClient } from './persistence-kit.js';

const P = PORTS.persistence; // this file: P+0 .. P+19

afterAll(stopAll);

function checkRdb(file: string): string {
  return execFileSync('redis-check-rdb', [file], { encoding: 'utf8' });
}

/** Starts the engine expecting it to fail; returns its exit code and output. */
function engineFails(dir: string, port: number, extra: string[] = []): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [ENGINE_MAIN, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...extra], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('RDB compatibility with redis-server 7.0', () => {
  it('an engine dump passes redis-check-rdb and loads in redis-server with identical contents', async () => {
    const e = await startEngine(P);
    const want = await withClient(P, async (c) => {
      await fillDataset(c);
      expect(await c.call(['SAVE'])).toEqual({ t: 'simple', v: 'OK' });
      return contents(c);
    });
    expect(checkRdb(path.join(e.dir, 'dump.rdb'))).toContain('RDB looks OK');
    const dir = tmpDir('kvctl-p-');
    fs.copyFileSync(path.join(e.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    await startRedis(P + 1, { dir });
    expect(await withClient(P + 1, (c) => contents(c))).toEqual(want);
  });

  it('a redis-server dump loads in the engine with identical contents', async () => {
    const r = await startRedis(P + 2);
    const want = await withClient(P + 2, async (c) => {
      await fillDataset(c);
      await c.call(['SAVE']);
      return contents(c);
    });
    const dir = tmpDir('kvctl-p-');
    fs.copyFileSync(path.join(r.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    const e = await startEngine(P + 3, { dir });
    expect(await withClient(P + 3, (c) => contents(c))).toEqual(want);
    expect(e.output()).toMatch(/DB loaded from disk: \d+\.\d{3} seconds/);
  });

  it('DUMP payloads cross over both ways, byte-identical for the same encoding', async () => {
    await startRedis(P + 4);
    await startEngine(P + 5);
    const redis = await RespClient.connect(P + 4);
    const engine = await RespClient.connect(P + 5);
    try {
      for (const cmd of datasetCommands()) {
        await redis.call(cmd);
        await engine.call(cmd);
      }
      const keys = ['str:plain', 'str:int', 'str:bin', 'str:compressible', 'list:small', 'list:big', 'hash:small', 'hash:longval', 'set:ints', 'set:strs', 'zset:small', 'zset:big', 'zset:longmember'];
      for (const k of keys) {
        const fromRedis = await redis.call(['DUMP', k]);
        const fromEngine = await engine.call(['DUMP', k]);
        if (fromRedis.t !== 'bulk' || fromEngine.t !== 'bulk') throw new Error(`DUMP ${k}`);
        const rp = Buffer.from(fromRedis.v as string, 'latin1');
        const ep = Buffer.from(fromEngine.v as string, 'latin1');
        expect(await engine.call(['RESTORE', `copy:${k}`, '0', rp])).toEqual({ t: 'simple', v: 'OK' });
        expect(await redis.call(['RESTORE', `copy:${k}`, '0', ep])).toEqual({ t: 'simple', v: 'OK' });
        if (!k.endsWith(':big') && k !== 'set:strs') expect(ep.toString('hex'), k).toBe(rp.toString('hex'));
      }
      // the restored copies (no TTL) must be equal; the originals' TTLs were set on each side
      const copies = (all: Record<string, unknown>) => Object.entries(all).filter(([k]) => k.startsWith(`0:${Buffer.from('copy:').toString('hex')}`));
      const [a, b] = [copies(await contents(redis, 1)), copies(await contents(engine, 1))];
      expect(a.length).toBe(keys.length);
      expect(b).toEqual(a);
    } finally {
      redis.close();
      engine.close();
    }
  });

  it('RESTORE options and errors match redis-server', async () => {
    const redis = await RespClient.connect(P + 4);
    const engine = await RespClient.connect(P + 5);
    try {
      const payload = ((await redis.call(['DUMP', 'str:plain'])) as { v: string }).v;
      const p = Buffer.from(payload, 'latin1');
      const bad = Buffer.from(p);
      bad[1] ^= 0xff;
      const future = String(Date.now() + 3_600_000);
      const script: (string | Buffer)[][] = [
        ['RESTORE', 'str:plain', '0', p],
        ['RESTORE', 'r1', '0', bad],
        ['RESTORE', 'r1', '-1', p],
        ['RESTORE', 'r1', 'abc', p],
        ['RESTORE', 'r1', '0', p, 'BOGUS'],
        ['RESTORE', 'r1', '0', p, 'FREQ', '300'],
        ['RESTORE', 'r1', '0', p, 'IDLETIME', '-1'],
        ['RESTORE', 'r1', '0', Buffer.from('short')],
        ['RESTORE', 'str:plain', '0', p, 'REPLACE'],
        ['RESTORE', 'r2', future, p, 'ABSTTL'],
        ['PEXPIRETIME', 'r2'],
        ['RESTORE', 'r3', '1', p, 'ABSTTL'],
        ['EXISTS', 'r3'],
        ['DUMP', 'nosuchkey'],
      ];
      for (const cmd of script) expect(await engine.call(cmd), cmd.map(String).join(' ').slice(0, 40)).toEqual(await redis.call(cmd));
    } finally {
      redis.close();
      engine.close();
    }
  });

  it('a corrupt or truncated dump.rdb stops the engine with exit 1 and a clear error', async () => {
    const r = await startRedis(P + 6);
    await withClient(P + 6, async (c) => {
      await fillDataset(c);
      await c.call(['SAVE']);
    });
    const good = fs.readFileSync(path.join(r.dir, 'dump.rdb'));
    const flipped = Buffer.from(good);
    flipped[Math.floor(good.length / 2)] ^= 0x55;
    const dir1 = tmpDir('kvctl-p-');
    fs.writeFileSync(path.join(dir1, 'dump.rdb'), flipped);
    const a = engineFails(dir1, P + 7);
    expect(a.code).toBe(1);
    expect(a.out).toMatch(/Fatal error loading the DB from .*dump\.rdb: .*(checksum|integrity|Unknown|Unexpected|Invalid)/);
    const dir2 = tmpDir('kvctl-p-');
    fs.writeFileSync(path.join(dir2, 'dump.rdb'), good.subarray(0, good.length - 100));
    const b = engineFails(dir2, P + 8);
    expect(b.code).toBe(1);
    expect(b.out).toContain('Unexpected EOF reading RDB file');
    // An unreadable dump.rdb (here a directory) is named with strerror's words, in Redis's log format.
    const dir3 = tmpDir('kvctl-p-');
    fs.mkdirSync(path.join(dir3, 'dump.rdb'));
    const d = engineFails(dir3, P + 9);
    expect(d.code).toBe(1);
    expect(d.out).toMatch(/^\d+:M \d\d \w{3} \d{4} [\d:.]+ # Fatal error loading the DB from .*dump\.rdb: Is a directory\. Exiting\.$/m);
  });
});
