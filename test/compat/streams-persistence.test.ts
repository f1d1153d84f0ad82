// Streams in RDB, DUMP/RESTORE and AOF, both ways with redis-server 7.0: files and payloads written by
// either side load in the other with the same entries, counters, groups, consumers and PELs
// (delivery and seen times included), and engine dumps pass redis-check-rdb.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startEngine, startRedis, stopAll, tmpDir } from '../helpers/procs.js';
import { RespClient, type Reply } from '../helpers/resp.js';

const P = 11420; // this file: 11420-11439

afterAll(stopAll);

/** Streams with deletions, trims, groups, pending entries, an idle consumer and an empty stream. */
const SETUP: string[][] = [
  ...Array.from({ length: 250 }, (_, i) => ['XADD', 'big', `${1000 + i}-${i % 3}`, 'field', `v${i}`, ...(i % 7 === 0 ? ['extra', String(i * 1000)] : [])]),
  ['XDEL', 'big', '1003-0', '1010-1', '1200-2'],
  ['XTRIM', 'big', 'MAXLEN', '240'],
  ['XGROUP', 'CREATE', 'big', 'g1', '0'],
  ['XGROUP', 'CREATE', 'big', 'g2', '$', 'ENTRIESREAD', '250'],
  ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '5', 'STREAMS', 'big', '>'],
  ['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '3', 'STREAMS', 'big', '>'],
  ['XCLAIM', 'big', 'g1', 'carol', '0', '1011-2', 'TIME', '1700000000000', 'RETRYCOUNT', '9'],
  ['XACK', 'big', 'g1', '1012-0'],
  ['XGROUP', 'CREATECONSUMER', 'big', 'g1', 'idle'],
  ['XADD', 'small', '1-1', 'a', '1', 'b', 'hello'],
  ['XADD', 'small', '18446744073709551615-5', 'a', '-12345678901234'],
  ['XADD', 'empty', '5-5', 'x', 'y'],
  ['XDEL', 'empty', '5-5'],
  ['XGROUP', 'CREATE', 'empty', 'g', '$'],
  ['XADD', 'ttl', '1-1', 'k', 'v'],
  ['PEXPIREAT', 'ttl', '9999999999999'],
];

async function fill(c: RespClient): Promise<void> {
  for (const cmd of SETUP) {
    const r = await c.call(cmd);
    if (r.t === 'error') throw new Error(`${cmd.join(' ')}: ${r.v}`);
  }
}

/** Everything observable about the streams, clocks relative to now left out. */
async function contents(c: RespClient): Promise<Reply[]> {
  const out: Reply[] = [];
  for (const k of ['big', 'small', 'empty', 'ttl']) {
    out.push(await c.call(['TYPE', k]), await c.call(['PEXPIRETIME', k]), await c.call(['XRANGE', k, '-', '+']));
    out.push(await c.call(['XINFO', 'STREAM', k, 'FULL', 'COUNT', '0']));
    out.push(await c.call(['XINFO', 'GROUPS', k]));
  }
  return out;
}

/** Waits until the server answers commands (not LOADING). */
async function loaded(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const r = await withClient(port, (c) => c.call(['PING']));
    if (r.t !== 'error') return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`port ${port} stays LOADING`);
}

async function withClient<T>(port: number, fn: (c: RespClient) => Promise<T>): Promise<T> {
  const c = await RespClient.connect(port);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

describe('streams in RDB, DUMP and AOF, with redis-server 7.0', () => {
  it('an engine dump passes redis-check-rdb and loads in redis-server with the same streams', async () => {
    const e = await startEngine(P);
    const want = await withClient(P, async (c) => {
      await fill(c);
      expect(await c.call(['SAVE'])).toEqual({ t: 'simple', v: 'OK' });
      return contents(c);
    });
    expect(execFileSync('redis-check-rdb', [path.join(e.dir, 'dump.rdb')], { encoding: 'utf8' })).toContain('RDB looks OK');
    const dir = tmpDir('kvctl-streams-');
    fs.copyFileSync(path.join(e.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    await startRedis(P + 1, { dir });
    expect(await withClient(P + 1, contents)).toEqual(want);
  });

  it('a redis-server dump loads in the engine with the same streams, and saves again identically', async () => {
    const r = await startRedis(P + 2);
    const want = await withClient(P + 2, async (c) => {
      await fill(c);
      await c.call(['SAVE']);
      return contents(c);
    });
    const dir = tmpDir('kvctl-streams-');
    fs.copyFileSync(path.join(r.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    await startEngine(P + 3, { dir });
    expect(await withClient(P + 3, contents)).toEqual(want);
    // The engine keeps Redis's own node listpacks: its DUMP of each stream is byte-identical.
    for (const k of ['big', 'small', 'empty']) {
      const a = await withClient(P + 2, (c) => c.call(['DUMP', k]));
      const b = await withClient(P + 3, (c) => c.call(['DUMP', k]));
      expect(b, k).toEqual(a);
    }
  });

  it('DUMP/RESTORE payloads cross over both ways', async () => {
    await startRedis(P + 4);
    await startEngine(P + 5);
    await withClient(P + 4, fill);
    await withClient(P + 5, fill);
    for (const [from, to] of [[P + 4, P + 5], [P + 5, P + 4]]) {
      for (const k of ['big', 'small', 'empty']) {
        const payload = await withClient(from, (c) => c.call(['DUMP', k]));
        if (payload.t !== 'bulk' || payload.v === null) throw new Error(`DUMP ${k}`);
        const restored = await withClient(to, (c) => c.call(['RESTORE', `copy:${k}`, '0', Buffer.from(String(payload.v), 'latin1')]));
        expect(restored).toEqual({ t: 'simple', v: 'OK' });
        const [a, b] = await Promise.all([withClient(from, (c) => c.call(['XINFO', 'STREAM', k, 'FULL'])), withClient(to, (c) => c.call(['XINFO', 'STREAM', `copy:${k}`, 'FULL']))]);
        expect(b).toEqual(a);
        await withClient(to, (c) => c.call(['DEL', `copy:${k}`]));
      }
    }
    const bad = await withClient(P + 5, (c) => c.call(['RESTORE', 'x', '0', Buffer.from('\x13\x01garbage\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00', 'latin1')]));
    expect(bad.t).toBe('error');
  });

  it('an AOF rewrite (no RDB preamble) restores the streams in the engine and in redis-server', async () => {
    const dir = tmpDir('kvctl-streams-');
    const args = ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no'];
    const e = await startEngine(P + 6, { dir, args });
    const want = await withClient(P + 6, async (c) => {
      await fill(c);
      expect((await c.call(['BGREWRITEAOF'])).t).toBe('simple');
      for (let i = 0; i < 200; i++) {
        const info = await c.call(['INFO', 'persistence']);
        if (info.t === 'bulk' && /aof_rewrite_in_progress:0/.test(String(info.v)) && /aof_rewrite_scheduled:0/.test(String(info.v))) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      return contents(c);
    });
    await e.stop();
    await startEngine(P + 7, { dir, args });
    await loaded(P + 7);
    const got = await withClient(P + 7, contents);
    // XCLAIM ... FORCE on replay sets seen-time to the replay time: compare all but consumers' seen-time.
    const norm = (rs: Reply[]) => JSON.stringify(rs).replace(/"seen-time"\},\{"t":"int","v":"\d+"/g, '"seen-time"},"T"');
    expect(norm(got)).toEqual(norm(want));
    const copy = tmpDir('kvctl-streams-');
    fs.cpSync(path.join(dir, 'appendonlydir'), path.join(copy, 'appendonlydir'), { recursive: true });
    await startRedis(P + 8, { dir: copy, args });
    await loaded(P + 8);
    expect(norm(await withClient(P + 8, contents))).toEqual(norm(want));
  });
});
