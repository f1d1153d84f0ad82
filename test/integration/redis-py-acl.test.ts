// redis-py (Debian's python3-redis, run by /usr/bin/python3) logs in as an ACL user against the engine and
// against redis-server: allowed and forbidden commands, keys, channels, MULTI and scripts, AUTH again, a
// wrong password and an unknown user. The script prints its results; both servers must print the same,
// and the ACL LOG entries the refusals leave must match too.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';
import { hasRedisServer, ROOT, startEngine, startRedis, stopAll } from '../helpers/procs.js';

const PY = '/usr/bin/python3';
const SCRIPT = path.join(ROOT, 'test', 'clients', 'redis_py_acl.py');
const PORTS = { engine: 17334, redis: 17335 } as const;

function hasRedisPy(): boolean {
  if (spawnSync(PY, ['-c', 'import redis'], { stdio: 'ignore' }).status === 0) return true;
  if (process.env.CI) throw new Error(`redis-py is missing: CI must install it (apt-get install python3-redis) for ${PY}`);
  return false;
}

afterAll(stopAll);

async function runOn(port: number): Promise<{ py: Record<string, unknown>; log: unknown[] }> {
  const admin = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.connect();
  try {
    await admin.call('ACL', 'SETUSER', 'app', 'on', '>apw', '~app:*', '&app:*', '+@all', '-@dangerous');
    await admin.call('ACL', 'LOG', 'RESET');
    const r = await execa(PY, [SCRIPT, String(port), 'app', 'apw'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const log = (await admin.call('ACL', 'LOG')) as unknown[][];
    // What the refusals left, without ages and client details (ids and buffer sizes differ by design).
    const entries = log.map((e) => {
      const m: Record<string, unknown> = {};
      for (let i = 0; i < e.length; i += 2) m[String(e[i])] = e[i + 1];
      return [m.count, m.reason, m.context, m.object, m.username].join(' ');
    });
    return { py: JSON.parse(String(r.stdout)), log: entries };
  } finally {
    admin.disconnect();
  }
}

describe.skipIf(!hasRedisServer() || !hasRedisPy())('redis-py logs in with an ACL user', () => {
  it('gives the same results on the engine and on redis-server', { timeout: 60_000 }, async () => {
    await Promise.all([startEngine(PORTS.engine), startRedis(PORTS.redis)]);
    const engine = await runOn(PORTS.engine);
    const redis = await runOn(PORTS.redis);
    expect(engine).toEqual(redis);
    // What both must have done (so equal outputs cannot be two equal failures).
    const py = engine.py as Record<string, { ok?: unknown; error?: string; message?: string }>;
    expect(py.whoami).toEqual({ ok: 'app' });
    expect(py.set_allowed).toEqual({ ok: true });
    expect(py.get_allowed).toEqual({ ok: 'v1' });
    expect(py.multi_allowed).toEqual({ ok: [true, true] });
    expect(py.eval_allowed).toEqual({ ok: 'OK' });
    expect(py.auth_again).toEqual({ ok: true });
    expect(py.set_other_key).toEqual({ error: 'NoPermissionError', message: 'this user has no permissions to access one of the keys used as arguments' });
    expect(py.flushall).toEqual({ error: 'NoPermissionError', message: "this user has no permissions to run the 'flushall' command" });
    expect(py.publish_other).toEqual({ error: 'NoPermissionError', message: 'this user has no permissions to access one of the channels used as arguments' });
    expect(py.multi_forbidden.error).toBe('NoPermissionError');
    expect(py.after_multi).toEqual({ ok: ['x', 'x', null] }); // the refused transaction ran nothing
    expect(py.wrong_password).toEqual({ error: 'ResponseError', message: 'WRONGPASS invalid username-password pair or user is disabled.' });
    expect(py.unknown_user).toEqual(py.wrong_password);
    expect(engine.log).toContain('1 command toplevel flushall app');
    expect(engine.log).toContain('1 channel toplevel admin:news app');
    expect(engine.log).toContain('1 auth toplevel AUTH nobody');
  });
});
