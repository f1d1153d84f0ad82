// Setup file (vitest.config.ts setupFiles) for every test file: when a test attempt fails, the servers
// it started are stopped before vitest's retry, which starts its own on the same fixed ports (else
// the retry's start-up would find the port answering and test the failed attempt's server).
import { afterEach, beforeEach } from 'vitest';

let attemptStart = 0;
beforeEach(() => {
  attemptStart = Date.now();
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  // Imported here, not at the top: most files never fail, and unit files start no servers.
  const { stopStartedSince } = await import('./procs.js');
  await stopStartedSince(attemptStart);
});
