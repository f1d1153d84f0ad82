import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { runClients } from './pubsub-kit.js';
import { normalizeAcl } from './acl-kit.js';

// ACL subcommands, every SETUSER rule and its errors, GETUSER / LIST descriptions (the category
// choice is Redis's greedy algorithm), DRYRUN over key-spec flags, CAT, GENPASS, LOG and help texts.
describe('ACL commands match redis-server', () => {
  const pair = usePair(17300);
  const run = (text: string, n = 1) => runClients(pair, n, text, { normalize: normalizeAcl });

  it('SETUSER rules, descriptions and rule errors', async () => {
    expect(await run(`
      A: ACL SETUSER e1 ~* ~foo
      A: ACL SETUSER e2 allkeys %R~x
      A: ACL SETUSER e3 &* &x
      A: ACL SETUSER e4 +nosuch
      A: ACL SETUSER e5 +@nosuch
      A: ACL SETUSER e6 -select|0
      A: ACL SETUSER e7 +select|0 +select|1
      A: ACL GETUSER e7
      A: ACL SETUSER e8 +config|nosuch
      A: ACL SETUSER e9 +config|get|x
      A: ACL SETUSER e10 <nopw
      A: ACL SETUSER e11 #abc
      A: ACL SETUSER e12 !5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
      A: ACL SETUSER e13 %X~x
      A: ACL SETUSER e14 %~x
      A: ACL SETUSER e15 (on)
      A: ACL SETUSER e16 (+get
      A: ACL SETUSER e17 bogus
      A: ACL SETUSER e18 %RW~*
      A: ACL SETUSER e19 %R~*
      A: ACL SETUSER e20 +get|x
      A: ACL SETUSER e21 -@all +@all -get
      A: ACL SETUSER e22 +@all -get +get
      A: ACL SETUSER e23 "( +get ~x )"
      A: ACL SETUSER e24 (+get ~x) clearselectors
      A: ACL SETUSER e25 +acl|setuser|x
      A: ACL SETUSER e26 (~x +get)
      A: ACL SETUSER e27 +@all -config|get
      A: ACL SETUSER e28 -@all +config
      A: ACL SETUSER e29 +config -config|set
      A: ACL SETUSER e30 +@all -client +client|id
      A: ACL SETUSER e31 >p1 >p2 >p1 <p2
      A: ACL GETUSER e31
      A: ACL SETUSER e32 +get|
      A: ACL SETUSER e33 +|get
      A: ACL SETUSER e34 allcommands nocommands +get
      A: ACL SETUSER e35 %RW~x %R~y %W~y ~z %R~z %W~w
      A: ACL SETUSER e37 (&x)
      A: ACL SETUSER e38 (resetchannels)
      A: ACL SETUSER e39 (~x +get) (%R~y +set)
      A: ACL GETUSER e39
      A: ACL SETUSER e40 on nopass ~* reset
      A: ACL SETUSER e41 (reset)
      A: ACL SETUSER e42 (nopass)
      A: ACL SETUSER e43 (allchannels)
      A: ACL SETUSER e44 (clearselectors)
      A: ACL SETUSER e45 +@all -@dangerous +config|get -@write +set
      A: ACL SETUSER e46 -@all +@read -get +get
      A: ACL SETUSER e47 +@all -@read -@write
      A: ACL SETUSER e48 on >pw +@all ~* sanitize-payload
      A: ACL SETUSER e49 skip-sanitize-payload
      A: ACL GETUSER e49
      A: ACL SETUSER "bad user"
      A: ACL SETUSER e50 "~a b"
      A: ACL SETUSER e51 +@all -acl +acl|whoami -@keyspace +select|3
      A: ACL SETUSER e52 +select|3 -select
      A: ACL SETUSER e53 -@all +select|3 +@keyspace
      A: ACL SETUSER e54 +acl|whoami +acl
      A: ACL SETUSER e55 -@all +client|id +client|info +client|setname
      A: ACL SETUSER e56 +@read +@write -@hash
      A: ACL SETUSER e57 +@all -@dangerous +flushdb -@keyspace allkeys allchannels
      A: ACL SETUSER e58 +@string -set >pw #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 nopass
      A: ACL SETUSER e59 +@pubsub +@fast -@read
      A: ACL SETUSER e60 -@all +@admin -@dangerous
      A: ACL SETUSER e61 +@all -@fast -@slow
      A: ACL SETUSER e62 -@all +@connection +@transaction +@scripting resetkeys ~a ~b resetkeys ~c
      A: ACL SETUSER e63 nopass resetpass >x !2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881
      A: ACL SETUSER e64 +@ALL ALLKEYS ON
      A: ACL LIST
      A: ACL USERS
      A: ACL GETUSER default
      A: ACL GETUSER nosuch
    `)).toEqual([]);
  });

  it('subcommand errors, CAT, GENPASS, DELUSER, DRYRUN, HELP', async () => {
    const errs = await run(`
      A~ ACL CAT bitmap
      A~ ACL CAT admin
      A: ACL CAT
      A: ACL CAT nosuch
      A: ACL CAT a b
      A: ACL GENPASS 0
      A: ACL GENPASS 4097
      A: ACL GENPASS x
      A: ACL GENPASS 1 2
      A: ACL WHOAMI
      A: ACL DELUSER default
      A: ACL DELUSER nosuch
      A: ACL SETUSER alice on >pw ~k* &ch +get +set +publish +subscribe
      A: ACL DRYRUN alice get k1
      A: ACL DRYRUN alice get x
      A: ACL DRYRUN alice lpush k1 a
      A: ACL DRYRUN alice publish ch m
      A: ACL DRYRUN alice publish zz m
      A: ACL DRYRUN alice subscribe ch zz
      A: ACL DRYRUN alice psubscribe ch
      A: ACL DRYRUN nosuch get k
      A: ACL DRYRUN alice nosuch
      A: ACL DRYRUN alice get
      A: ACL DRYRUN alice get a b
      A: ACL DRYRUN alice set k1 v
      A: ACL DRYRUN default config
      A: ACL DRYRUN default config nosuch
      A: ACL DRYRUN default config get
      A: ACL DRYRUN
      A: ACL SETUSER
      A: ACL GETUSER
      A: ACL LOG reset extra
      A: ACL LOG x
      A: ACL LOG -1
      A: ACL DELUSER alice nosuch
      A: ACL nosuch
      A: ACL SAVE
      A: ACL LOAD
      A: ACL HELP
    `);
    expect(errs).toEqual([]);
    const [r, e] = await Promise.all([pair.redis.call(['ACL', 'GENPASS']), pair.engine.call(['ACL', 'GENPASS', '5'])]);
    expect(r.t === 'bulk' && /^[0-9a-f]{64}$/.test(String(r.v))).toBe(true);
    expect(e.t === 'bulk' && /^[0-9a-f]{2}$/.test(String(e.v))).toBe(true);
  });

  it('DRYRUN: read-only and write-only key patterns over key-spec flags', async () => {
    const cmds = [
      'set k v', 'set k v get', 'get k', 'exists k', 'type k', 'del k', 'lpush l a', 'rpoplpush l l2', 'lmove l l2 left left',
      'expire k 10', 'rename k k2', 'copy k k3', 'object encoding k', 'append k x', 'incr n', 'setnx k v', 'getdel k',
      'sort l', 'sort l store d', 'sort l by w get # limit 0 1 store d2', 'touch k', 'unlink k', 'lpop l', 'bitfield b get u8 0',
      'bitfield b set u8 0 1', 'bitfield b overflow sat get u8 0', 'hset h a b', 'ttl k', 'dump k', 'restore z 0 x', 'pfcount p', 'strlen k',
      'getset k v', 'mset a 1 b 2', 'zunionstore d 2 a b', 'zunionstore d 0 a', 'xread streams s 0', 'xreadgroup group g c streams s1 s2 0 0',
      'georadius g 0 0 1 m store d', 'migrate h 1 "" 0 10 keys a b', 'migrate h 1 k 0 10', 'blmpop 0 2 a b left', 'eval "" 2 a b', 'sintercard 2 a b',
    ];
    const lines = ['A: ACL SETUSER ro on nopass %R~* +@all', 'A: ACL SETUSER wo on nopass %W~* +@all', 'A: ACL SETUSER kk on nopass ~a* %R~b* %W~c* +@all'];
    for (const u of ['ro', 'wo', 'kk']) for (const c of cmds) lines.push(`A: ACL DRYRUN ${u} ${c}`);
    expect(await run(lines.join('\n'))).toEqual([]);
  });
});
