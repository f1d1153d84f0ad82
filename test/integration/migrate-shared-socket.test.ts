// MIGRATE over the engine's shared target socket (several clients' MIGRATEs pipelined on one
// connection) answers as redis-server 7.0 does: a batch with one key already on the target, a SELECT
// the target refuses, a target that never answers; and concurrent MIGRATEs with one failing leave every
// other key moved and the failing one in place. Ports 14930-14934 (the reshard block).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, startEngine, startRedis, stopAll } from '../helpers/procs.js';
import { RespClient } from '../helpers/resp.js';

const SRC_ENGINE = 14930;
const SRC_REDIS = 14931;
const TARGET_REDIS = 14932;
const TARGET_ENGINE = 14933;
const SILENT = 14934;

type Reply = { t: string; v?: unknown };

describe.skipIf(!hasRedisServer())('MIGRATE through the shared target socket, as redis-server', () => {
  const sources: Record<'engine' | 'redis', RespClient> = {} as never;
  const targets: Record<'engine' | 'redis', RespClient> = {} as never;
  let silent: net.Server;
  const held: net.Socket[] = [];
  beforeAll(async () => {
    // The targets have 4 databases, so SELECT 9 fails there.
    await Promise.all([
      startEngine(SRC_ENGINE), startRedis(SRC_REDIS),
      startRedis(TARGET_REDIS, { args: ['--databases', '4'] }), startEngine(TARGET_ENGINE, { args: ['--databases', '4'] }),
    ]);
    sources.engine = await RespClient.connect(SRC_ENGINE);
    sources.redis = await RespClient.connect(SRC_REDIS);
    targets.redis = await RespClient.connect(TARGET_REDIS);
    targets.engine = await RespClient.connect(TARGET_ENGINE);
    // Accepts connections and never answers (nor reads).
    silent = net.createServer((s) => { held.push(s); s.pause(); });
    await new Promise<void>((r) => silent.listen(SILENT, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const c of [...Object.values(sources), ...Object.values(targets)]) c.close();
    for (const s of held) s.destroy();
    await new Promise((r) => silent.close(r));
    await stopAll();
  });

  /** The same steps from an engine source and from a redis-server source, to the given target. */
  async function both(run: (src: RespClient, p: string) => Promise<unknown>): Promise<{ engine: unknown; redis: unknown }> {
    return { engine: await run(sources.engine, 'e'), redis: await run(sources.redis, 'r') };
  }

  const exists = async (c: RespClient, keys: string[]) => Promise.all(keys.map(async (k) => (await c.call(['EXISTS', k]) as Reply).v));

  for (const kind of ['redis', 'engine'] as const) {
    const port = kind === 'redis' ? TARGET_REDIS : TARGET_ENGINE;
    it(`a batch with one key already on the ${kind} target: BUSYKEY, the others moved`, async () => {
      const t = targets[kind];
      const got = await both(async (src, p) => {
        const keys = Array.from({ length: 10 }, (_, i) => `${p}:${kind}:busy:${i}`);
        for (const k of keys) await src.call(['SET', k, k]);
        await t.call(['SET', keys[5]!, 'already']);
        const reply = await src.call(['MIGRATE', '127.0.0.1', String(port), '', '0', '5000', 'KEYS', ...keys]);
        return { reply, onSource: await exists(src, keys), onTarget: await Promise.all(keys.map(async (k) => (await t.call(['GET', k]) as Reply).v === k)) };
      });
      expect(got.engine).toEqual(got.redis);
      expect(got.engine).toMatchObject({ reply: { t: 'error', v: expect.stringMatching(/^ERR Target instance replied with error: BUSYKEY/) } });
    });

    it(`a SELECT the ${kind} target refuses: the error, keys kept; the next MIGRATE selects again`, async () => {
      const t = targets[kind];
      const got = await both(async (src, p) => {
        const keys = [`${p}:${kind}:db:a`, `${p}:${kind}:db:b`, `${p}:${kind}:db:c`];
        for (const k of keys) await src.call(['SET', k, k]);
        const first = await src.call(['MIGRATE', '127.0.0.1', String(port), keys[0]!, '1', '5000']);
        const refused = await src.call(['MIGRATE', '127.0.0.1', String(port), keys[1]!, '9', '5000']);
        const again = await src.call(['MIGRATE', '127.0.0.1', String(port), keys[2]!, '1', '5000']);
        await t.call(['SELECT', '1']);
        const inDb1 = await exists(t, keys);
        await t.call(['SELECT', '0']);
        return { first, refused, again, onSource: await exists(src, keys), inDb1 };
      });
      expect(got.engine).toEqual(got.redis);
      expect(got.engine).toMatchObject({ refused: { t: 'error', v: 'ERR Target instance replied with error: ERR DB index is out of range' }, onSource: ['0', '1', '0'] });
    });
  }

  it('a target that never answers: IOERR as redis-server, keys kept', async () => {
    const got = await both(async (src, p) => {
      await src.call(['SET', `${p}:silent`, 'v']);
      const reply = await src.call(['MIGRATE', '127.0.0.1', String(SILENT), `${p}:silent`, '0', '300']);
      return { reply, onSource: await exists(src, [`${p}:silent`]) };
    });
    expect(got.engine).toEqual(got.redis);
    expect(got.engine).toMatchObject({ reply: { t: 'error', v: expect.stringMatching(/^IOERR /) }, onSource: ['1'] });
  });

  it('concurrent MIGRATEs to a target that never answers all fail, and the source still migrates elsewhere', async () => {
    const clients = await Promise.all(Array.from({ length: 4 }, () => RespClient.connect(SRC_ENGINE)));
    try {
      for (let i = 0; i < clients.length; i++) await sources.engine.call(['SET', `cs:${i}`, 'v']);
      const replies = await Promise.all(clients.map((c, i) => c.call(['MIGRATE', '127.0.0.1', String(SILENT), `cs:${i}`, '0', '300'])));
      for (const r of replies) expect(r).toMatchObject({ t: 'error', v: expect.stringMatching(/^IOERR /) });
      expect(await exists(sources.engine, clients.map((_, i) => `cs:${i}`))).toEqual(['1', '1', '1', '1']);
      expect(await clients[0]!.call(['MIGRATE', '127.0.0.1', String(TARGET_ENGINE), 'cs:0', '0', '5000'])).toEqual({ t: 'simple', v: 'OK' });
    } finally {
      for (const c of clients) c.close();
    }
  });

  it('concurrent MIGRATEs on one socket, one of them BUSYKEY: that one fails and keeps its key, the rest move', async () => {
    const clients = await Promise.all(Array.from({ length: 6 }, () => RespClient.connect(SRC_ENGINE)));
    const t = targets.engine;
    const peers = async () => String((await t.call(['CLIENT', 'LIST']) as Reply).v).trim().split('\n').filter((l) => !/ cmd=client\|list /.test(l)).length;
    try {
      for (let round = 0; round < 3; round++) {
        const keys = (i: number) => Array.from({ length: 4 }, (_, j) => `cc:${round}:${i}:${j}`);
        for (let i = 0; i < clients.length; i++) for (const k of keys(i)) await sources.engine.call(['SET', k, k]);
        await t.call(['SET', keys(2)[1]!, 'already']);
        const before = await peers();
        const replies = await Promise.all(clients.map((c, i) => c.call(['MIGRATE', '127.0.0.1', String(TARGET_ENGINE), '', '0', '5000', 'KEYS', ...keys(i)])));
        replies.forEach((r, i) => {
          if (i === 2) expect(r).toEqual({ t: 'error', v: 'ERR Target instance replied with error: BUSYKEY Target key name already exists.' });
          else expect(r).toEqual({ t: 'simple', v: 'OK' });
        });
        for (let i = 0; i < clients.length; i++) {
          for (const k of keys(i)) {
            const kept = i === 2 && k === keys(2)[1];
            expect(await sources.engine.call(['EXISTS', k])).toEqual({ t: 'int', v: kept ? '1' : '0' });
            expect(await t.call(['GET', k])).toEqual({ t: 'bulk', v: kept ? 'already' : k });
          }
        }
        // Once warm, the MIGRATEs share the sockets they have: no new connection per MIGRATE.
        if (round > 0) expect(await peers()).toBeLessThanOrEqual(before);
      }
    } finally {
      for (const c of clients) c.close();
    }
  });
});
