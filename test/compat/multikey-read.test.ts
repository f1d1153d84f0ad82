// Multi-key string commands arriving in one read, as redis-benchmark's MSET rows send them: the read's
// keys are prefetched (protocol/key-scan.ts finds every key of MSET, MSETNX and MGET), which must
// change no reply and no stored value, whatever the mix: repeated keys within a command, keys of other
// types, names in any case, more keys than the scan takes, a command cut by the end of a write.
import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { encodeCommand, type Reply, type RespClient } from '../helpers/resp.js';

/** Test ports 11930-11949 (this helper's block): redis-server on 11930, the engine on 11931. */
const PORT = 11930;

/** Writes the commands in one write, then reads one reply per command. */
async function pipeline(c: RespClient, cmds: string[][]): Promise<Reply[]> {
  c.writeRaw(Buffer.concat(cmds.map((a) => encodeCommand(a))));
  const out: Reply[] = [];
  for (let i = 0; i < cmds.length; i++) out.push(await c.next());
  return out;
}

/** An array reply of bulk strings (null: a missing key). */
function bulks(...v: (string | null)[]): Reply {
  return { t: 'array', v: v.map((x) => ({ t: 'bulk', v: x })) };
}

/** Both servers' replies to the same pipeline. */
async function both(pair: ReturnType<typeof usePair>, cmds: string[][]): Promise<{ redis: Reply[]; engine: Reply[] }> {
  const [redis, engine] = await Promise.all([pipeline(pair.redis, cmds), pipeline(pair.engine, cmds)]);
  return { redis, engine };
}

describe('multi-key string commands in one read match redis-server', () => {
  const pair = usePair(PORT);

  it('MSET, MSETNX and MGET with repeated keys, other types and any case', async () => {
    const cmds = [
      ['FLUSHALL'],
      ['RPUSH', 'list', 'a'],
      ['MSET', 'k1', 'a', 'k2', 'b', 'k1', 'c'],
      ['mset', 'list', 'now-a-string', 'k3', 'd'],
      ['MsetNx', 'k4', 'e', 'k1', 'f'],
      ['MSETNX', 'k5', 'g', 'k6', 'h', 'k5', 'i'],
      ['MGET', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'list', 'missing', 'k1'],
      ['mget', 'k6'],
      ['MSET', 'k1'],
      ['MSET', 'k1', 'x', 'k2'],
      ['MGET'],
      ['TYPE', 'list'],
      ['DBSIZE'],
    ];
    const { redis, engine } = await both(pair, cmds);
    expect(engine).toEqual(redis);
    expect(engine[6]).toEqual(bulks('c', 'b', 'd', null, 'i', 'h', 'now-a-string', null, 'c'));
  });

  it('a read with more keys than the scan takes, and a command cut by the end of a write', async () => {
    // 40 MSETs of 10 keys (400 keys: the scan keeps 256) then 40 MGETs, in one write.
    const key = (i: number) => `key:${String(i * 7919 % 1000).padStart(12, '0')}`;
    const msets = Array.from({ length: 40 }, (_, j) => ['MSET', ...Array.from({ length: 10 }, (_, i) => [key(j * 10 + i), `v${j}.${i}`]).flat()]);
    const mgets = Array.from({ length: 40 }, (_, j) => ['MGET', ...Array.from({ length: 10 }, (_, i) => key(j * 10 + i))]);
    const { redis, engine } = await both(pair, [['FLUSHALL'], ...msets, ...mgets, ['DBSIZE']]);
    expect(engine).toEqual(redis);
    expect(engine[engine.length - 1]).toEqual({ t: 'int', v: '400' });
    expect(engine[41]).toEqual(bulks(...Array.from({ length: 10 }, (_, i) => `v0.${i}`)));

    // An MSET split inside its keys: the first part alone in a read, the rest in the next.
    const bytes = encodeCommand(['MSET', 'cut1', 'p', 'cut2', 'q', 'cut3', 'r']);
    const at = bytes.indexOf('cut2') + 2;
    for (const c of [pair.redis, pair.engine]) {
      c.writeRaw(bytes.subarray(0, at));
      await new Promise((r) => setTimeout(r, 50));
      c.writeRaw(Buffer.concat([bytes.subarray(at), encodeCommand(['MGET', 'cut1', 'cut2', 'cut3'])]));
    }
    const split = { redis: [await pair.redis.next(), await pair.redis.next()], engine: [await pair.engine.next(), await pair.engine.next()] };
    expect(split.engine).toEqual(split.redis);
    expect(split.engine[1]).toEqual(bulks('p', 'q', 'r'));
  });
});
