// The supervisor never loses confirmed writes, on the redis-server engine:
// kill / kill -9 / pause of the current master in a cluster, a Sentinel topology and master-replica.
// Ports 17700-17749 (cluster bus 27700-27705).
import { afterAll, describe, it } from 'vitest';
import { hasRedisServer } from '../helpers/procs.js';
import { Scenario, killAndPauseRounds } from './supervisor-kit.js';

const BASE = 17700;
const scenarios: Scenario[] = [];
afterAll(async () => {
  for (const s of scenarios) await s.cleanup();
});
const scenario = (s: Scenario): Scenario => (scenarios.push(s), s);

describe.skipIf(!hasRedisServer())('supervisor data safety, --engine redis', () => {
  it('cluster: the killed or paused master rejoins as a replica, every confirmed key kept', async () => {
    await killAndPauseRounds(scenario(new Scenario('cluster', 'redis', BASE)));
  }, 180_000);

  it('sentinel: the killed or paused master rejoins as a replica of the new master, every confirmed key kept', async () => {
    await killAndPauseRounds(scenario(new Scenario('sentinel', 'redis', BASE + 20)));
  }, 180_000);

  it('master-replica: the supervisor promotes the most up-to-date replica and restarts the old master as its replica', async () => {
    await killAndPauseRounds(scenario(new Scenario('master-replica', 'redis', BASE + 40)));
  }, 120_000);
});
