import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { up, down } from '../../src/index.js';
import { parseTopology } from '../../src/orchestrator/topology/load.js';
import { hasRedisServer, stopAll, tmpDir } from '../helpers/procs.js';

// kvctl up with auth.users: replicas link through the replication-only masteruser and an application
// user logs in with ioredis, on the builtin engine and on redis-server.
const dir = tmpDir('kvctl-acltopo-');
afterAll(async () => {
  await down(undefined, { dir, graceMs: 1000 });
  await stopAll();
});

const topo = (base: number) => parseTopology(`
name: acl${base}
kind: master-replica
base-port: ${base}
replicas: 2
auth:
  masteruser: repl
  masterauth: rpw
  users:
    - { name: repl, password: rpw, rules: "+psync +replconf +ping" }
    - { name: app, password: apw, rules: "~app:* +@all -@dangerous" }
`);

describe.each([['builtin', 17130], ['redis', 17140]] as const)('kvctl up with auth.users (%s)', (engine, base) => {
  it.skipIf(engine === 'redis' && !hasRedisServer())('links replicas as masteruser and serves the app user', async () => {
    const h = await up({ topology: topo(base), engine, dir, timeoutMs: 30_000 });
    const open = (port: number, username: string, password: string) => new Redis({ host: '127.0.0.1', port, username, password, lazyConnect: true, maxRetriesPerRequest: 1 });
    const master = Number(h.masters[0].split(':')[1]);
    const app = open(master, 'app', 'apw');
    const admin = new Redis({ host: '127.0.0.1', port: master, lazyConnect: true });
    try {
      await Promise.all([app.connect(), admin.connect()]);
      await app.set('app:k', 'v');
      await expect(app.set('x', 'v')).rejects.toThrow('NOPERM');
      expect(await admin.wait(2, 5000)).toBe(2);
      const replicas = ((await admin.client('LIST')) as string).split('\n').filter((l) => l.includes('flags=S'));
      expect(replicas.map((l) => /user=(\S+)/.exec(l)?.[1])).toEqual(['repl', 'repl']);
      const r = open(Number(h.replicas[0].split(':')[1]), 'app', 'apw');
      await r.connect();
      // WAIT counted both replicas; the read is polled all the same (a replica answers from its own loop).
      let got: string | null = null;
      for (let i = 0; i < 50 && got !== 'v'; i++) {
        got = await r.get('app:k');
        if (got !== 'v') await new Promise((res) => setTimeout(res, 100));
      }
      expect(got, `replica ${h.replicas[0]} of ${h.masters[0]}`).toBe('v');
      r.disconnect();
    } finally {
      app.disconnect();
      admin.disconnect();
      await h.stop();
    }
  });
});
