// The replication guards and handshake options on the engine: masterauth against requirepass,
// replica-announce-ip/port, bind-source-addr, min-replicas-to-write (NOREPLICAS), replica-serve-stale-data no
// (MASTERDOWN), REPLICAOF's replies as redis-server 7.0 gives them, and one diskless snapshot
// shared by the replicas that ask within repl-diskless-sync-delay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { PORTS } from '../helpers/ports.js';
import { startEngine, stopAll, type Proc } from '../helpers/procs.js';
import { caughtUp, closeConns, conn, info } from './replication-kit.js';

const BASE = PORTS.replication + 200; // 13200-13219
const [MP, RP, SP, QP] = [BASE, BASE + 1, BASE + 2, BASE + 3];
const DEAD = BASE + 19;

let m: Redis, r: Redis, q: Redis, stale: Redis;
let master: Proc;

beforeAll(async () => {
  master = await startEngine(MP, { args: ['--requirepass', 'sekret', '--repl-diskless-sync-delay', '2'] });
  const auth = ['--replicaof', '127.0.0.1', String(MP), '--masterauth', 'sekret'];
  await Promise.all([
    startEngine(RP, { args: [...auth, '--replica-announce-ip', '10.1.2.3', '--replica-announce-port', '7777', '--replica-priority', '42'] }),
    // Its link leaves from another loopback address, as from another host (bind-source-addr).
    startEngine(QP, { args: [...auth, '--bind-source-addr', '127.0.0.3'] }),
    startEngine(SP, { args: ['--replicaof', '127.0.0.1', String(DEAD), '--replica-serve-stale-data', 'no'] }),
  ]);
  m = conn(MP, 'sekret');
  r = conn(RP);
  q = conn(QP);
  stale = conn(SP);
});

afterAll(async () => {
  closeConns();
  await stopAll();
});

describe('replication options and guards', () => {
  it('authenticates with masterauth and shows the announced address', async () => {
    await m.set('k', 'v');
    await caughtUp(m, r);
    await caughtUp(m, q);
    expect(await r.get('k')).toBe('v');
    expect(await q.get('k')).toBe('v');
    const slaves = Object.entries(await info(m, 'replication')).filter(([k]) => /^slave\d$/.test(k)).map(([, v]) => v);
    expect(slaves).toContainEqual(expect.stringMatching(/^ip=10\.1\.2\.3,port=7777,state=online,/));
    expect(slaves).toContainEqual(expect.stringMatching(new RegExp(`^ip=127\\.0\\.0\\.3,port=${QP},state=online,`)));
    // Both asked within the delay: one snapshot served them.
    expect(master.output()).toContain('Delay next BGSAVE for diskless SYNC');
    expect(master.output().match(/Starting BGSAVE for SYNC/g)).toHaveLength(1);
    expect((await info(r, 'replication')).slave_priority).toBe('42');
  });

  it('min-replicas-to-write refuses writes without enough good replicas', async () => {
    await m.config('SET', 'min-replicas-to-write', '3');
    await expect(m.set('k', 'x')).rejects.toThrow('NOREPLICAS Not enough good replicas to write.');
    expect(await m.get('k')).toBe('v');
    expect((await info(m, 'replication')).min_slaves_good_slaves).toBe('2');
    await m.config('SET', 'min-replicas-to-write', '2');
    expect(await m.set('k', 'y')).toBe('OK');
    await m.config('SET', 'min-replicas-to-write', '0');
  });

  it('replica-serve-stale-data no answers MASTERDOWN while the link is down', async () => {
    await expect(stale.get('k')).rejects.toThrow("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    await expect(stale.ping()).rejects.toThrow('MASTERDOWN'); // PING is not a "stale" command either
    expect(await stale.config('GET', 'port')).toEqual(['port', String(SP)]);
    const i = await info(stale, 'replication');
    expect(i).toMatchObject({ role: 'slave', master_link_status: 'down', master_last_io_seconds_ago: '-1', master_link_down_since_seconds: '-1' });
    expect(await stale.call('role')).toEqual(['slave', '127.0.0.1', DEAD, expect.stringMatching(/^connect(ing)?$/), -1]);
  });

  it('REPLICAOF answers as redis-server does', async () => {
    expect(await r.call('replicaof', '127.0.0.1', String(MP))).toBe('OK Already connected to specified master');
    await expect(r.call('replicaof', '127.0.0.1', '99999')).rejects.toThrow('ERR Invalid master port');
    await expect(r.call('replicaof', 'x')).rejects.toThrow("ERR wrong number of arguments for 'replicaof' command");
    await expect(r.call('replconf', 'foo', 'bar')).rejects.toThrow('ERR Unrecognized REPLCONF option: foo');
    expect(await stale.call('slaveof', 'no', 'one')).toBe('OK');
    expect(await stale.set('now', 'writable')).toBe('OK');
    expect((await info(stale, 'replication')).second_repl_offset).toBe('1');
  });
});
