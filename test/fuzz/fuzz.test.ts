// Bounded, seeded runs of both fuzzers (npm run fuzz does the long ones): no engine exit, no reply
// later than 5 s, no internal error. Reply differences from redis-server are printed as a report
// grouped by command (not asserted: they are the list still to fix, see the closing note).
import { describe, expect, it } from 'vitest';
import { PORTS } from '../helpers/ports.js';
import { formatCommandReport, runCommandFuzz } from './commands.js';
import { formatFrameReport, runFrameFuzz } from './frames.js';

const SEED = Number(process.env.KVCTL_FUZZ_SEED ?? 12);

describe('fuzzing against redis-server', () => {
  it('generated command sequences never end, hang or trip the engine', async () => {
    const rep = await runCommandFuzz({ seed: SEED, sequences: 400, commandsPerSequence: 40, redisPort: PORTS.core + 650, enginePort: PORTS.core + 651, budgetMs: 35_000 });
    console.log(formatCommandReport(rep));
    expect(rep.commands).toBeGreaterThan(1000);
    expect({ exits: rep.engineExits, hangs: rep.hangs, internal: rep.internalErrors }).toEqual({ exits: [], hangs: [], internal: [] });
  }, 120_000);

  it('hostile frames never end the engine or disturb a well-behaved client', async () => {
    const rep = await runFrameFuzz({ seed: SEED, frames: 40_000, port: PORTS.core + 660, burst: 1000 });
    console.log(formatFrameReport(rep));
    expect(rep.frames).toBeGreaterThanOrEqual(40_000);
    expect(rep.goodReplies).toBeGreaterThan(0);
    expect({ exited: rep.engineExited, good: rep.goodFailures, internal: rep.internalErrors }).toEqual({ exited: false, good: [], internal: 0 });
  }, 120_000);
});
