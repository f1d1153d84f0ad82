// MIGRATE from several clients of one engine to one target at the same time (a reshard's parallel
// workers): every key arrives with its exact DUMP payload and leaves the source, and the source reuses
// its idle sockets to the target instead of opening one per MIGRATE: MIGRATEs that start together
// share the one connection being opened, and wait for its SELECT when it moves to their db. DUMP payloads built one after
// another by the shared writer stay byte-identical. Ports 14940-14941 (the reshard block; it used
// 14900-14901, which reshard-under-load.test.ts also uses, so the two failed when run together).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, stopAll } from '../helpers/procs.js';
import { RespClient } from '../helpers/resp.js';

const SOURCE = 14940;
const TARGET = 14941;
const CLIENTS = 6;

type Reply = { t: string; v?: unknown };

async function dumpOf(c: RespClient, key: string): Promise<Reply> {
  return c.call(['DUMP', key]) as Promise<Reply>;
}

/** Connections the target holds from anything but the test's own client. */
async function peerConns(t: RespClient): Promise<number> {
  const list = String((await t.call(['CLIENT', 'LIST']) as Reply).v);
  return list.trim().split('\n').filter((l) => !/ cmd=client\|list /.test(l)).length;
}

describe('concurrent MIGRATE from one engine to one target', () => {
  let src: RespClient;
  let dst: RespClient;
  const clients: RespClient[] = [];
  beforeAll(async () => {
    await Promise.all([startEngine(SOURCE), startEngine(TARGET)]);
    src = await RespClient.connect(SOURCE);
    dst = await RespClient.connect(TARGET);
    for (let i = 0; i < CLIENTS; i++) clients.push(await RespClient.connect(SOURCE));
  });
  afterAll(async () => {
    for (const c of [src, dst, ...clients]) c.close();
    await stopAll();
  });

  it('DUMP payloads from the reused writer are identical when repeated, across types and sizes', async () => {
    await src.call(['SET', 'd:small', 'v']);
    await src.call(['SET', 'd:big', 'x'.repeat(100_000)]);
    await src.call(['RPUSH', 'd:list', 'a', 'b', 'c']);
    await src.call(['ZADD', 'd:z', '1', 'm', '2.5', 'n']);
    const first = await Promise.all(['d:small', 'd:big', 'd:list', 'd:z'].map((k) => dumpOf(src, k)));
    const again = await Promise.all(['d:z', 'd:list', 'd:big', 'd:small'].map((k) => dumpOf(src, k)));
    expect(again.reverse()).toEqual(first);
    // A payload restores to the same value (its checksum and version footer are right).
    expect(await dst.call(['RESTORE', 'd:copy', '0', Buffer.from(first[2]!.v as string, 'latin1')])).toEqual({ t: 'simple', v: 'OK' });
    expect(await dst.call(['LRANGE', 'd:copy', '0', '-1'])).toEqual({ t: 'array', v: ['a', 'b', 'c'].map((v) => ({ t: 'bulk', v })) });
  });

  it('moves every key exactly once when clients MIGRATE at the same time, reusing the sockets', async () => {
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      const keys = (i: number) => Array.from({ length: 5 }, (_, j) => `r${round}:c${i}:k${j}`);
      const payloads = new Map<string, Reply>();
      for (let i = 0; i < CLIENTS; i++) {
        for (const [j, k] of keys(i).entries()) {
          if (j % 2 === 0) await src.call(['SET', k, `${k}:${'y'.repeat(j * 20)}`]);
          else await src.call(['HSET', k, 'f', k, 'g', String(j)]);
          payloads.set(k, await dumpOf(src, k));
        }
      }
      const replies = await Promise.all(clients.map((c, i) => c.call(['MIGRATE', '127.0.0.1', String(TARGET), '', '0', '5000', 'KEYS', ...keys(i)])));
      expect(replies).toEqual(clients.map(() => ({ t: 'simple', v: 'OK' })));
      for (const [k, p] of payloads) {
        expect(await src.call(['EXISTS', k])).toEqual({ t: 'int', v: '0' });
        expect(await dumpOf(dst, k)).toEqual(p);
      }
      // All rode one connection: the first round's MIGRATEs waited for the one being opened.
      expect(await peerConns(dst)).toBe(1);
    }
  });

  it('MIGRATEs into another db at the same time wait for one SELECT and share its connection', async () => {
    const keys = (i: number) => [`db1:c${i}:a`, `db1:c${i}:b`];
    for (let i = 0; i < CLIENTS; i++) for (const k of keys(i)) await src.call(['SET', k, k]);
    const replies = await Promise.all(clients.map((c, i) => c.call(['MIGRATE', '127.0.0.1', String(TARGET), '', '1', '5000', 'KEYS', ...keys(i)])));
    expect(replies).toEqual(clients.map(() => ({ t: 'simple', v: 'OK' })));
    expect(await peerConns(dst)).toBe(1);
    await dst.call(['SELECT', '1']);
    try {
      for (let i = 0; i < CLIENTS; i++) for (const k of keys(i)) expect(await dst.call(['GET', k])).toEqual({ t: 'bulk', v: k });
    } finally {
      await dst.call(['SELECT', '0']);
    }
  });
});
