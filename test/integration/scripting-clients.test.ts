import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue, Worker, QueueEvents, type Job } from 'bullmq';
import Redlock from 'redlock';
import { startEngine, stopAll } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';

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
    const connection = { host: '127.0.0.1', port: PORT, maxRetriesPerRequest: null };
    const queue = new Queue('jobs', { connection });
    const events = new QueueEvents('jobs', { connection });
    await events.waitUntilReady();
    const attempts = new Map<string, number>();
    const done: { name: string; result: unknown; at: number }[] = [];
    const errors: Error[] = [];
    const worker = new Worker(
      'jobs',
      async (job: Job) => {
        const n = (attempts.get(job.name) ?? 0) + 1;
        attempts.set(job.name, n);
        if (job.name === 'flaky' && n < 3) throw new Error(`attempt ${n} failed`);
        return { doubled: (job.data as { n: number }).n * 2 };
      },
      { connection },
    );
    worker.on('error', (e) => errors.push(e));
    worker.on('completed', (job, result) => done.push({ name: job.name, result, at: Date.now() }));
    try {
      const t0 = Date.now();
      await queue.add('plain', { n: 1 });
      await queue.add('delayed', { n: 2 }, { delay: 600 });
      await queue.add('flaky', { n: 3 }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
      const deadline = Date.now() + 15_000;
      while (done.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(done.map((d) => d.name).sort()).toEqual(['delayed', 'flaky', 'plain']);
      expect(done.find((d) => d.name === 'plain')?.result).toEqual({ doubled: 2 });
      expect(done.find((d) => d.name === 'flaky')?.result).toEqual({ doubled: 6 });
      expect(attempts.get('flaky')).toBe(3);
      expect((done.find((d) => d.name === 'delayed')?.at ?? 0) - t0).toBeGreaterThanOrEqual(550);
      const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'delayed', 'active');
      expect(counts).toEqual({ completed: 3, failed: 0, waiting: 0, delayed: 0, active: 0 });
      expect(errors).toEqual([]);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  }, 30_000);

  it('Redlock: a lock excludes a second holder until released, and extends', async () => {
    const a = new Redis(PORT, '127.0.0.1');
    const b = new Redis(PORT, '127.0.0.1');
    const la = new Redlock([a], { retryCount: 0 });
    const lb = new Redlock([b], { retryCount: 0 });
    try {
      const lock = await la.acquire(['res:1'], 2000);
      await expect(lb.acquire(['res:1'], 2000)).rejects.toThrow();
      const longer = await lock.extend(5000);
      expect(await a.pttl('res:1')).toBeGreaterThan(3000);
      await longer.release();
      expect(await a.exists('res:1')).toBe(0);
      const again = await lb.acquire(['res:1'], 1000);
      await again.release();
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });
});
