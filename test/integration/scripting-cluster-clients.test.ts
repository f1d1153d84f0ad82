import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Cluster } from 'ioredis';
import { bullmqScenario, redlockScenario } from '../helpers/job-clients.js';
import { cli } from './orchestrator-kit.js';

// BullMQ and Redlock, unchanged, against engine nodes that `kvctl up` started as a cluster (3 masters,
// 1 replica each): ioredis Cluster clients, BullMQ with a {hash-tagged} prefix so each queue's keys
// share one slot, as BullMQ requires in a cluster.
const BASE = 13420; // 13420-13425
const k = cli();
let seeds: { host: string; port: number }[] = [];

function clusterClient(): Cluster {
  return new Cluster(seeds, { redisOptions: { maxRetriesPerRequest: null } });
}

describe('BullMQ and Redlock on a kvctl up cluster of engine nodes', () => {
  beforeAll(async () => {
    const file = path.join(k.home, 'scripting-cluster.yaml');
    writeFileSync(file, `name: scripting-cluster\nkind: cluster\nbase-port: ${BASE}\nmasters: 3\ncluster: { replicas: 1, node-timeout: 2000 }\nconfig: { repl-diskless-sync: yes, repl-diskless-sync-delay: 0 }\n`);
    const up = await k.json('up', file, '--timeout', '60');
    expect(up.engine).toBe('builtin');
    expect(up.masters).toHaveLength(3);
    seeds = (up.masters as string[]).map((a) => ({ host: a.split(':')[0], port: Number(a.split(':')[1]) }));
  }, 90_000);
  afterAll(() => k.cleanup(), 30_000);

  it('BullMQ: jobs, a delayed job and retries are processed', async () => {
    const connection = clusterClient();
    try {
      await bullmqScenario(connection, '{bull}');
      // The queue's keys live on the master of {bull}'s slot: the scripts ran there.
      const owner = connection.slots[Number(await connection.cluster('KEYSLOT', '{bull}'))][0];
      const master = connection.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
      expect(await master?.exists('{bull}:jobs:completed')).toBe(1);
    } finally {
      connection.disconnect();
    }
  }, 40_000);

  it('Redlock: a lock excludes a second holder until released, and extends', async () => {
    const a = clusterClient();
    const b = clusterClient();
    try {
      // Resources in the three masters' slot ranges.
      const resources = ['res:a', 'res:b', 'res:c'];
      const slots = await Promise.all(resources.map(async (r) => Number(await a.cluster('KEYSLOT', r))));
      expect(new Set(slots.map((s) => a.slots[s][0])).size).toBe(3);
      await redlockScenario(a, b, resources);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });
});
