import { afterAll, beforeAll, describe, it } from 'vitest';
import { Redis } from 'ioredis';
import { startEngine, stopAll } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { bullmqScenario, redlockScenario } from '../helpers/job-clients.js';

// Real client libraries whose every operation is a Lua script, unchanged, against an engine node:
// BullMQ (queue, worker, a delayed job, retries with backoff) and Redlock (acquire, contend, extend, release).
const PORT = PORTS.scripting + 20;

describe('BullMQ and Redlock run against an engine node', () => {
  beforeAll(async () => {
    await startEngine(PORT);
  });
  afterAll(async () => {
    await stopAll();
  });

  it('BullMQ: jobs, a delayed job and retries are processed', async () => {
    await bullmqScenario({ host: '127.0.0.1', port: PORT, maxRetriesPerRequest: null });
  }, 30_000);

  it('Redlock: a lock excludes a second holder until released, and extends', async () => {
    const a = new Redis(PORT, '127.0.0.1');
    const b = new Redis(PORT, '127.0.0.1');
    try {
      await redlockScenario(a, b, ['res:1']);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });
});
