// kvctl up/status/down on the builtin engine (node dist/engine/main.cjs), the default engine.
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { PORTS } from '../helpers/ports.js';
import { alive, cli, until } from './orchestrator-kit.js';

const P = PORTS.orchestrator + 700; // 16700-16799
const k = cli();
afterAll(() => k.cleanup());

// No skip when dist/ is missing: `npm test` builds first, and kvctl up fails with "not built".
describe('kvctl up/status/down with the builtin engine', () => {
  it('standalone: up (default engine), status, crash restart, down', async () => {
    const up = await k.json('up', 'standalone', '--base-port', String(P));
    expect(up.engine).toBe('builtin');
    expect(up.nodes).toMatchObject([{ name: 'redis1', role: 'master', address: `127.0.0.1:${P}` }]);
    const st = await k.json('status', 'standalone');
    expect(st.nodes[0]).toMatchObject({ role: 'master', state: 'running', restarts: 0 });

    const before = st.nodes[0].pid;
    process.kill(before, 'SIGKILL');
    await until('restart', () => { const n = k.state('standalone').nodes.redis1; return n.restarts === 1 && n.state === 'running'; });
    await until('answers again', async () => (await k.json('status', 'standalone')).nodes[0].role === 'master');

    const pids = [k.state('standalone').supervisor.pid, k.state('standalone').nodes.redis1.pid!];
    await k.json('down', 'standalone', '--purge');
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it('master-replica: replicas linked and in sync when up returns', async () => {
    const r = await k.run('up', 'master-replica', '--base-port', String(P + 10), '--timeout', '15', '--json');
    expect(r.stderr).toBe('');
    const up = JSON.parse(r.stdout);
    expect(up.replicas).toEqual([`127.0.0.1:${P + 11}`, `127.0.0.1:${P + 12}`]);
    const st = await k.json('status', 'master-replica');
    expect(st.nodes.map((n: { role: string; link?: string }) => `${n.role}:${n.link ?? '-'}`)).toEqual(['master:-', 'replica:up', 'replica:up']);
    const pids = st.nodes.map((n: { pid: number }) => n.pid);
    await k.json('down', 'master-replica', '--purge');
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it('sentinel: engine nodes watched by engine sentinels', async () => {
    // Counts from a base port: sentinels follow the data nodes (the bundled file's 7501 would leave the port block).
    const file = path.join(k.home, 'sentinel.yaml');
    writeFileSync(file, `name: sentinel\nkind: sentinel\nbase-port: ${P + 20}\nreplicas: 2\nconfig: { repl-diskless-sync: yes, repl-diskless-sync-delay: 0 }\n`);
    const up = await k.json('up', file, '--timeout', '20');
    expect(up.engine).toBe('builtin');
    expect(up.sentinels).toEqual([P + 23, P + 24, P + 25].map((p) => `127.0.0.1:${p}`));
    const st = await k.json('status', 'sentinel');
    for (const s of st.nodes.filter((n: { role: string }) => n.role === 'sentinel')) {
      expect(s.monitors).toBe(`mymaster 127.0.0.1:${P + 20}, 2 replicas, 3 sentinels, quorum 2`);
    }
    // kvctl failover (SENTINEL FAILOVER) over engine nodes: SLAVEOF NO ONE / SLAVEOF / CONFIG REWRITE inside MULTI,
    // INFO parsing and the hello channel all have to work as on redis-server.
    const conns: Redis[] = [];
    const at = (port: number) => {
      const c = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 1 });
      conns.push(c);
      return c;
    };
    try {
      const sentinel = `127.0.0.1:${P + 23}`;
      await at(P + 20).set('before', 'failover');
      // kvctl failover: one line for a name Sentinel does not monitor or a node that is no Sentinel.
      const unknown = await k.run('failover', 'nosuch', '--sentinel', sentinel);
      expect([unknown.code, unknown.stderr.trim()]).toEqual([1, `error: sentinel ${sentinel} monitors no master named 'nosuch'`]);
      const notSentinel = await k.run('failover', 'mymaster', '--sentinel', `127.0.0.1:${P + 21}`);
      expect(notSentinel.code).toBe(1);
      expect(notSentinel.stderr).toMatch(/^error: 127\.0\.0\.1:\d+ is not a Sentinel \(SENTINEL GET-MASTER-ADDR-BY-NAME: ERR unknown command 'SENTINEL'/);
      const res = await k.json('failover', 'mymaster', '--sentinel', sentinel, '--timeout', '20');
      expect(res).toMatchObject({ master: 'mymaster', from: `127.0.0.1:${P + 20}` });
      const promoted = Number(String(res.to).split(':')[1]);
      expect([P + 21, P + 22]).toContain(promoted);
      expect(((await at(promoted).call('ROLE')) as unknown[])[0]).toBe('master');
      const other = promoted === P + 21 ? P + 22 : P + 21;
      await until('the other replica follows the new master', async () => {
        const role = (await at(other).call('ROLE')) as unknown[];
        return role[0] === 'slave' && role[2] === promoted && role[3] === 'connected';
      }, 20_000);
      expect(await at(promoted).set('after', 'failover')).toBe('OK');
      await until('the write reaches the other replica', async () => (await at(other).get('after')) === 'failover');
      expect(await at(other).get('before')).toBe('failover');
    } finally {
      for (const c of conns) c.disconnect();
    }
    await k.json('down', 'sentinel', '--purge');
  }, 90_000);

  it('cluster across 127.0.0.1-3: nodes gossip their own addresses (bind-source-addr) and cluster_state is ok', async () => {
    const file = path.join(k.home, 'mh.yaml');
    writeFileSync(file, `name: mh\nkind: cluster\nbase-port: ${P + 30}\nmasters: 3\nhosts: [127.0.0.1, 127.0.0.2, 127.0.0.3]\ncluster: { replicas: 1, node-timeout: 2000 }\nconfig: { repl-diskless-sync: yes, repl-diskless-sync-delay: 0 }\n`);
    const up = await k.json('up', file, '--timeout', '30');
    expect(up.masters).toEqual([`127.0.0.1:${P + 30}`, `127.0.0.2:${P + 31}`, `127.0.0.3:${P + 32}`]);
    expect(up.replicas).toHaveLength(3);
    const st = await k.json('status', 'mh');
    expect(st.nodes.filter((n: { slots?: string }) => n.slots).map((n: { slots: string }) => n.slots)).toEqual(['0-5460', '5461-10922', '10923-16383']);
    // Without bind-source-addr every node would be known as 127.0.0.1 (the source of its bus connections).
    const raw = await k.run('cluster', 'nodes', `127.0.0.3:${P + 35}`, '--raw');
    const addrs = raw.stdout.trim().split('\n').map((l) => l.split(' ')[1].split('@')[0]).sort();
    expect(addrs).toEqual([...up.masters, ...up.replicas].sort());
    await k.json('down', 'mh', '--purge');
  });
});
