// appendfsync always with group commit: replies of a turn of the event loop wait for the one AOF
// write + fsync covering them. Under 8 concurrent writers (single commands and 20-command pipelines)
// kill -9 at an arbitrary moment must lose no acknowledged write: every acknowledged SET is there
// after the restart, and a shared INCR counter holds at least every acknowledged increment and at
// most the ones sent. Ports 12600-12609.
import { afterAll, describe, expect, it } from 'vitest';
import { startEngine, stopAll, tmpDir, type Proc } from '../helpers/procs.js';
import { RespClient } from '../helpers/resp.js';

const P = 12600;
const ARGS = ['--appendonly', 'yes', '--appendfsync', 'always'];

afterAll(stopAll);

interface Tally {
  acked: Set<string>;
  incrAcked: number;
  incrSent: number;
}

/** One writer: SET w:<id>:<i> (alone or 20 pipelined) then INCR counter, until stopped or the link drops. */
async function writer(c: RespClient, id: number, pipelined: boolean, t: Tally, stopped: () => boolean): Promise<void> {
  for (let i = 0; !stopped(); ) {
    const batch = pipelined ? 20 : 1;
    const keys = Array.from({ length: batch }, () => `w:${id}:${i++}`);
    t.incrSent++;
    const replies = await Promise.all([...keys.map((k) => c.call(['SET', k, k], 5000)), c.call(['INCR', 'counter'], 5000)].map((p) => p.catch(() => null)));
    keys.forEach((k, j) => {
      if (replies[j]?.t === 'simple') t.acked.add(k);
    });
    if (replies[batch]?.t === 'int') t.incrAcked++;
    if (replies.some((r) => r === null)) return;
  }
}

async function kill9(p: Proc): Promise<void> {
  const exited = new Promise((r) => p.child.once('exit', r));
  process.kill(p.pid, 'SIGKILL');
  await exited;
}

describe('appendfsync always: group commit keeps every acknowledged write', () => {
  for (const round of [1, 2]) {
    it(`kill -9 under 8 concurrent writers loses nothing acknowledged (round ${round})`, async () => {
      const port = P + round;
      const dir = tmpDir('kvctl-dur-');
      const e = await startEngine(port, { dir, args: ARGS });
      const conns = await Promise.all(Array.from({ length: 8 }, () => RespClient.connect(port)));
      const t: Tally = { acked: new Set(), incrAcked: 0, incrSent: 0 };
      let stop = false;
      const writers = conns.map((c, w) => writer(c, w, w % 2 === 1, t, () => stop));
      // Kill once enough writes were acknowledged (a count, not a duration: the box may be slow);
      // the second round kills at a different point of the stream.
      const target = round === 1 ? 300 : 1100;
      for (let waited = 0; t.acked.size < target && waited < 60_000; waited += 5) await new Promise((r) => setTimeout(r, 5));
      await kill9(e);
      stop = true;
      await Promise.all(writers);
      conns.forEach((c) => c.close());
      expect(t.acked.size).toBeGreaterThanOrEqual(target);

      await startEngine(port, { dir, args: ARGS });
      const c2 = await RespClient.connect(port);
      const missing: string[] = [];
      for (const k of t.acked) {
        const r = await c2.call(['GET', k]);
        if (r.t !== 'bulk' || r.v !== k) missing.push(k);
      }
      const counter = await c2.call(['GET', 'counter']);
      c2.close();
      expect(missing).toEqual([]);
      expect(counter.t).toBe('bulk');
      const n = Number((counter as { v: string }).v);
      expect(n).toBeGreaterThanOrEqual(t.incrAcked);
      expect(n).toBeLessThanOrEqual(t.incrSent);
    });
  }
});
