// The start-up load as Redis 7.0 serves it: the node listens first, and while dump.rdb or the AOF
// loads, PING (no `loading` flag) gets -LOADING, INFO persistence shows loading:1 with its progress,
// CONFIG GET (flagged `loading`) answers; once loaded every key is there and loading:0. The load is
// slowed with Redis's own test knob key-load-delay, and yields every 1 KB
// (loading-process-events-interval-bytes), so it lasts long enough to be watched.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startEngine, stopAll, tmpDir, type Proc } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { RespClient, type Reply } from '../helpers/resp.js';
import { contents, fillDataset, withClient } from '../compat/persistence-kit.js';
import { Redis } from 'ioredis';

const P = PORTS.persistence + 400; // this file: 12400 .. 12409

afterAll(stopAll);

const KEYS = 5000;
const SLOW_LOAD = ['--key-load-delay', '600', '--loading-process-events-interval-bytes', '1024'];

function text(r: Reply): string {
  if (r.t === 'error' || r.t === 'simple' || r.t === 'bulk' || r.t === 'verbatim') return String(r.v);
  throw new Error(`unexpected reply ${JSON.stringify(r)}`);
}

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)\\r$`, 'm').exec(info)?.[1];
}

async function waitInfo(c: RespClient, name: string, value: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (field(text(await c.call(['INFO', 'persistence'])), name) !== value) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${name}:${value}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What a client sees while the node loads, then once it has loaded; returns the dataset. */
async function watchLoad(port: number, totalBytes: number): Promise<Record<string, unknown>> {
  const c = await RespClient.connect(port);
  try {
    expect(text(await c.call(['PING']))).toBe('LOADING Redis is loading the dataset in memory');
    expect(text(await c.call(['GET', 'key:1']))).toBe('LOADING Redis is loading the dataset in memory');
    const port2 = await c.call(['CONFIG', 'GET', 'port']);
    expect(port2).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'port' }, { t: 'bulk', v: String(port) }] });
    // Progress: loaded bytes grow between two looks while loading:1 stays.
    const first = text(await c.call(['INFO', 'persistence']));
    expect(field(first, 'loading')).toBe('1');
    expect(Number(field(first, 'loading_total_bytes'))).toBe(totalBytes);
    expect(Number(field(first, 'loading_start_time'))).toBeGreaterThan(Date.now() / 1000 - 60);
    await new Promise((r) => setTimeout(r, 300));
    const second = text(await c.call(['INFO', 'persistence']));
    expect(field(second, 'loading')).toBe('1');
    const [b1, b2] = [first, second].map((i) => Number(field(i, 'loading_loaded_bytes')));
    expect(b2).toBeGreaterThan(b1);
    expect(b2).toBeLessThan(totalBytes);
    expect(Number(field(second, 'loading_loaded_perc'))).toBeGreaterThan(0);
    expect(field(second, 'loading_eta_seconds')).toMatch(/^\d+$/);
    // A MULTI's queued command is refused as outside it (the guard runs before queueing).
    expect(text(await c.call(['MULTI']))).toBe('OK');
    expect(text(await c.call(['SET', 'x', '1']))).toBe('LOADING Redis is loading the dataset in memory');
    expect(text(await c.call(['DISCARD']))).toBe('OK');
    await waitInfo(c, 'loading', '0');
    const after = text(await c.call(['INFO', 'persistence']));
    expect(field(after, 'loading_total_bytes')).toBeUndefined();
    expect(text(await c.call(['PING']))).toBe('PONG');
    return await contents(c);
  } finally {
    c.sock.destroy();
  }
}

async function populate(c: RespClient): Promise<void> {
  await fillDataset(c);
  expect(text(await c.call(['DEBUG', 'POPULATE', String(KEYS), 'key', '20']))).toBe('OK');
}

describe('start-up load answers -LOADING', () => {
  it('dump.rdb: -LOADING and progress while it loads, every key after', async () => {
    const dir = tmpDir('kvctl-loading-');
    const args = ['--enable-debug-command', 'yes'];
    let e: Proc = await startEngine(P, { dir, args });
    const want = await withClient(P, async (c) => {
      await populate(c);
      expect(text(await c.call(['SAVE']))).toBe('OK');
      return contents(c);
    });
    await e.stop();
    const size = fs.statSync(path.join(dir, 'dump.rdb')).size;
    const pidfile = path.join(dir, 'loading.pid');
    e = await startEngine(P, { dir, args: [...args, ...SLOW_LOAD, '--pidfile', pidfile], portOnly: true });
    // Written before the load, as Redis does (watchLoad's first PING then still sees -LOADING).
    for (const end = Date.now() + 5000; !fs.existsSync(pidfile) && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
    expect(fs.readFileSync(pidfile, 'utf8')).toBe(`${e.pid}\n`);
    expect(await watchLoad(P, size)).toEqual(want);
    expect(e.output()).toContain(`Done loading RDB, keys loaded: ${Object.keys(want).length}`);
    await e.stop();
  });

  it('multi-part AOF (RDB base + incr): -LOADING and progress while it loads, every key after', async () => {
    const dir = tmpDir('kvctl-loading-');
    const args = ['--enable-debug-command', 'yes', '--appendonly', 'yes', '--aof-use-rdb-preamble', 'yes'];
    let e: Proc = await startEngine(P + 1, { dir, args });
    const want = await withClient(P + 1, async (c) => {
      await populate(c);
      await c.call(['BGREWRITEAOF']);
      await waitInfo(c, 'aof_rewrite_in_progress', '0');
      for (let i = 0; i < 2000; i++) void c.call(['SET', `incr:${i}`, String(i)]);
      expect(await c.call(['INCR', 'incr:0'])).toEqual({ t: 'int', v: '1' });
      await waitInfo(c, 'aof_buffer_length', '0');
      return contents(c);
    });
    await e.stop();
    const aofDir = path.join(dir, 'appendonlydir');
    const size = fs.readdirSync(aofDir).filter((f) => !f.endsWith('.manifest')).reduce((n, f) => n + fs.statSync(path.join(aofDir, f)).size, 0);
    e = await startEngine(P + 1, { dir, args: [...args, ...SLOW_LOAD], portOnly: true });
    expect(await watchLoad(P + 1, size)).toEqual(want);
    await e.stop();
  });

  it('ioredis waits through -LOADING (its ready check reads loading:1) and then serves', async () => {
    const dir = tmpDir('kvctl-loading-');
    const args = ['--enable-debug-command', 'yes'];
    let e: Proc = await startEngine(P + 2, { dir, args });
    await withClient(P + 2, async (c) => {
      expect(text(await c.call(['DEBUG', 'POPULATE', String(KEYS), 'key', '20']))).toBe('OK');
      expect(text(await c.call(['SAVE']))).toBe('OK');
    });
    await e.stop();
    e = await startEngine(P + 2, { dir, args: [...args, ...SLOW_LOAD], portOnly: true });
    const raw = await RespClient.connect(P + 2);
    expect(text(await raw.call(['PING']))).toBe('LOADING Redis is loading the dataset in memory');
    raw.sock.destroy();
    const r = new Redis({ port: P + 2, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await r.connect();
      // ready only once loaded: its first command already sees loading:0 and every key.
      expect(await r.info('persistence')).toContain('loading:0\r\n');
      expect(await r.dbsize()).toBe(KEYS);
      expect(await r.get(`key:${KEYS - 1}`)).toHaveLength(20);
    } finally {
      r.disconnect();
    }
    await e.stop();
  });
});
