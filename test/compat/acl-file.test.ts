import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ENGINE_MAIN, startEngine, startRedis, stopAll, tmpDir } from '../helpers/procs.js';
import { RespClient, type Reply } from '../helpers/resp.js';
import { normalizeAcl, sortRuleRuns } from './acl-kit.js';

// Users from the aclfile (ACL LOAD / SAVE) and from `user` lines, against redis-server: same users,
// same saved file, same load errors, and the same startup refusals.
const FILE = [
  'user default on nopass ~* &* +@all',
  'user app on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~app:* resetchannels &app.* -@all +@read +@write -flushdb (~cache:* %R~ro:* -@all +get)',
  'user ops off nopass resetchannels -@all +@admin',
  '',
].join('\n');

async function pairWith(port: number, setup: (dir: string) => string[]): Promise<{ redis: RespClient; engine: RespClient; dirs: string[] }> {
  const dirs = [tmpDir('kvctl-aclr-'), tmpDir('kvctl-acle-')];
  await startRedis(port, { dir: dirs[0], args: setup(dirs[0]) });
  await startEngine(port + 1, { dir: dirs[1], args: setup(dirs[1]) });
  return { redis: await RespClient.connect(port), engine: await RespClient.connect(port + 1), dirs };
}

const norm = (r: Reply): string => JSON.stringify(normalizeAcl(r));

describe('ACL files and user lines match redis-server', () => {
  afterAll(stopAll);

  it('ACL LOAD / SAVE / LIST with an aclfile', async () => {
    const p = await pairWith(17310, (dir) => {
      writeFileSync(path.join(dir, 'users.acl'), FILE);
      return ['--aclfile', 'users.acl'];
    });
    const both = async (argv: string[]) => {
      const [a, b] = await Promise.all([p.redis.call(argv), p.engine.call(argv)]);
      return [norm(a), norm(b)];
    };
    const steps = [
      ['ACL', 'LIST'], ['ACL', 'USERS'], ['ACL', 'GETUSER', 'app'],
      ['ACL', 'SETUSER', 'new', 'on', '>pw', '~n*', '+@hash'], ['ACL', 'SAVE'], ['ACL', 'LOAD'], ['ACL', 'LIST'],
    ];
    for (const s of steps) {
      const [a, b] = await both(s);
      expect(b, s.join(' ')).toBe(a);
    }
    const saved = p.dirs.map((d) => sortRuleRuns(readFileSync(path.join(d, 'users.acl'), 'latin1')));
    expect(saved[1]).toBe(saved[0]);
    expect(saved[0]).toContain('user new on #');
    // An authenticated client of a user the file no longer has is disconnected by ACL LOAD.
    const clients = await Promise.all([RespClient.connect(17310), RespClient.connect(17311)]);
    for (const c of clients) expect((await c.call(['AUTH', 'new', 'pw'])).t).toBe('simple');
    for (const d of p.dirs) writeFileSync(path.join(d, 'users.acl'), FILE);
    const [a, b] = await both(['ACL', 'LOAD']);
    expect(b).toBe(a);
    for (const c of clients) await c.waitClosed();
    for (const bad of ['usr x on', 'user x on +nosuch\nuser y (+get', 'user x on\nuser x off', 'user x on\n  \nuser "a b" on']) {
      for (const d of p.dirs) writeFileSync(path.join(d, 'users.acl'), bad);
      const [ra, rb] = await both(['ACL', 'LOAD']);
      expect(rb, bad).toBe(ra);
      expect(ra).toContain('error');
    }
    const [la, lb] = await both(['ACL', 'LIST']);
    expect(lb).toBe(la);
    p.redis.close();
    p.engine.close();
  });

  it('user lines in the configuration, requirepass beside them', async () => {
    const p = await pairWith(17312, () => ['--user', 'bob', 'on', '>pw', '~*', '+@all', '--user', 'default', 'on', 'nopass', '~k*', '+get']);
    const [a, b] = await Promise.all([p.redis.call(['ACL', 'LIST']), p.engine.call(['ACL', 'LIST'])]);
    expect(norm(b)).toBe(norm(a));
    const [c, d] = await Promise.all([p.redis.call(['SET', 'k', 'v']), p.engine.call(['SET', 'k', 'v'])]);
    expect(norm(d)).toBe(norm(c));
    expect(c).toEqual({ t: 'error', v: "NOPERM this user has no permissions to run the 'set' command" });
    p.redis.close();
    p.engine.close();
  });

  it('refuses to start on bad user lines or an unreadable aclfile, naming the problem', () => {
    const dir = tmpDir('kvctl-aclbad-');
    const cases: [string[], string][] = [
      [['--user', 'bob', 'on', '+nosuch'], "Error loading ACL rule '+nosuch' for the user named 'bob': Unknown command or category name in ACL"],
      [['--user', 'bob', 'on', '--user', 'bob', 'off'], "Error in user declaration 'bob': Duplicate user found. A user can only be defined once in config files"],
      [['--aclfile', path.join(dir, 'missing.acl')], `Error loading ACLs, opening file '${path.join(dir, 'missing.acl')}': No such file or directory`],
      [['--aclfile', path.join(dir, 'x.acl'), '--user', 'bob', 'on'], 'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid.'],
    ];
    for (const [args, text] of cases) {
      const common = ['--port', '17314', '--save', '', '--dir', dir];
      const r = spawnSync('redis-server', [...common, ...args], { encoding: 'utf8', timeout: 10_000 });
      const e = spawnSync(process.execPath, [ENGINE_MAIN, ...common, ...args], { encoding: 'utf8', timeout: 10_000 });
      expect(r.stdout + r.stderr, args.join(' ')).toContain(text);
      expect(e.stdout + e.stderr, args.join(' ')).toContain(text);
      expect(r.status).not.toBe(0);
      expect(e.status).not.toBe(0);
    }
  });
});
