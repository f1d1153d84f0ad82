// kvctl up/status/down on the builtin engine (node dist/engine/main.js), the default engine.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { ENGINE_MAIN } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { alive, cli, until } from './orchestrator-kit.js';

const P = PORTS.orchestrator + 700; // 16700-16799
const k = cli();
afterAll(() => k.cleanup());

// Temporary: skipped only while the engine is not built (npm run build builds it).
describe.skipIf(!existsSync(ENGINE_MAIN))('kvctl up/status/down with the builtin engine', () => {
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
});
