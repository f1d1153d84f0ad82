// HyperLogLog against redis-server 7.0: replies, errors and the value's bytes (GET) after every step,
// through sparse growth, promotion to dense at hll-sparse-max-bytes, merges of mixed encodings and
// corrupt values; then keys moved between the servers by DUMP/RESTORE, RDB files and replication.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { diff, script, usePair } from './harness.js';
import { startEngine, startRedis, stopAll, tmpDir } from '../helpers/procs.js';
import { RespClient } from '../helpers/resp.js';

const P = 11700; // this file: 11700-11719

/** PFADD batches of `per` elements named prefix0..prefixN, each followed by GET, PFCOUNT and GET. */
function batches(key: string, prefix: string, n: number, per: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < n; i += per) {
    out.push(['PFADD', key, ...Array.from({ length: Math.min(per, n - i) }, (_, k) => `${prefix}${i + k}`)]);
    out.push(['GET', key]);
    out.push(['PFCOUNT', key]);
    out.push(['GET', key]);
  }
  return out;
}

describe('HyperLogLog commands match redis-server byte for byte', () => {
  const pair = usePair(P, ['--enable-debug-command', 'yes']);

  it('PFADD/PFCOUNT: sparse values, cached cardinality, promotion to dense', async () => {
    expect(await diff(pair, script(`
      FLUSHALL
      PFADD h
      GET h
      PFCOUNT h
      PFADD h a
      PFADD h a
      GET h
      PFCOUNT h
      GET h
      PFDEBUG ENCODING h
      PFDEBUG DECODE h
      PFCOUNT nokey
      PFCOUNT nokey h
    `))).toEqual([]);
    // small batches keep it sparse for a long time; 1, 7, 50 and 500 per call walk every split case
    expect(await diff(pair, batches('s1', 'x', 300, 1))).toEqual([]);
    expect(await diff(pair, batches('s7', 'el-', 2000, 7))).toEqual([]);
    expect(await diff(pair, [['PFDEBUG', 'DECODE', 's7'], ['PFDEBUG', 'ENCODING', 's7']])).toEqual([]);
    expect(await diff(pair, batches('s50', 'member:', 6000, 50))).toEqual([]);
    expect(await diff(pair, batches('big', '', 100000, 5000))).toEqual([]);
    expect(await diff(pair, [['PFDEBUG', 'ENCODING', 'big'], ['PFDEBUG', 'DECODE', 'big'], ['STRLEN', 'big'], ['OBJECT', 'ENCODING', 'big']])).toEqual([]);
  });

  it('hll-sparse-max-bytes moves the promotion point; PFDEBUG TODENSE and GETREG', async () => {
    expect(await diff(pair, [
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', '60'],
      ...batches('small', 'q', 80, 3),
      ['PFDEBUG', 'ENCODING', 'small'],
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'],
      ['PFADD', 'td', 'a', 'b', 'c'],
      ['PFDEBUG', 'TODENSE', 'td'],
      ['PFDEBUG', 'TODENSE', 'td'],
      ['GET', 'td'],
      ['PFADD', 'gr', 'a', 'b', 'c'],
      ['PFDEBUG', 'GETREG', 'gr'],
      ['PFDEBUG', 'ENCODING', 'gr'],
      ['GET', 'gr'],
      ['PFDEBUG', 'DECODE', 'gr'],
      ['PFDEBUG', 'NOPE', 'gr'],
      ['PFDEBUG', 'ENCODING', 'nokey'],
      ['PFDEBUG', 'ENCODING'],
    ])).toEqual([]);
  });

  it('PFMERGE and multi-key PFCOUNT over sparse and dense inputs', async () => {
    expect(await diff(pair, [
      ...batches('m1', 'a', 300, 100),
      ...batches('m2', 'b', 5000, 2500),
      ['PFADD', 'm3', 'x', 'y', 'z'],
      ['PFCOUNT', 'm1', 'm2', 'm3', 'nokey'],
      ['PFMERGE', 'dest', 'm1', 'm3'],
      ['GET', 'dest'],
      ['PFCOUNT', 'dest'],
      ['PFMERGE', 'dest2', 'm1', 'm2'],
      ['GET', 'dest2'],
      ['PFCOUNT', 'dest2'],
      ['PFMERGE', 'm3', 'm1'],
      ['GET', 'm3'],
      ['PFMERGE', 'empty'],
      ['GET', 'empty'],
      ['PFMERGE', 'empty', 'nokey1', 'nokey2'],
      ['EXISTS', 'empty'],
      ['PFCOUNT', 'm1', 'm1'],
    ])).toEqual([]);
  });

  it('wrong types, non-HLL strings and corrupt HLLs give Redis errors', async () => {
    const sparseBad = Buffer.concat([Buffer.from('HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80', 'latin1'), Buffer.from([0x7f, 0xff, 0x01])]);
    const sparseShort = Buffer.concat([Buffer.from('HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80', 'latin1'), Buffer.from([0x7f, 0xf0])]);
    const denseShort = Buffer.concat([Buffer.from('HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80', 'latin1'), Buffer.alloc(100)]);
    const badEnc = Buffer.from('HYLL\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00', 'latin1');
    expect(await diff(pair, [
      ['FLUSHALL'],
      ['LPUSH', 'list', 'a'],
      ['PFADD', 'list', 'a'],
      ['PFCOUNT', 'list'],
      ['PFCOUNT', 'nokey', 'list'],
      ['PFMERGE', 'list', 'nokey'],
      ['PFMERGE', 'x', 'list'],
      ['PFDEBUG', 'GETREG', 'list'],
      ['SET', 'str', 'hello world, not an HLL'],
      ['PFADD', 'str', 'a'],
      ['PFCOUNT', 'str'],
      ['SET', 'int', '12345'],
      ['PFADD', 'int', 'a'],
      ['SET', 'bad', sparseBad],
      ['PFCOUNT', 'bad'],
      ['PFADD', 'bad', 'a', 'b', 'c'],
      ['PFCOUNT', 'bad', 'nokey'],
      ['PFMERGE', 'x', 'bad'],
      ['PFDEBUG', 'TODENSE', 'bad'],
      ['SET', 'short', sparseShort],
      ['PFCOUNT', 'short'],
      ['PFADD', 'short', 'a', 'b'],
      ['GET', 'short'],
      ['SET', 'dshort', denseShort],
      ['PFCOUNT', 'dshort'],
      ['SET', 'badenc', badEnc],
      ['PFADD', 'badenc', 'x'],
      ['PFADD'],
    ])).toEqual([]);
  });

  it('PFSELFTEST passes', async () => {
    expect(await diff(pair, [['PFSELFTEST'], ['PFSELFTEST', 'x']])).toEqual([]);
  });
});

describe('HLL keys move between redis-server and the engine', () => {
  afterAll(stopAll);

  async function fill(c: RespClient): Promise<void> {
    await c.call(['PFADD', 'sparse', ...Array.from({ length: 120 }, (_, i) => `s${i}`)]);
    await c.call(['PFADD', 'dense', ...Array.from({ length: 20000 }, (_, i) => `d${i}`)]);
    await c.call(['PFADD', 'stale', 'a', 'b']);
    await c.call(['PFCOUNT', 'sparse']);
    await c.call(['PFCOUNT', 'dense']);
  }

  /** What both servers must agree on for the moved keys, plus a merge of a local key into them. */
  async function probe(c: RespClient, prefix = ''): Promise<string[]> {
    const out: string[] = [];
    for (const k of ['sparse', 'dense', 'stale']) {
      out.push(JSON.stringify(await c.call(['GET', prefix + k])));
      out.push(JSON.stringify(await c.call(['PFCOUNT', prefix + k])));
    }
    await c.call(['PFADD', 'local', 'l1', 'l2', 's3', 'd7']);
    out.push(JSON.stringify(await c.call(['PFMERGE', 'merged', 'local', prefix + 'sparse', prefix + 'dense'])));
    out.push(JSON.stringify(await c.call(['GET', 'merged'])));
    out.push(JSON.stringify(await c.call(['PFCOUNT', 'merged', prefix + 'stale'])));
    out.push(JSON.stringify(await c.call(['PFADD', prefix + 'sparse', 'new1', 'new2'])));
    out.push(JSON.stringify(await c.call(['GET', prefix + 'sparse'])));
    return out;
  }

  it('DUMP/RESTORE both ways', async () => {
    await Promise.all([startRedis(P + 10), startEngine(P + 11)]);
    const redis = await RespClient.connect(P + 10);
    const engine = await RespClient.connect(P + 11);
    try {
      await fill(redis);
      await fill(engine);
      for (const k of ['sparse', 'dense', 'stale']) {
        const a = await redis.call(['DUMP', k]);
        const b = await engine.call(['DUMP', k]);
        if (a.t !== 'bulk' || b.t !== 'bulk') throw new Error('DUMP failed');
        expect(await engine.call(['RESTORE', `r:${k}`, '0', Buffer.from(a.v as string, 'latin1')])).toEqual({ t: 'simple', v: 'OK' });
        expect(await redis.call(['RESTORE', `r:${k}`, '0', Buffer.from(b.v as string, 'latin1')])).toEqual({ t: 'simple', v: 'OK' });
      }
      expect(await probe(engine, 'r:')).toEqual(await probe(redis, 'r:'));
      expect(await probe(engine)).toEqual(await probe(redis));
    } finally {
      redis.close();
      engine.close();
    }
  });

  it('RDB files both ways', async () => {
    const r = await startRedis(P + 12);
    const e = await startEngine(P + 13);
    for (const port of [P + 12, P + 13]) {
      const c = await RespClient.connect(port);
      await fill(c);
      await c.call(['SAVE']);
      c.close();
    }
    const toEngine = tmpDir('kvctl-hll-');
    const toRedis = tmpDir('kvctl-hll-');
    fs.copyFileSync(path.join(r.dir, 'dump.rdb'), path.join(toEngine, 'dump.rdb'));
    fs.copyFileSync(path.join(e.dir, 'dump.rdb'), path.join(toRedis, 'dump.rdb'));
    await Promise.all([startEngine(P + 14, { dir: toEngine }), startRedis(P + 15, { dir: toRedis })]);
    const results: string[][] = [];
    for (const port of [P + 12, P + 13, P + 14, P + 15]) {
      const c = await RespClient.connect(port);
      results.push(await probe(c));
      c.close();
    }
    expect(results[2]).toEqual(results[0]); // redis's file, loaded by the engine
    expect(results[3]).toEqual(results[1]); // the engine's file, loaded by redis
    expect(results[1]).toEqual(results[0]);
  });

  it('replication both ways', async () => {
    await Promise.all([startRedis(P + 16), startEngine(P + 17), startEngine(P + 18), startRedis(P + 19)]);
    const c = async (p: number) => RespClient.connect(p);
    const [rm, er, em, rr] = await Promise.all([c(P + 16), c(P + 17), c(P + 18), c(P + 19)]);
    try {
      await er.call(['REPLICAOF', '127.0.0.1', String(P + 16)]);
      await rr.call(['REPLICAOF', '127.0.0.1', String(P + 18)]);
      for (const m of [rm, em]) {
        await m.call(['PFADD', 'before', 'a', 'b', 'c']);
        await m.call(['PFCOUNT', 'before']);
      }
      for (let i = 0; i < 100; i++) {
        const [a, b] = await Promise.all([rm.call(['INFO', 'replication']), em.call(['INFO', 'replication'])]);
        if (/connected_slaves:1/.test(JSON.stringify(a)) && /connected_slaves:1/.test(JSON.stringify(b))) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      for (const m of [rm, em]) {
        await fill(m);
        await m.call(['PFMERGE', 'merged', 'sparse', 'dense']);
        // The first sync may still be running (redis-server waits repl-diskless-sync-delay, 5 s, before it
        // starts): WAIT until the replica has acknowledged everything.
        expect(await m.call(['WAIT', '1', '30000'])).toEqual({ t: 'int', v: '1' });
      }
      const read = async (x: RespClient) => Promise.all(['before', 'sparse', 'dense', 'stale', 'merged'].map(async (k) => JSON.stringify(await x.call(['GET', k]))));
      const want = await read(rm);
      expect(await read(er)).toEqual(want); // engine replica of redis-server
      expect(await read(em)).toEqual(want);
      expect(await read(rr)).toEqual(want); // redis-server replica of the engine
    } finally {
      for (const x of [rm, er, em, rr]) x.close();
    }
  }, 60_000);
});
