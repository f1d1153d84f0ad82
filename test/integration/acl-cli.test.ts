// --user / -a on the kvctl commands that talk to nodes, against a topology with auth.users: kvctl up
// logs in as an ACL user (and its supervisor after it), status / wait / down take the same flags, and
// a wrong password or a user who may not run INFO is one clear line and exit 1.
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { alive, cli } from './orchestrator-kit.js';

const P = 17332; // 17332-17333
const k = cli();
afterAll(() => k.cleanup());

const oneLine = (stderr: string) => stderr.trim().split('\n');

describe('kvctl --user / -a against auth.users', () => {
  it('up, status, wait and down log in as the ACL user; wrong credentials fail clearly', { timeout: 240_000 }, async () => {
    const file = path.join(k.home, 'acl-cli.yaml');
    writeFileSync(file, [
      'name: aclcli',
      'kind: master-replica',
      `base-port: ${P}`,
      'replicas: 1',
      'auth:',
      '  requirepass: defaultpw',
      '  users:',
      '    - { name: ops, password: opw, rules: "~* &* +@all" }',
      '    - { name: reader, password: rpw, rules: "~* +get" }',
      '',
    ].join('\n'));

    const unknown = await k.run('up', file, '--user', 'nobody', '-a', 'x');
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown.stderr)).toEqual(["error: --user nobody is not one of aclcli's auth.users (allowed: ops, reader)"]);

    // A wrong password fails up at the first probe, and what it started is stopped.
    const badUp = await k.run('up', file, '--user', 'ops', '-a', 'nope', '--json');
    expect(badUp.code).toBe(1);
    expect(badUp.stderr).toMatch(/^error: authentication failed on 127\.0\.0\.1:1733[23] as user 'ops': WRONGPASS/);
    const left = k.state('aclcli');
    for (const pid of [left.supervisor.pid, ...Object.values(left.nodes).map((n) => n.pid ?? 0).filter(Boolean)]) expect(alive(pid)).toBe(false);

    const up = await k.json('up', file, '--user', 'ops', '-a', 'opw', '--timeout', '30');
    expect(up.masters).toEqual([`127.0.0.1:${P}`]);
    // The supervisor and later commands use the credentials up was given (no flags needed).
    const plain = await k.json('status', 'aclcli');
    expect(plain.nodes.map((n: { role: string; reason?: string }) => `${n.role}:${n.reason ?? '-'}`)).toEqual(['master:-', 'replica:-']);
    const admin = new Redis({ port: P, username: 'ops', password: 'opw', lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await admin.connect();
      const users = ((await admin.client('LIST')) as string).split('\n').filter((l) => l && !l.includes('flags=S')).map((l) => /user=(\S+)/.exec(l)?.[1]);
      expect(users).toContain('ops');
      expect(users).not.toContain('default'); // the supervisor's probes log in as ops too (the replica's link, flags=S, is default)
    } finally {
      admin.disconnect();
    }

    const st = await k.json('status', 'aclcli', '--user', 'ops', '-a', 'opw');
    expect(st.nodes.map((n: { role: string; link?: string }) => `${n.role}:${n.link ?? '-'}`)).toEqual(['master:-', 'replica:up']);
    const dflt = await k.json('status', 'aclcli', '-a', 'defaultpw');
    expect(dflt.nodes.map((n: { role: string }) => n.role)).toEqual(['master', 'replica']);

    const wrong = await k.run('status', 'aclcli', '--user', 'ops', '-a', 'nope');
    expect(wrong.code).toBe(1);
    expect(oneLine(wrong.stderr)).toHaveLength(1);
    expect(wrong.stderr).toMatch(/^error: authentication failed on 127\.0\.0\.1:1733[23] as user 'ops': WRONGPASS invalid username-password pair or user is disabled\. \(check --user and -a\/--password\)$/);
    expect(wrong.stdout).toBe('');

    const reader = await k.run('status', 'aclcli', '--user', 'reader', '-a', 'rpw');
    expect(reader.code).toBe(1);
    expect(oneLine(reader.stderr)).toHaveLength(1);
    expect(reader.stderr).toMatch(/^error: user 'reader' may not run what kvctl needs on 127\.0\.0\.1:1733[23]: NOPERM this user has no permissions to run the 'ping' command \(log in as another user with --user and -a\/--password\)$/);

    const noPass = await k.run('status', 'aclcli', '--user', 'ops');
    expect(noPass.code).toBe(2);
    expect(oneLine(noPass.stderr)).toEqual(['error: --user ops needs its password: -a/--password PASS (or REDISCLI_AUTH)']);

    // wait resolves `master` by asking the nodes: with the flags, and refused with wrong ones.
    const w = await k.run('wait', 'master', '--role', 'master', '--dir', k.home, '--user', 'ops', '-a', 'opw', '--json');
    expect(w.code, w.stderr).toBe(0);
    expect(JSON.parse(w.stdout)).toMatchObject({ node: 'redis1', role: 'master' });
    const wBad = await k.run('wait', 'master', '--role', 'master', '--dir', k.home, '--user', 'ops', '-a', 'nope');
    expect(wBad.code).toBe(1);
    expect(oneLine(wBad.stderr)).toHaveLength(1);
    expect(wBad.stderr).toMatch(/^error: authentication failed on 127\.0\.0\.1:1733[23] as user 'ops': WRONGPASS/);

    const pids = k.state('aclcli');
    const down = await k.run('down', 'aclcli', '--user', 'ops', '-a', 'opw', '--json');
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)[0].nodes).toEqual({ redis1: 'stopped', redis2: 'stopped' });
    for (const pid of [pids.supervisor.pid, ...Object.values(pids.nodes).map((n) => n.pid!)]) expect(alive(pid)).toBe(false);
  });
});
