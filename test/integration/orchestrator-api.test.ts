// The programmatic API (import { up, down } from 'kvctl') as a test framework's global setup uses it.
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { up, down, status } from '../../src/index.js';
import { hasRedisServer, stopAll, tmpDir } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { alive } from './orchestrator-kit.js';

const dir = tmpDir('kvctl-api-');
afterAll(async () => {
  await down(undefined, { dir, graceMs: 1000 });
  await stopAll(); // removes dir
});

describe.skipIf(!hasRedisServer())('programmatic up()/stop()', () => {
  it('returns endpoints that work and a handle that stops everything', async () => {
    const progress: string[] = [];
    const h = await up({ topology: 'master-replica', basePort: PORTS.orchestrator + 400, engine: 'redis', dir, name: 'api', onProgress: (m) => progress.push(m) });
    expect(h.masters).toEqual([`127.0.0.1:${PORTS.orchestrator + 400}`]);
    expect(progress.some((m) => m.startsWith('Wait until replicas are in sync'))).toBe(true);
    const [host, port] = h.masters[0].split(':');
    const r = new Redis({ host, port: Number(port), lazyConnect: true });
    await r.connect();
    await r.set('k', 'v');
    await r.wait(2, 1000);
    r.disconnect();
    const replica = new Redis({ host, port: Number(h.replicas[0].split(':')[1]), lazyConnect: true });
    await replica.connect();
    expect(await replica.get('k')).toBe('v');
    replica.disconnect();
    const [report] = await status('api', { dir });
    const pids = report.nodes.map((n) => n.pid!);
    await h.stop({ purge: true });
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it('rejects a bad topology object before starting anything', async () => {
    await expect(up({ topology: 'cluster', basePort: 65000, engine: 'redis', dir })).rejects.toThrow(/bus port 75000 of node master1 is above 65535/);
  });
});
