// The multi-part AOF: directories written by the engine pass redis-check-aof and load in redis-server
// (and the reverse), acknowledged writes survive kill -9 with appendfsync always, truncated files
// follow aof-load-truncated, and CONFIG SET appendonly yes starts an AOF at runtime.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ENGINE_MAIN, startEngine, startRedis, stopAll, tmpDir } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { RespClient } from '../helpers/resp.js';
import { contents, fillDataset, withClient } from '../compat/persistence-kit.js';

const P = PORTS.persistence + 200; // this file: P+0 .. P+19

afterAll(stopAll);

async function waitFor(c: RespClient, field: string, value: string): Promise<void> {
  const end = Date.now() + 20_000;
  for (;;) {
    const r = (await c.call(['INFO', 'persistence'])) as { v: string };
    if (r.v.includes(`${field}:${value}\r\n`)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${field}:${value}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

function copyDir(from: string): string {
  const dir = tmpDir('kvctl-p-');
  fs.cpSync(path.join(from, 'appendonlydir'), path.join(dir, 'appendonlydir'), { recursive: true });
  return dir;
}

function checkAof(dir: string): string {
  return execFileSync('redis-check-aof', [path.join(dir, 'appendonlydir', 'appendonly.aof.manifest')], { encoding: 'utf8' });
}

/** Dataset, a rewrite, then more writes landing in the new incr file. */
async function writeWithRewrite(c: RespClient): Promise<void> {
  await fillDataset(c);
  await c.call(['BGREWRITEAOF']);
  await waitFor(c, 'aof_rewrite_in_progress', '0');
  await c.call(['SET', 'after', 'rewrite']);
  await c.call(['RPUSH', 'list:small', 'tail']);
  await c.call(['SELECT', '5']);
  await c.call(['HSET', 'db5', 'f', 'v']);
  await c.call(['SELECT', '0']);
}

describe('AOF', () => {
  for (const preamble of ['yes', 'no']) {
    it(`engine AOF (aof-use-rdb-preamble ${preamble}) passes redis-check-aof and loads in redis-server`, async () => {
      const port = P + (preamble === 'yes' ? 0 : 2);
      const e = await startEngine(port, { args: ['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble] });
      const want = await withClient(port, async (c) => {
        await writeWithRewrite(c);
        await waitFor(c, 'aof_buffer_length', '0'); // the last batch is in the file
        return contents(c);
      });
      const dir = copyDir(e.dir);
      expect(checkAof(dir)).toContain('All AOF files and manifest are valid');
      await startRedis(port + 1, { dir, args: ['--appendonly', 'yes'] });
      expect(await withClient(port + 1, (c) => contents(c))).toEqual(want);
    });
  }

  it('a redis-server AOF directory loads in the engine with identical contents', async () => {
    const r = await startRedis(P + 4, { args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    const want = await withClient(P + 4, async (c) => {
      await writeWithRewrite(c);
      return contents(c);
    });
    const dir = copyDir(r.dir);
    const e = await startEngine(P + 5, { dir, args: ['--appendonly', 'yes'] });
    expect(await withClient(P + 5, (c) => contents(c))).toEqual(want);
    expect(e.output()).toMatch(/DB loaded from append only file: \d+\.\d{3} seconds/);
  });

  it('with appendfsync always every acknowledged write survives kill -9', async () => {
    const dir = tmpDir('kvctl-p-');
    const args = ['--appendonly', 'yes', '--appendfsync', 'always'];
    const e = await startEngine(P + 6, { dir, args });
    const conns = await Promise.all([0, 1, 2, 3].map(() => RespClient.connect(P + 6)));
    const acked: number[] = [];
    let stop = false;
    const writers = conns.map(async (c, w) => {
      for (let i = w; !stop; i += 4) {
        const r = await c.call(['SET', `k:${i}`, String(i)], 2000).catch(() => null);
        if (r?.t !== 'simple') return;
        acked.push(i);
      }
    });
    // Kill mid-stream once enough writes were acknowledged (a count, not a duration: CI may be slow).
    for (let waited = 0; acked.length < 200 && waited < 20_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    const exited = new Promise((r) => e.child.once('exit', r));
    process.kill(e.pid, 'SIGKILL');
    await exited;
    stop = true;
    await Promise.all(writers);
    for (const c of conns) c.close();
    expect(acked.length).toBeGreaterThan(50);
    await startEngine(P + 6, { dir, args });
    const missing = await withClient(P + 6, async (c2) => {
      const out: number[] = [];
      for (const i of acked) {
        const r = await c2.call(['GET', `k:${i}`]);
        if (r.t !== 'bulk' || r.v !== String(i)) out.push(i);
      }
      return out;
    });
    expect(missing).toEqual([]);
  });

  it('a truncated AOF loads up to the cut with aof-load-truncated yes, and stops the engine with no', async () => {
    const e = await startEngine(P + 7, { args: ['--appendonly', 'yes'] });
    await withClient(P + 7, async (c) => {
      await c.call(['SET', 'a', '1']);
      await c.call(['SET', 'b', '2']);
      await waitFor(c, 'aof_buffer_length', '0');
    });
    const dir = copyDir(e.dir);
    const incr = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    fs.appendFileSync(incr, '*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$');
    const failed = spawnSync(process.execPath, [ENGINE_MAIN, '--port', String(P + 8), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--aof-load-truncated', 'no'], { encoding: 'utf8', timeout: 20_000 });
    expect(failed.status).toBe(1);
    expect(`${failed.stdout}${failed.stderr}`).toContain('Unexpected end of file reading the append only file appendonly.aof.1.incr.aof');
    const ok = await startEngine(P + 8, { dir, args: ['--appendonly', 'yes', '--aof-load-truncated', 'yes'] });
    // The engine listens before it loads (as Redis does): wait for the load's log line.
    for (let i = 0; i < 500 && !ok.output().includes('Ready to accept connections'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(ok.output()).toContain('AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled');
    await withClient(P + 8, async (c) => {
      expect(((await c.call(['MGET', 'a', 'b', 'c'])) as { v: unknown }).v).toEqual([{ t: 'bulk', v: '1' }, { t: 'bulk', v: '2' }, { t: 'bulk', v: null }]);
    });
  });

  it('CONFIG SET appendonly yes writes a base and appends from then on', async () => {
    const dir = tmpDir('kvctl-p-');
    const e = await startEngine(P + 9, { dir });
    await withClient(P + 9, async (c) => {
      await c.call(['SET', 'before', '1']);
      expect(await c.call(['CONFIG', 'SET', 'appendonly', 'yes'])).toEqual({ t: 'simple', v: 'OK' });
      await waitFor(c, 'aof_rewrite_in_progress', '0');
      await c.call(['SET', 'after', '2']);
      await waitFor(c, 'aof_enabled', '1');
      await waitFor(c, 'aof_buffer_length', '0'); // written before the kill below
    });
    await e.stop();
    await startEngine(P + 9, { dir, args: ['--appendonly', 'yes'] });
    await withClient(P + 9, async (c) => {
      expect(((await c.call(['MGET', 'before', 'after'])) as { v: unknown }).v).toEqual([{ t: 'bulk', v: '1' }, { t: 'bulk', v: '2' }]);
    });
  });
});
