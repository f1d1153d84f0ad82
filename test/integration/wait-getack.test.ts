// WAIT's REPLCONF GETACK: an engine master sends none while every replica announced that it ACKs each
// applied read (capa kvctl-ack-each-read, which engine replicas send), and still sends one for a
// redis-server replica, which ACKs only on GETACK and once a second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { PORTS } from '../helpers/ports.js';
import { hasRedisServer, startEngine, startRedis, stopAll } from '../helpers/procs.js';
import { caughtUp, closeConns, conn, info, until } from './replication-kit.js';

const BASE = PORTS.replication + 600; // 13600-13609
const [MP, EP, RP] = [BASE, BASE + 1, BASE + 2];
// GETACK * as a RESP multibulk: what one GETACK adds to the master's offset.
const GETACK_BYTES = '*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n'.length;

let m: Redis;
const offset = async () => Number((await info(m, 'replication')).master_repl_offset);

beforeAll(async () => {
  // No PING heartbeat in the stream while the offsets are compared.
  await startEngine(MP, { args: ['--repl-diskless-sync-delay', '0', '--repl-ping-replica-period', '3600'] });
  m = conn(MP);
  await startEngine(EP, { args: ['--replicaof', '127.0.0.1', String(MP)] });
  await caughtUp(m, conn(EP));
  // The heartbeat's first PING goes out at the first replication cron (once a second) with a replica;
  // the next one an hour later. An offset that holds still for longer than a cron period is past it.
  for (let o = -1; o !== (o = await offset());) await new Promise((r) => setTimeout(r, 1500));
});

afterAll(async () => {
  closeConns();
  await stopAll();
});

describe('WAIT and REPLCONF GETACK', () => {
  it('with engine replicas only, a WAIT that blocks adds no GETACK to the stream and still counts them', async () => {
    await m.set('a', '1');
    expect(await m.call('wait', '1', '5000')).toBe(1);
    const before = await offset();
    // Blocks for its whole timeout (one replica, two wanted): the old master sent a GETACK here.
    expect(await m.call('wait', '2', '200')).toBe(1);
    expect(await offset()).toBe(before);
    await m.set('b', '2');
    expect(await m.call('wait', '1', '5000')).toBe(1);
  });

  describe.skipIf(!hasRedisServer())('with a redis-server replica too', () => {
    beforeAll(async () => {
      await startRedis(RP, { args: ['--replicaof', '127.0.0.1', String(MP)] });
      await until(async () => (await info(m, 'replication')).connected_slaves === '2', 'both replicas online');
      await caughtUp(m, conn(RP));
    });

    it('a WAIT that blocks sends GETACK', async () => {
      await m.set('c', '3');
      expect(await m.call('wait', '2', '5000')).toBe(2);
      const before = await offset();
      expect(await m.call('wait', '3', '200')).toBe(2);
      expect(await offset()).toBe(before + GETACK_BYTES);
    });

    it('WAIT counts the redis replica well within its once-a-second ACK', async () => {
      // Without a GETACK the redis replica's ACK would come up to a second later: most of these
      // 400 ms waits would answer 1.
      for (let i = 0; i < 5; i++) {
        await m.set(`d:${i}`, String(i));
        expect(await m.call('wait', '2', '400')).toBe(2);
      }
    });
  });
});
