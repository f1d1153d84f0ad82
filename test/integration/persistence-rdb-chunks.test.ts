// The start-up load reads dump.rdb in chunks of loading-process-events-interval-bytes, the next one
// read while the one before decodes, into two buffers used in turn. With 1 KB chunks every encoding
// of a redis-server dump (items cut at chunk ends, values longer than several chunks, a stream with a
// consumer group) must load exactly as written, and a damaged file must fail with the very error the
// whole-file decode gives (same offsets in the message).
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ENGINE_MAIN, startEngine, startRedis, stopAll, tmpDir } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { RespClient } from '../helpers/resp.js';
import { contents, fillDataset, withClient } from '../compat/persistence-kit.js';
import { parseRdb, writeDbHeader, type LoadedRdb } from '../../src/engine/persistence/rdb.js';
import { RdbWriter, writeEntry } from '../../src/engine/persistence/rdb-writer.js';

const P = PORTS.persistence + 410; // this file: 12410 .. 12429
const SMALL_CHUNKS = ['--loading-process-events-interval-bytes', '1024'];
const OPTS = { databases: 16, dropExpired: false, now: 0 };

afterAll(stopAll);

/** n pseudo-random bytes (a fixed sequence): LZF cannot shrink them, so they are stored raw. */
function noise(n: number): Buffer {
  let seed = 12345;
  return Buffer.from(Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) % 2147483648) >> 16));
}

/** The dataset of every type, plus values spanning many 1 KB chunks and a stream with a group. */
async function fill(c: RespClient): Promise<void> {
  await fillDataset(c);
  const cmds: (string | Buffer)[][] = [
    ['SET', 'str:long', noise(13_000)], // longer than many chunks
    ...Array.from({ length: 20 }, (_, i) => ['SET', `str:noise:${i}`, noise(300 + i)]), // some inside one chunk
    ['SET', 'str:huge', 'z'.repeat(200_000)], // LZF-compressed, still longer than a chunk
    ['RPUSH', 'list:long', ...Array.from({ length: 50 }, (_, i) => `${i}`.repeat(200))],
    ['XADD', 'stream', '1-1', 'a', '1'],
    ['XADD', 'stream', '2-1', 'b', '2', 'c', '3'],
    ['XGROUP', 'CREATE', 'stream', 'g', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>'],
  ];
  for (const cmd of cmds) {
    const r = await c.call(cmd);
    if (r.t === 'error') throw new Error(`${String(cmd[0])}: ${r.v}`);
  }
}

async function snapshot(c: RespClient): Promise<unknown[]> {
  return [await contents(c), await c.call(['XRANGE', 'stream', '-', '+']), await c.call(['XPENDING', 'stream', 'g'])];
}

/** A decoded file's entries written out again (by the engine's RDB writer). */
function serialized(rdb: LoadedRdb): Buffer {
  const w = new RdbWriter({ compress: false, listMaxListpackSize: -2 });
  for (const [id, db] of rdb.dbs) {
    writeDbHeader(w, id, db.data.size, db.expires.size);
    for (const [k, v] of db.data) writeEntry(w, k, v, db.expires.get(k));
  }
  return Buffer.concat(w.finish());
}

/** Starts the engine (1 KB chunks) on `dir`, which must stop it with exit 1; its output. */
function fatalOutput(dir: string, port: number): string {
  const r = spawnSync(process.execPath, [ENGINE_MAIN, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...SMALL_CHUNKS], { encoding: 'utf8', timeout: 20_000 });
  expect(r.status).toBe(1);
  return `${r.stdout}${r.stderr}`;
}

function dirWith(data: Buffer): string {
  const dir = tmpDir('kvctl-chunks-');
  fs.writeFileSync(path.join(dir, 'dump.rdb'), data);
  return dir;
}

describe('start-up load of dump.rdb in chunks', () => {
  let good: Buffer;
  let want: unknown[];

  it('a redis-server dump loads in 1 KB chunks (and default ones) with identical contents', async () => {
    const r = await startRedis(P);
    want = await withClient(P, async (c) => {
      await fill(c);
      await c.call(['SAVE']);
      return snapshot(c);
    });
    good = fs.readFileSync(path.join(r.dir, 'dump.rdb'));
    expect(good.length).toBeGreaterThan(20 * 1024);
    await startEngine(P + 1, { dir: dirWith(good), args: SMALL_CHUNKS });
    expect(await withClient(P + 1, snapshot)).toEqual(want);
    await startEngine(P + 2, { dir: dirWith(good) });
    expect(await withClient(P + 2, snapshot)).toEqual(want);
  });

  it('nothing decoded shares the input\'s memory (a chunk\'s buffer is read into again)', () => {
    const input = Buffer.from(good);
    const loaded = parseRdb(input, OPTS);
    input.fill(0xaa);
    expect(serialized(loaded)).toEqual(serialized(parseRdb(good, OPTS)));
  });

  it('an engine dump saved from a chunked load loads again the same', async () => {
    const e = await startEngine(P + 3, { dir: dirWith(good), args: SMALL_CHUNKS });
    await withClient(P + 3, async (c) => expect((await c.call(['SAVE'])).t).toBe('simple'));
    const again = fs.readFileSync(path.join(e.dir, 'dump.rdb'));
    await startEngine(P + 4, { dir: dirWith(again), args: SMALL_CHUNKS });
    expect(await withClient(P + 4, snapshot)).toEqual(want);
  });

  it('an AOF whose base is an RDB (read whole, then sliced) loads the same, with 1 KB slices', async () => {
    const dir = tmpDir('kvctl-chunks-');
    const aof = ['--appendonly', 'yes', ...SMALL_CHUNKS];
    const first = await startEngine(P + 13, { dir, args: aof });
    const before = await withClient(P + 13, async (c) => {
      await fill(c);
      expect((await c.call(['BGREWRITEAOF'])).t).toBe('simple');
      const rewriting = async () => {
        const info = await c.call(['INFO', 'persistence']);
        return !/aof_rewrite_in_progress:0\r\n[\s\S]*aof_rewrite_scheduled:0/.test('v' in info ? String(info.v) : '');
      };
      for (let i = 0; i < 500 && (await rewriting()); i++) await new Promise((r) => setTimeout(r, 20));
      await c.call(['SET', 'after:rewrite', 'x']); // replayed from the incr file after the base
      return snapshot(c);
    });
    await first.stop();
    await startEngine(P + 14, { dir, args: aof });
    expect(await withClient(P + 14, snapshot)).toEqual(before);
  });

  it('SIGTERM during the chunked load stops it: exit 0, no final save, the file untouched', async () => {
    const dir = dirWith(good);
    const e = await startEngine(P + 15, { dir, args: [...SMALL_CHUNKS, '--key-load-delay', '50000', '--save', '3600 1'], portOnly: true });
    const c = await RespClient.connect(P + 15);
    const info = await c.call(['INFO', 'persistence']);
    c.close();
    expect('v' in info ? String(info.v) : '').toContain('loading:1');
    const exited = new Promise<number | null>((resolve) => e.child.once('exit', (code) => resolve(code)));
    process.kill(e.pid, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(e.output()).not.toContain('Saving the final RDB snapshot');
    expect(fs.readFileSync(path.join(dir, 'dump.rdb')).equals(good)).toBe(true);
  });

  it('a truncated file fails with the whole-file decode\'s error, offsets included', () => {
    for (const [i, cut] of [9, 1500, Math.floor(good.length / 2), good.length - 5].entries()) {
      const data = good.subarray(0, cut);
      let expected = '';
      try {
        parseRdb(data, OPTS);
      } catch (e) {
        expected = (e as Error).message;
      }
      expect(expected).toMatch(/^Unexpected EOF reading RDB file \(offset \d+/);
      expect(fatalOutput(dirWith(data), P + 5 + i)).toContain(`dump.rdb: ${expected}. Exiting.`);
    }
  });

  it('a flipped byte fails the checksum; an empty file and a directory fail as before', () => {
    const flipped = Buffer.from(good);
    const at = good.indexOf('str:plain'); // a key's name: still decodes, only the checksum catches it
    expect(at).toBeGreaterThan(0);
    flipped[at + 8] ^= 0x01;
    expect(fatalOutput(dirWith(flipped), P + 10)).toMatch(/Fatal error loading the DB from .*dump\.rdb: Wrong RDB checksum expected: \(\w+\) got \(\w+\)\. Aborting now\./);
    expect(fatalOutput(dirWith(Buffer.alloc(0)), P + 11)).toContain('dump.rdb: Wrong signature trying to load DB from file. Exiting.');
    const dir = tmpDir('kvctl-chunks-');
    fs.mkdirSync(path.join(dir, 'dump.rdb'));
    expect(fatalOutput(dir, P + 12)).toMatch(/Fatal error loading the DB from .*dump\.rdb: Is a directory\. Exiting\.$/m);
  });
});
