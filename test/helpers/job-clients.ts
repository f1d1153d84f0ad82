// Scenarios of real client libraries whose every operation is a Lua script, shared by the standalone
// and cluster tests: BullMQ (a queue, a worker, a delayed job, retries with backoff) and Redlock
// (acquire, contend, extend, release). They run unchanged; only the connection differs.
import { expect } from 'vitest';
import type { Cluster, Redis } from 'ioredis';
import { Queue, Worker, QueueEvents, type ConnectionOptions, type Job } from 'bullmq';
import Redlock from 'redlock';

/** Runs three jobs (plain, delayed 600 ms, flaky: fails twice) through a worker; returns the queue's final counts. */
export async function bullmqScenario(connection: ConnectionOptions, prefix?: string): Promise<void> {
  const opts = { connection, ...(prefix ? { prefix } : {}) };
  const queue = new Queue('jobs', opts);
  const events = new QueueEvents('jobs', opts);
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
    opts,
  );
  worker.on('error', (e) => errors.push(e));
  worker.on('completed', (job, result) => done.push({ name: job.name, result, at: Date.now() }));
  try {
    const t0 = Date.now();
    await queue.add('plain', { n: 1 });
    await queue.add('delayed', { n: 2 }, { delay: 600 });
    await queue.add('flaky', { n: 3 }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    const deadline = Date.now() + 20_000;
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
}

/** Two Redlock instances over their own connections contend for each resource in turn. */
export async function redlockScenario(a: Redis | Cluster, b: Redis | Cluster, resources: string[]): Promise<void> {
  const la = new Redlock([a], { retryCount: 0 });
  const lb = new Redlock([b], { retryCount: 0 });
  for (const res of resources) {
    const lock = await la.acquire([res], 2000);
    await expect(lb.acquire([res], 2000)).rejects.toThrow();
    const longer = await lock.extend(5000);
    expect(await a.pttl(res)).toBeGreaterThan(3000);
    await longer.release();
    expect(await a.exists(res)).toBe(0);
    const again = await lb.acquire([res], 1000);
    await again.release();
  }
}
