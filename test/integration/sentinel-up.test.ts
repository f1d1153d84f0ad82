// kvctl up sentinel on a machine with Node and no Redis binaries: every node, sentinels included, runs
// on the builtin engine, and up returns once each sentinel sees the master, both replicas and the
// two other sentinels.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ENGINE_MAIN, KVCTL_BIN, tmpDir } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { cli } from './orchestrator-kit.js';
import { RespConn } from '../../src/orchestrator/resp.js';

const P = PORTS.sentinel; // 18000-18009 data, 18500-18502 sentinels (base-port + 500)
const k = cli();
afterAll(() => k.cleanup());

describe.skipIf(!existsSync(ENGINE_MAIN))('kvctl up sentinel without Redis binaries', () => {
  it('runs engine sentinels and is ready when they agree', async () => {
    // kvctl up runs below with a PATH of its own, not through k.run: arm the kit's cleanup of a failed attempt.
    k.stopOnFailure();
    // A PATH holding only node: no redis-server, redis-sentinel or valkey-server to fall back on.
    const bin = path.join(tmpDir('kvctl-nodeonly-'), 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const r = await execa(process.execPath, [KVCTL_BIN, 'up', 'sentinel', '--base-port', String(P), '--dir', k.home, '--json', '--timeout', '60'], {
      reject: false, env: { PATH: bin, FORCE_COLOR: '0', NO_COLOR: '1' }, extendEnv: false,
    });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const up = JSON.parse(String(r.stdout));
    expect(up.engine).toBe('builtin');
    expect(up.sentinels).toEqual([P + 500, P + 501, P + 502].map((p) => `127.0.0.1:${p}`));
    for (const port of [P + 500, P + 501, P + 502]) {
      const c = await RespConn.connect('127.0.0.1', port);
      try {
        const info = String(await c.call('INFO', 'server'));
        expect(info).toContain('redis_mode:sentinel');
        expect(info).toContain('kvctl_engine:builtin');
        const m = (await c.call('SENTINEL', 'MASTER', 'mymaster')) as string[];
        const f = Object.fromEntries(m.flatMap((v, i) => (i % 2 === 0 ? [[v, m[i + 1]]] : [])));
        expect([f.ip, f.port, f.flags, f['num-slaves'], f['num-other-sentinels'], f.quorum]).toEqual(['127.0.0.1', String(P), 'master', '2', '2', '2']);
        // Under load a sentinel's hello can arrive late enough for a peer to count it as down for a
        // moment; CKQUORUM must reach all three.
        const want = 'OK 3 usable Sentinels. Quorum and failover authorization can be reached';
        let ck = '';
        for (let i = 0; i < 50 && ck !== want; i++) {
          if (i > 0) await new Promise((res) => setTimeout(res, 200));
          ck = String(await c.call('SENTINEL', 'CKQUORUM', 'mymaster'));
        }
        expect(ck).toBe(want);
      } finally {
        c.close();
      }
    }
    // kvctl sentinel status finds the topology's first sentinel and its log.
    const st = await k.json('sentinel', 'status', '--dir', k.home);
    expect(st.sentinel).toBe(`127.0.0.1:${P + 500}`);
    expect(st.masters).toHaveLength(1);
    const m = st.masters[0];
    expect([m.name, m.address, m.flags, m.quorum, m.ckquorum.ok]).toEqual(['mymaster', `127.0.0.1:${P}`, 'master', 2, true]);
    expect(m.replicas.map((r: { address: string }) => r.address).sort()).toEqual([`127.0.0.1:${P + 1}`, `127.0.0.1:${P + 2}`]);
    expect(m.sentinels.map((x: { address: string }) => x.address).sort()).toEqual([`127.0.0.1:${P + 501}`, `127.0.0.1:${P + 502}`]);
    expect(st.events.some((e: string) => e.includes(`+monitor master mymaster 127.0.0.1 ${P} quorum 2`))).toBe(true);
    const text = await k.run('sentinel', 'status', '--dir', k.home);
    expect(text.stdout).toContain(`master mymaster 127.0.0.1:${P} flags=master quorum=2`);
    const bad = await k.run('sentinel', 'status', '--events', '-1');
    expect([bad.code, bad.stderr.trim()]).toEqual([2, 'error: invalid --events -1: 0 or more']);
    await k.json('down', 'sentinel', '--purge');
  }, 120_000);
});
