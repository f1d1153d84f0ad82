// Secrets in SLOWLOG and MONITOR: Redis 7.0 shows AUTH, HELLO ... AUTH, MIGRATE ... AUTH/AUTH2, CONFIG SET
// of requirepass/masterauth/masteruser and ACL SETUSER with "(redacted)" in place of the secrets, but
// only once the command parsed that far (a command that fails earlier is shown as sent). The same
// commands go to both servers; replies, SLOWLOG entries and MONITOR lines must match.
import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import { runClients } from './pubsub-kit.js';
import type { Reply } from '../helpers/resp.js';

const PORT = 17336; // redis-server 17336, engine 17337

// [command, shown by MONITOR] (admin commands, ACL and CONFIG, never are).
const COMMANDS: [string, boolean][] = [
  ['ACL SETUSER u on >pw +@all ~* &*', false],
  ['ACL SETUSER z on badrule', false],
  ['ACL SETUSER w resetpass', false],
  ['ACL DELUSER w', false],
  ['AUTH u pw', true],
  ['AUTH pw', true],
  ['AUTH u wrong', true],
  ['AUTH a b c', true],
  ['HELLO 2 AUTH u pw SETNAME x', true],
  ['HELLO 3 AUTH u wrong', true],
  ['HELLO 4 AUTH u pw', true],
  ['HELLO 03 AUTH u pw', true],
  ['HELLO 3 AUTH u pw SETNAME', true],
  ['HELLO 3 AUTH u', true],
  ['HELLO 2 SETNAME y AUTH u pw', true],
  ['MIGRATE 127.0.0.1 1 k 0 10 AUTH secret', true],
  ['MIGRATE 127.0.0.1 1 "" 0 10 AUTH2 us secret KEYS a b', true],
  ['MIGRATE 127.0.0.1 1 k 0 10 COPY AUTH secret KEYS a', true],
  ['MIGRATE 127.0.0.1 1 k 0 10 AUTH', true],
  ['MIGRATE 127.0.0.1 1 k 0 10 BADOPT AUTH secret', true],
  ['MIGRATE 127.0.0.1 1 k notanint 10 AUTH secret', true],
  ['MIGRATE 127.0.0.1 1 k 0 10 auth2 a b replace auth c', true],
  ['CONFIG SET masterauth secret', false],
  ['CONFIG SET maxmemory bad requirepass x', false],
  ['CONFIG SET nosuch 1 requirepass x', false],
  ['CONFIG SET maxmemory 0 MasterAuth s2 masteruser mu', false],
  ['CONFIG SET requirepass x maxmemory', false],
  ['CONFIG SET masterauth "" masteruser ""', false],
];

/** HELLO's reply without the client id (ids differ between the servers); MONITOR lines without the clock and port. */
function normalize(r: Reply): Reply {
  if (r.t === 'array' && r.v?.[0]?.t === 'bulk' && r.v[0].v === 'server') return { t: 'array', v: r.v.map((x, i) => ((r.v![i - 1] as { v?: unknown })?.v === 'id' ? { t: 'int', v: 'ID' } : x)) };
  if (r.t !== 'simple') return r;
  const m = /^\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\] (.*)$/.exec(r.v);
  return m ? { t: 'simple', v: `[${m[1]}] ${m[2]}` } : r;
}

/** SLOWLOG GET's entries as their argument lists, oldest first. */
function slowArgs(r: Reply): string[] {
  if (r.t !== 'array' || !r.v) throw new Error(`SLOWLOG GET: ${JSON.stringify(r)}`);
  return r.v.map((e) => {
    const args = (e as { v: Reply[] }).v[3] as { v: { v: string }[] };
    return args.v.map((a) => a.v).join(' ');
  }).reverse();
}

describe('SLOWLOG and MONITOR hide secrets as Redis 7.0', () => {
  const pair = usePair(PORT);

  it('SLOWLOG entries match redis-server', async () => {
    expect(await diff(pair, script('FLUSHALL\nCONFIG SET slowlog-log-slower-than 0\nSLOWLOG RESET'))).toEqual([]);
    const mismatches: string[] = [];
    for (const argv of script(COMMANDS.map(([c]) => c).join('\n'))) {
      const { redis, engine } = await pair.both(argv);
      const [a, b] = [redis, engine].map((r) => JSON.stringify(normalize(r)));
      if (a !== b) mismatches.push(`${argv.join(' ')}\n  redis:  ${a}\n  engine: ${b}`);
    }
    expect(mismatches).toEqual([]);
    const { redis, engine } = await pair.both(['SLOWLOG', 'GET', '-1']);
    const shown = slowArgs(redis);
    expect(slowArgs(engine)).toEqual(shown);
    // What Redis shows (so an equal pair of unredacted logs cannot pass).
    expect(shown).toContain('ACL SETUSER (redacted) (redacted) (redacted) (redacted) (redacted) (redacted)');
    expect(shown).toContain('AUTH (redacted) (redacted)');
    expect(shown).toContain('AUTH a b c');
    expect(shown).toContain('HELLO 3 AUTH u');
    expect(shown).toContain('MIGRATE 127.0.0.1 1  0 10 AUTH2 (redacted) (redacted) KEYS a b');
    expect(shown).toContain('MIGRATE 127.0.0.1 1 k 0 10 BADOPT AUTH secret');
    expect(shown).toContain('CONFIG SET nosuch 1 requirepass (redacted)');
    expect(shown).toContain('CONFIG SET maxmemory 0 MasterAuth (redacted) masteruser (redacted)');
    await pair.both(['CONFIG', 'SET', 'slowlog-log-slower-than', '10000']);
  });

  it('MONITOR lines match redis-server', async () => {
    const steps = ['A: MONITOR'];
    for (const [c, shown] of COMMANDS) steps.push(`B: ${c}`, ...(shown ? ['A?'] : []));
    const mismatches = await runClients(pair, 2, steps.join('\n'), { normalize });
    expect(mismatches).toEqual([]);
  });
});
