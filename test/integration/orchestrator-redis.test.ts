// kvctl up / status / down against real redis-server 7 (and real Sentinel), with real processes.
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { hasRedisServer } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { alive, cli, until } from './orchestrator-kit.js';

const P = PORTS.orchestrator; // 16000-16999; this file uses 16000-16299 (+ bus ports 26100-26205)
const k = cli();
afterAll(() => k.cleanup());

async function get(port: number, key: string): Promise<string | null> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await r.get(key);
  } finally {
    r.disconnect();
  }
}

describe.skipIf(!hasRedisServer())('kvctl up/status/down with --engine redis', () => {
  it('standalone: up, status, down leaves nothing running', async () => {
    const up = await k.json('up', 'standalone', '--engine', 'redis', '--base-port', String(P + 10));
    expect(up.nodes).toMatchObject([{ name: 'redis1', role: 'master', address: `127.0.0.1:${P + 10}` }]);
    const st = await k.json('status', 'standalone');
    expect(st.supervisor.state).toBe('running');
    expect(st.nodes[0]).toMatchObject({ role: 'master', state: 'running', restarts: 0, offset: 0 });
    const pids = [st.supervisor.pid, st.nodes[0].pid];
    const down = await k.json('down', 'standalone');
    expect(down[0].nodes.redis1).toBe('stopped');
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect((await k.json('status', 'standalone')).nodes[0].state).toBe('stopped');
  });

  it('master-replica: replicas in sync when up returns; a crashed node is restarted; replication view', async () => {
    const up = await k.json('up', 'master-replica', '--engine', 'redis', '--base-port', String(P + 20));
    expect(up.masters).toEqual([`127.0.0.1:${P + 20}`]);
    expect(up.replicas).toEqual([`127.0.0.1:${P + 21}`, `127.0.0.1:${P + 22}`]);
    const rep = await k.json('replication', `127.0.0.1:${P + 20}`);
    expect(rep.role).toBe('master');
    expect(rep.replicas.map((r: { state: string }) => r.state)).toEqual(['online', 'online']);
    const text = await k.run('replication', `127.0.0.1:${P + 21}`);
    expect(text.stdout).toContain(`role replica of 127.0.0.1:${P + 20}, link up`);

    // Crash a replica: the supervisor restarts it and it links up again.
    const before = k.state('master-replica').nodes.redis2.pid!;
    process.kill(before, 'SIGKILL');
    await until('redis2 restarted', () => {
      const n = k.state('master-replica').nodes.redis2;
      return n.restarts === 1 && n.state === 'running' && n.pid !== before;
    });
    await until('redis2 linked again', async () => (await k.json('status', 'master-replica')).nodes[1].link === 'up');
    const st = await k.json('status', 'master-replica');
    expect(st.nodes.map((n: { name: string; role: string; restarts: number }) => `${n.name}:${n.role}:${n.restarts}`))
      .toEqual(['redis1:master:0', 'redis2:replica:1', 'redis3:replica:0']);
  });

  it('kill -9 of the supervisor, then kvctl down still leaves nothing running', async () => {
    const st = k.state('master-replica');
    const pids = [st.supervisor.pid, ...Object.values(st.nodes).map((n) => n.pid!)];
    process.kill(st.supervisor.pid, 'SIGKILL');
    await until('supervisor gone', () => !alive(st.supervisor.pid));
    expect((await k.json('status', 'master-replica')).supervisor.state).toBe('dead');
    const down = await k.json('down', 'master-replica', '--purge');
    expect(down[0].supervisor).toBe('gone');
    expect(Object.values(down[0].nodes)).toEqual(['shutdown', 'shutdown', 'shutdown']);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it('sentinel: sentinels see each other and the replicas when up returns', async () => {
    const up = await k.json('up', 'sentinel', '--engine', 'redis', '--base-port', String(P + 30));
    expect(up.masterName).toBe('mymaster');
    expect(up.sentinels).toEqual([P + 530, P + 531, P + 532].map((p) => `127.0.0.1:${p}`));
    const st = await k.json('status', 'sentinel');
    for (const s of st.nodes.filter((n: { role: string }) => n.role === 'sentinel')) {
      expect(s.monitors).toBe(`mymaster 127.0.0.1:${P + 30}, 2 replicas, 3 sentinels, quorum 2`);
    }
    await k.json('down', 'sentinel', '--purge');
  });

  it('cluster: 3 masters with 2 replicas each, cluster_state ok, slots in status', async () => {
    const up = await k.json('up', 'cluster', '--engine', 'redis', '--base-port', String(P + 100));
    expect(up.masters).toHaveLength(3);
    expect(up.replicas).toHaveLength(6);
    const st = await k.json('status', 'cluster');
    expect(st.nodes.filter((n: { slots?: string }) => n.slots).map((n: { slots: string }) => n.slots)).toEqual(['0-5460', '5461-10922', '10923-16383']);
    const c = new Redis.Cluster([{ host: '127.0.0.1', port: P + 100 }], { lazyConnect: true, clusterRetryStrategy: () => null });
    try {
      await c.set('{a}k', 'v');
      expect(await c.get('{a}k')).toBe('v');
    } finally {
      c.disconnect();
    }
    await k.json('down', 'cluster', '--purge');
  });

  it('gives up on a node after repeated fast crashes and shows it in status', async () => {
    await k.json('up', 'standalone', '--engine', 'redis', '--base-port', String(P + 50), '--name', 'crashy');
    const conf = path.join(k.home, 'crashy', 'redis1', 'redis.conf');
    writeFileSync(conf, 'this-is-not-a-directive yes\n');
    process.kill(k.state('crashy').nodes.redis1.pid!, 'SIGKILL');
    await until('supervisor gives up', () => k.state('crashy').nodes.redis1.state === 'failed', 15_000);
    const st = await k.json('status', 'crashy');
    expect(st.nodes[0].state).toBe('failed');
    expect(st.nodes[0].restarts).toBeGreaterThanOrEqual(4);
    expect(st.nodes[0].reason).toMatch(/^gave up after 5 crashes within 3000 ms of starting \(last: exit code 1\)$/);
    expect(st.supervisor.state).toBe('running');
    await k.json('down', 'crashy', '--purge');
  });

  it('a node that cannot start fails up with its name and log, and nothing stays running', async () => {
    const file = path.join(k.home, 'broken.yaml');
    writeFileSync(file, `name: broken\nkind: master-replica\nbase-port: ${P + 40}\nreplicas: 1\nconfig: { maxmemory-policy: nonsense }\n`);
    const r = await k.run('up', file, '--engine', 'redis');
    expect(r.code).toBe(1);
    // Both nodes share the bad directive: the error names whichever failed first, with its log.
    const m = new RegExp(`error: node (redis1 127\\.0\\.0\\.1:${P + 40}|redis2 127\\.0\\.0\\.1:${P + 41}) exited while starting \\(exit code 1\\)`).exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const name = m![1]!.split(' ')[0];
    expect(r.stderr).toMatch(new RegExp(`last lines of .*${name}/redis\\.log:[\\s\\S]*maxmemory-policy`));
    for (const pid of k.pids()) if (pid) expect(alive(pid)).toBe(false);
    expect(await get(P + 41, 'x').catch(() => 'refused')).toBe('refused');
  });
});

describe('bad topologies give their message and start nothing', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['unknown key', 'name: b1\nkind: standalone\nnodes: [{ port: 16250, prot: 1 }]\n', /b1\.yaml:3:\d+ nodes\[0\]\.prot: unknown key 'prot' \(allowed: name, port, host, role, replicaof, config\)/],
    ['port clash', 'name: b2\nkind: master-replica\nnodes: [{ port: 16250 }, { port: 16250 }]\n', /nodes\[1\]\.port: port 16250 of node redis2 clashes with the port of node redis1/],
    ['quorum', 'name: b3\nkind: sentinel\nbase-port: 16250\nsentinel: { count: 2, quorum: 3 }\n', /sentinel\.quorum: quorum 3 is larger than the number of sentinels \(2\); allowed: 1-2/],
    ['too few masters', 'name: b4\nkind: cluster\nbase-port: 16250\nmasters: 2\n', /Redis Cluster needs at least 3 masters \(set cluster\.allow-small: true/],
    ['replicas do not divide', 'name: b5\nkind: cluster\ncluster: { replicas: 1 }\nnodes: [{ port: 16250 }, { port: 16251 }, { port: 16252 }, { port: 16253 }, { port: 16254 }]\n', /must be a multiple of 2/],
  ];
  for (const [what, yaml, re] of cases) {
    it(what, async () => {
      const name = /name: (\w+)/.exec(yaml)![1];
      const file = path.join(k.home, `${name}.yaml`);
      writeFileSync(file, yaml);
      const r = await k.run('up', file, '--engine', 'redis');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(k.pids().filter(alive)).toEqual([]);
    });
  }

  it('a port already in use on the machine, and a cluster bus port', async () => {
    const net = await import('node:net');
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(P + 10261, '127.0.0.1', () => r()));
    try {
      const r = await k.run('up', 'cluster', '--engine', 'redis', '--base-port', String(P + 260));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`bus port 127\\.0\\.0\\.1:${P + 10261} of node master2 is already in use on this machine`));
      expect(k.pids().filter(alive)).toEqual([]);
    } finally {
      srv.close();
    }
  });

  it('a missing engine binary', async () => {
    const r = await k.run('up', 'standalone', '--engine', 'valkey', '--base-port', String(P + 250));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: engine: valkey-server not found on PATH \(install it, or pass --engine-bin/);
    const r2 = await k.run('up', 'standalone', '--engine', 'redis', '--engine-bin', '/nonexistent/redis-server', '--base-port', String(P + 250));
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--engine-bin \/nonexistent\/redis-server does not exist/);
    expect(k.pids().filter(alive)).toEqual([]);
  });
});
