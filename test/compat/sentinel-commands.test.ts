// Engine Sentinel against real Sentinel 7.0: both monitor the same redis-server master; every reply
// to the SENTINEL commands, their errors, PUBLISH, ROLE and the refused data commands must match.
// SENTINEL MASTER/REPLICAS/SENTINELS are compared by field names and the fields that are not timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEngine, startRedis, stopAll, tmpDir } from '../helpers/procs.js';
import { RespClient, type Reply } from '../helpers/resp.js';
import { PORTS } from '../helpers/ports.js';
import { script } from './harness.js';

const M = PORTS.sentinel + 150; // master 18150, replica 18151, real sentinel 18152, engine sentinel 18153
let real: RespClient;
let engine: RespClient;

function conf(): string {
  const dir = tmpDir('kvctl-sentinel-compat-');
  const f = path.join(dir, 'sentinel.conf');
  writeFileSync(f, `sentinel monitor mymaster 127.0.0.1 ${M} 2\nsentinel down-after-milliseconds mymaster 5000\n`);
  return f;
}

beforeAll(async () => {
  await startRedis(M);
  await startRedis(M + 1, { args: ['--replicaof', '127.0.0.1', String(M)] });
  const rc = conf();
  const ec = conf();
  await startRedis(M + 2, { dir: path.dirname(rc), conf: rc, args: ['--sentinel'] });
  await startEngine(M + 3, { dir: path.dirname(ec), conf: ec, args: ['--sentinel'] });
  real = await RespClient.connect(M + 2);
  engine = await RespClient.connect(M + 3);
  // Both have seen the replica and each other.
  for (const c of [real, engine]) {
    for (let i = 0; i < 300; i++) {
      const m = flat(await c.call(['SENTINEL', 'MASTER', 'mymaster']));
      if (m['num-slaves'] === '1' && m['num-other-sentinels'] === '1') break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}, 60_000);

afterAll(async () => {
  real?.close();
  engine?.close();
  await stopAll();
});

function flat(r: Reply): Record<string, string> {
  const v = (r as { v: Reply[] }).v;
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < v.length; i += 2) o[String((v[i] as { v: string }).v)] = String((v[i + 1] as { v: string }).v);
  return o;
}

async function diffSentinel(lines: string[][]): Promise<string[]> {
  const out: string[] = [];
  for (const argv of lines) {
    const [a, b] = await Promise.all([real.call(argv), engine.call(argv)]);
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${argv.join(' ')}\n  real:   ${JSON.stringify(a)}\n  engine: ${JSON.stringify(b)}`);
  }
  return out;
}

describe('engine Sentinel replies match real Sentinel', () => {
  it('errors and deterministic replies', async () => {
    expect(await diffSentinel(script(`
      SENTINEL MASTER nope
      SENTINEL REPLICAS nope
      SENTINEL SLAVES nope
      SENTINEL SENTINELS nope
      SENTINEL GET-MASTER-ADDR-BY-NAME nope
      SENTINEL GET-MASTER-ADDR-BY-NAME mymaster
      SENTINEL FAILOVER nope
      SENTINEL RESET nomatch
      SENTINEL CKQUORUM nope
      SENTINEL CKQUORUM mymaster
      SENTINEL MONITOR mymaster 127.0.0.1 1 2
      SENTINEL MONITOR m2 localhost 1 2
      SENTINEL MONITOR m2 127.0.0.1 abc 2
      SENTINEL MONITOR m2 127.0.0.1 1 0
      SENTINEL MONITOR m2 127.0.0.1 1 abc
      SENTINEL MONITOR m2 127.0.0.1 1
      SENTINEL REMOVE nope
      SENTINEL SET mymaster quorum 0
      SENTINEL SET mymaster foo 1
      SENTINEL SET mymaster quorum
      SENTINEL SET nope quorum 2
      SENTINEL SET mymaster notification-script /tmp/x
      SENTINEL SET mymaster down-after-milliseconds -5
      SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 ${M} 0 *
      SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 ${M} x *
      SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 1 0 abc
      SENTINEL INFO-CACHE nope
      SENTINEL INFO-CACHE
      SENTINEL SIMULATE-FAILURE help
      SENTINEL SIMULATE-FAILURE foo
      SENTINEL SIMULATE-FAILURE
      SENTINEL CONFIG GET resolve-hostnames
      SENTINEL CONFIG GET announce-*
      SENTINEL CONFIG SET foo 1
      SENTINEL CONFIG SET resolve-hostnames maybe
      SENTINEL CONFIG FOO
      SENTINEL CONFIG
      SENTINEL FOO
      SENTINEL HELP
      SENTINEL MASTERS x
      SENTINEL MYID x
      SENTINEL PENDING-SCRIPTS
      SENTINEL DEBUG
      SENTINEL DEBUG foo 1
      SENTINEL
      PUBLISH a b
      PUBLISH __sentinel__:hello garbage
      GET x
      SET x 1
      CONFIG GET port
      DBSIZE
      ROLE
      PING
      SENTINEL MONITOR m3 127.0.0.1 1 2
      SENTINEL SET m3 quorum 3 parallel-syncs 2
      SENTINEL REMOVE m3
      SENTINEL RESET m3
    `))).toEqual([]);
  });

  it('SENTINEL MASTER / REPLICAS / SENTINELS: the same fields, the same facts', async () => {
    const facts = ['name', 'ip', 'port', 'flags', 'link-refcount', 'down-after-milliseconds', 'role-reported', 'config-epoch', 'num-slaves',
      'num-other-sentinels', 'quorum', 'failover-timeout', 'parallel-syncs', 'master-link-status', 'master-host', 'master-port', 'slave-priority',
      'replica-announced', 'voted-leader', 'voted-leader-epoch'];
    for (const sub of ['MASTER', 'REPLICAS']) {
      const [a, b] = await Promise.all([real.call(['SENTINEL', sub, 'mymaster']), engine.call(['SENTINEL', sub, 'mymaster'])]);
      const ra = sub === 'MASTER' ? flat(a) : flat((a as { v: Reply[] }).v[0]);
      const rb = sub === 'MASTER' ? flat(b) : flat((b as { v: Reply[] }).v[0]);
      expect(Object.keys(rb)).toEqual(Object.keys(ra));
      for (const f of facts) if (f in ra && f !== 'num-other-sentinels') expect([f, rb[f]]).toEqual([f, ra[f]]);
    }
    // Each sees the other: the same field names, and the other's address.
    const [a, b] = await Promise.all([real.call(['SENTINEL', 'SENTINELS', 'mymaster']), engine.call(['SENTINEL', 'SENTINELS', 'mymaster'])]);
    const sa = flat((a as { v: Reply[] }).v[0]);
    const sb = flat((b as { v: Reply[] }).v[0]);
    expect(Object.keys(sb)).toEqual(Object.keys(sa));
    expect([sa.port, sb.port, sa.flags, sb.flags]).toEqual([String(M + 3), String(M + 2), 'sentinel', 'sentinel']);
  });

  it('SENTINEL FAILOVER with only a priority-0 replica: NOGOODSLAVE on both', async () => {
    for (const c of [real, engine]) await c.call(['SENTINEL', 'DEBUG', 'info-period', '200']);
    const rep = await RespClient.connect(M + 1);
    try {
      await rep.call(['CONFIG', 'SET', 'replica-priority', '0']);
      for (const c of [real, engine]) {
        for (let i = 0; i < 200; i++) {
          const r = flat((await c.call(['SENTINEL', 'REPLICAS', 'mymaster']) as { v: Reply[] }).v[0]);
          if (r['slave-priority'] === '0') break;
          await new Promise((res) => setTimeout(res, 50));
        }
      }
      expect(await diffSentinel(script('SENTINEL FAILOVER mymaster'))).toEqual([]);
      expect(await engine.call(['SENTINEL', 'FAILOVER', 'mymaster'])).toEqual({ t: 'error', v: 'NOGOODSLAVE No suitable replica to promote' });
    } finally {
      await rep.call(['CONFIG', 'SET', 'replica-priority', '100']);
      rep.close();
    }
  });

  it('INFO has the Sentinel sections only', async () => {
    const sections = (t: Reply) => String((t as { v: string }).v).split('\r\n').filter((l) => l.startsWith('# '));
    const [a, b] = await Promise.all([real.call(['INFO']), engine.call(['INFO'])]);
    expect(sections(b)).toEqual(sections(a));
    const s = String((b as { v: string }).v);
    expect(s).toContain('redis_mode:sentinel');
    expect(s).toContain(`master0:name=mymaster,status=ok,address=127.0.0.1:${M},slaves=1,sentinels=2`);
  });
});
