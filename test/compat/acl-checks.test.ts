import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { runClients } from './pubsub-kit.js';
import { normalizeAcl } from './acl-kit.js';

// Permission checks where processCommand makes them (commands, keys, channels, inside MULTI and at
// EXEC), the ACL LOG they leave, AUTH / HELLO AUTH, requirepass as the default user's password, and
// what happens to connected clients when their user is deleted or loses channels.
describe('ACL checks match redis-server', () => {
  const pair = usePair(17302);
  const run = (n: number, text: string) => runClients(pair, n, text, { normalize: normalizeAcl });

  it('refuses commands, keys and channels with NOPERM, in MULTI too, and logs them', async () => {
    expect(await run(2, `
      A: ACL LOG RESET
      A: ACL SETUSER bob on >pw ~k* &ch +get +set +publish +subscribe +multi +exec +discard +ssubscribe +spublish +psubscribe +pubsub +acl|whoami +acl|log +ping
      B: AUTH bob pw
      B: ACL WHOAMI
      B: GET x
      B: GET k1
      B: LPUSH k a
      B: PUBLISH zz m
      B: PUBLISH ch m
      B: MULTI
      B: GET x
      B: LPUSH k a
      B: SET k1 v
      B: EXEC
      B: SPUBLISH zz m
      B: PSUBSCRIBE c*
      B: PUBSUB CHANNELS
      B: CONFIG GET port
      B: ACL LOG
      B: MULTI
      B: SET k1 v
      B: GET k2
      A: ACL SETUSER bob resetkeys ~k1
      B: EXEC
      B: ACL LOG 2
      A: ACL SETUSER bob -get
      B: GET k1
      B: ACL LOG 1
      A: ACL SETUSER bob (+get ~k2) (+lpush ~l*)
      B: GET k2
      B: GET k1
      B: GET l1
      B: LPUSH k2 x
      B: ACL LOG 3
    `)).toEqual([]);
  });

  it('AUTH, HELLO AUTH and requirepass', async () => {
    expect(await run(3, `
      A: AUTH pw
      A: AUTH default pw
      A: AUTH a b c
      A: ACL SETUSER carl on >secret +@all ~*
      B: AUTH carl wrong
      B: AUTH carl secret
      B: ACL WHOAMI
      B: HELLO 2 AUTH carl bad
      B: HELLO 3 AUTH nosuch x
      B: HELLO 2 AUTH default anything
      B: ACL WHOAMI
      A: ACL SETUSER carl off
      B: AUTH carl secret
      A: CONFIG SET requirepass sesame
      A: ACL GETUSER default
      C: RESET
      C: PING
      C: ACL WHOAMI
      C: AUTH wrong
      C: AUTH sesame
      C: PING
      C: HELLO 2 AUTH default sesame SETNAME x
      C: CLIENT GETNAME
      A: CONFIG SET requirepass ""
      A: ACL GETUSER default
      A: ACL LOG 4
      A: ACL SETUSER carl reset
    `)).toEqual([]);
  });

  it("DELUSER closes the user's connections; losing a channel closes its subscribers", async () => {
    expect(await run(4, `
      A: ACL SETUSER dan on nopass ~* &news &sport* +@all
      B: AUTH dan x
      C: AUTH dan x
      C: SUBSCRIBE news
      A: CLIENT KILL USER nosuch
      A: ACL SETUSER dan &other
      B: PING
      A: PUBLISH news still-here
      C?
      A: ACL SETUSER dan resetchannels &sport*
      B: PING
      A: PUBSUB NUMSUB news
      A: ACL DELUSER dan
      A: CLIENT KILL USER dan
      A: ACL SETUSER eve on nopass +@all ~* &*
      D: AUTH eve x
      A: CLIENT KILL USER eve
      A: ACL SETUSER eve reset
    `)).toEqual([]);
  });

  it('scripts run as their caller: redis.call refused, redis.acl_check_cmd, ACL LOG context lua', async () => {
    expect(await run(2, `
      A: ACL LOG RESET
      A: ACL SETUSER lu on nopass +eval +get +publish ~k* &c
      B: AUTH lu x
      B: EVAL "return redis.call('set','k','v')" 0
      B: EVAL "return redis.call('get','x')" 0
      B: EVAL "return redis.pcall('get','x')" 0
      B: EVAL "return redis.call('publish','zz','m')" 0
      B: EVAL "return redis.call('get','k1')" 0
      B: EVAL "return redis.acl_check_cmd('get','x')" 0
      B: EVAL "return redis.acl_check_cmd('get','k')" 0
      B: EVAL "return redis.acl_check_cmd('set','k','v')" 0
      B: EVAL "return redis.acl_check_cmd('nosuch')" 0
      B: EVAL "return redis.acl_check_cmd('get')" 0
      A: ACL LOG 3
      A: ACL SETUSER lu reset
    `)).toEqual([]);
  });
});
