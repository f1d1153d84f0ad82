// The supervisor never loses confirmed writes, on the builtin engine (its own sentinels too):
// kill / kill -9 / pause of the current master in a cluster, a Sentinel topology and master-replica.
// Ports 17500-17549 (cluster bus 27500-27505).
import { afterAll, describe, it } from 'vitest';
import { Scenario, killAndPauseRounds } from './supervisor-kit.js';

const BASE = 17500;
const scenarios: Scenario[] = [];
afterAll(async () => {
  for (const s of scenarios) await s.cleanup();
});
const scenario = (s: Scenario): Scenario => (scenarios.push(s), s);

describe('supervisor data safety, builtin engine', () => {
  it('cluster: the killed or paused master rejoins as a replica, every confirmed key kept', async () => {
    await killAndPauseRounds(scenario(new Scenario('cluster', 'builtin', BASE)));
  }, 180_000);

  it('sentinel: the killed or paused master rejoins as a replica of the new master, every confirmed key kept', async () => {
    await killAndPauseRounds(scenario(new Scenario('sentinel', 'builtin', BASE + 20)));
  }, 180_000);

  it('master-replica: the supervisor promotes the most up-to-date replica and restarts the old master as its replica', async () => {
    await killAndPauseRounds(scenario(new Scenario('master-replica', 'builtin', BASE + 40)));
  }, 120_000);
});
