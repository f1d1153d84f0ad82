// Streams across replication with redis-server 7.0, both ways. One workload (groups, pending
// entries, XREADGROUP/XCLAIM/XAUTOCLAIM/XACK, NOACK reads, trims) runs on a redis-server master and
// on an engine master; each has replicas, and every replica must end up as redis-server's own
// replica of the redis master does: a redis replica of the engine, an engine replica of redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, startEngine, startRedis, stopAll } from '../helpers/procs.js';
import { RespClient, type Reply } from '../helpers/resp.js';
import { caughtUp, closeConns, conn } from './replication-kit.js';

const [RM, RR, ER, EM, RE] = [11460, 11461, 11462, 11463, 11464];

afterAll(async () => {
  closeConns();
  await stopAll();
});

const BEFORE_SYNC: string[][] = [
  ...Array.from({ length: 30 }, (_, i) => ['XADD', 's', `${i + 1}-0`, 'f', String(i)]),
  ['XGROUP', 'CREATE', 's', 'g', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '4', 'STREAMS', 's', '>'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'idle'],
];

const AFTER_SYNC: string[][] = [
  ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '3', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'carol', 'NOACK', 'COUNT', '2', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'],
  ['XCLAIM', 's', 'g', 'dave', '0', '1-0', '2-0'],
  ['XCLAIM', 's', 'g', 'dave', '0', '3-0', 'JUSTID', 'RETRYCOUNT', '5'],
  ['XACK', 's', 'g', '5-0'],
  ['XDEL', 's', '6-0'],
  ['XAUTOCLAIM', 's', 'g', 'erin', '0', '0', 'COUNT', '3'],
  ['XGROUP', 'CREATE', 's', 'g2', '$'],
  ['XADD', 's', 'MAXLEN', '~', '20', '*', 'f', 'auto'],
  ['XGROUP', 'SETID', 's', 'g2', '10-0', 'ENTRIESREAD', '10'],
  ['XREADGROUP', 'GROUP', 'g2', 'x', 'STREAMS', 's', '>'],
  ['XGROUP', 'DELCONSUMER', 's', 'g', 'idle'],
  ['MULTI'],
  ['XADD', 's', '*', 'in', 'exec'],
  ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '1', 'STREAMS', 's', '>'],
  ['EXEC'],
  ['XTRIM', 's', 'MINID', '12-0'],
  ['XSETID', 's', '99999999999999-0', 'ENTRIESADDED', '100'],
  ['XADD', 'other', '1-1', 'a', 'b'],
  ['XGROUP', 'CREATE', 'other', 'og', '0'],
  ['XGROUP', 'DESTROY', 'other', 'og'],
];

async function run(port: number, cmds: string[][]): Promise<void> {
  const c = await RespClient.connect(port);
  try {
    for (const cmd of cmds) {
      const r = await c.call(cmd);
      if (r.t === 'error') throw new Error(`${port} ${cmd.join(' ')}: ${r.v}`);
    }
  } finally {
    c.close();
  }
}

/** The streams' observable state; clocks (delivery/seen times, idle) and generated IDs masked. */
async function state(port: number): Promise<unknown> {
  const c = await RespClient.connect(port);
  try {
    const out: Reply[] = [];
    for (const k of ['s', 'other']) {
      out.push(await c.call(['XINFO', 'STREAM', k, 'FULL', 'COUNT', '0']), await c.call(['XINFO', 'GROUPS', k]));
    }
    const pending = await c.call(['XPENDING', 's', 'g', '-', '+', '100']);
    // Rows are [id, consumer, idle ms, deliveries]: the idle column is a clock.
    if (pending.t === 'array' && pending.v) for (const row of pending.v) if (row.t === 'array' && row.v) row.v[2] = { t: 'int', v: 'idle' };
    out.push(pending);
    const masked = JSON.stringify(out)
      .replace(/"seen-time"\},\{"t":"int","v":"\d+"\}/g, '"seen-time"},"T"')
      .replace(/"idle"\},\{"t":"int","v":"\d+"\}/g, '"idle"},"I"')
      .replace(/\{"t":"int","v":"1\d{12}"\}/g, '"T"')
      .replace(/"1\d{12}-\d+"/g, '"AUTO"');
    return JSON.parse(masked);
  } finally {
    c.close();
  }
}

describe.skipIf(!hasRedisServer())('streams replicate between the engine and redis-server', () => {
  beforeAll(async () => {
    await Promise.all([startRedis(RM, { args: ['--repl-diskless-sync-delay', '0'] }), startEngine(EM, { args: ['--repl-diskless-sync-delay', '0'] })]);
    await run(RM, BEFORE_SYNC);
    await run(EM, BEFORE_SYNC);
    await Promise.all([
      startRedis(RR, { args: ['--replicaof', '127.0.0.1', String(RM)] }),
      startEngine(ER, { args: ['--replicaof', '127.0.0.1', String(RM)] }),
      startRedis(RE, { args: ['--replicaof', '127.0.0.1', String(EM)] }),
    ]);
    const [rm, rr, er, em, re] = [RM, RR, ER, EM, RE].map((p) => conn(p));
    await Promise.all([caughtUp(rm, rr), caughtUp(rm, er), caughtUp(em, re)]);
    await run(RM, AFTER_SYNC);
    await run(EM, AFTER_SYNC);
    await Promise.all([caughtUp(rm, rr), caughtUp(rm, er), caughtUp(em, re)]);
  });

  it('the masters agree (the workload is deterministic)', async () => {
    expect(await state(EM)).toEqual(await state(RM));
  });

  it('an engine replica of a redis-server master holds what redis-server\'s own replica holds', async () => {
    expect(await state(ER)).toEqual(await state(RR));
  });

  it('a redis-server replica of an engine master holds what it holds as a replica of redis-server', async () => {
    expect(await state(RE)).toEqual(await state(RR));
  });
});
