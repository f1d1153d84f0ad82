import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, stopAll } from '../helpers/procs.js';
import { RespClient, type Reply } from '../helpers/resp.js';
import { addr, clusterOk, redisCli, removeDirs, startClusterNodes, startRedisClusterNodes, waitFor } from '../integration/cluster-kit.js';
import { script } from './harness.js';

// The checks scripts meet in a cluster node, engine against redis-server: two 3-master clusters made
// by redis-cli --cluster create (same slot layout: 0-5460, 5461-10922, 10923-16383), the same commands
// sent to the first master of each. Keys used: b (slot 3300) and f (3168) are both on the first master,
// in different slots; a (15495) and d (11298) live on the third master.
const ENGINE = [13400, 13401, 13402];
const REDIS = [13410, 13411, 13412];

const CASES = script(`
  FLUSHALL
  # Undeclared keys without a shebang: allowed when local, in any local slot (compat mode).
  EVAL "return redis.call('get','b')" 0
  EVAL "return redis.call('set','b','1')" 0
  EVAL "return redis.call('mget','b','{b}x')" 0
  EVAL "redis.call('get','b'); return redis.call('get','f')" 0
  EVAL "return redis.call('get','f')" 1 b
  # Keys of another node: the script error (or MOVED when they are declared).
  EVAL "return redis.call('get','a')" 0
  EVAL "return redis.call('get','a')" 1 a
  EVAL "return 1" 1 a
  EVAL "return redis.call('get','d')" 1 b
  EVAL "redis.call('get','b'); return redis.call('get','d')" 0
  EVAL "return redis.pcall('get','a')" 0
  EVAL "return redis.call('mget','b','d')" 0
  # One command whose keys span two local slots is a non local access too.
  EVAL "return redis.call('mget','f','b')" 0
  # Declared keys of several slots or nodes: CROSSSLOT before the script runs.
  EVAL "return 1" 2 b d
  EVAL "return 1" 2 b a
  EVAL "return 1" 2 b f
  EVAL "return 1" 0
  # With a shebang, every key must share the declared (or first touched) slot.
  EVAL "#!lua\\nreturn redis.call('get','b')" 0
  EVAL "#!lua\\nreturn redis.call('get','b')" 1 b
  EVAL "#!lua\\nreturn redis.call('get','f')" 1 b
  EVAL "#!lua\\nreturn redis.call('get','f')" 0
  EVAL "#!lua\\nredis.call('get','b'); return redis.call('get','f')" 0
  EVAL "#!lua\\nreturn redis.pcall('get','f')" 1 b
  EVAL "#!lua\\nreturn redis.pcall('mget','f','b')" 0
  EVAL "#!lua\\nreturn redis.call('get','a')" 1 b
  EVAL "#!lua\\nreturn redis.call('get','d')" 1 b
  # allow-cross-slot-keys: other local slots are fine, other nodes and multi-slot commands are not.
  EVAL "#!lua flags=allow-cross-slot-keys\\nreturn redis.call('get','f')" 1 b
  EVAL "#!lua flags=allow-cross-slot-keys\\nredis.call('set','b',1); redis.call('set','f',2); return {redis.call('get','f'), redis.call('get','b')}" 1 b
  EVAL "#!lua flags=allow-cross-slot-keys\\nreturn redis.call('mget','f','b')" 0
  EVAL "#!lua flags=allow-cross-slot-keys\\nreturn redis.call('get','a')" 1 b
  EVAL "#!lua flags=allow-cross-slot-keys\\nreturn 1" 2 b d
  # no-cluster: refused in a cluster, after the redirection of declared keys.
  EVAL "#!lua flags=no-cluster\\nreturn 1" 0
  EVAL "#!lua flags=no-cluster\\nreturn 1" 1 b
  EVAL "#!lua flags=no-cluster\\nreturn 1" 1 a
  # Keyless commands and EVAL_RO.
  EVAL "return redis.call('cluster','keyslot','a')" 0
  EVAL "return redis.call('dbsize')" 0
  EVAL_RO "return redis.call('get','f')" 1 b
  # Functions: the same rules, by their flags.
  FUNCTION LOAD REPLACE "#!lua name=t\\nredis.register_function('g', function(k,a) return redis.call('get', a[1]) end)\\nredis.register_function{function_name='gx', callback=function(k,a) return redis.call('get', a[1]) end, flags={'allow-cross-slot-keys'}}\\nredis.register_function{function_name='nc', callback=function(k,a) return 1 end, flags={'no-cluster'}}"
  FCALL g 1 b f
  FCALL g 1 b b
  FCALL g 0 a
  FCALL g 1 a a
  FCALL gx 1 b f
  FCALL gx 2 b f f
  FCALL nc 0
  FCALL_RO g 1 b f
  # Inside MULTI: the same checks at EXEC.
  MULTI
  EVAL "return redis.call('get','b')" 1 b
  EVAL "#!lua\\nreturn redis.call('get','f')" 1 b
  EVAL "return redis.pcall('get','a')" 0
  EXEC
  FUNCTION FLUSH
`);

async function makeCluster(ports: number[]): Promise<void> {
  const create = await redisCli('--cluster', 'create', ...ports.map(addr), '--cluster-replicas', '0', '--cluster-yes');
  expect(create.exitCode, create.stdout + create.stderr).toBe(0);
  await waitFor('cluster_state:ok everywhere', () => clusterOk(ports), 60_000);
}

/** A reply with node ports replaced by the node's index, so MOVED replies compare across clusters. */
const show = (ports: number[], r: Reply): string => {
  let s = JSON.stringify(r);
  ports.forEach((p, i) => (s = s.split(`:${p}`).join(`:node${i}`)));
  return s;
};

describe.skipIf(!hasRedisServer())('script cluster checks, engine cluster against a redis-server cluster', () => {
  const open: RespClient[] = [];
  beforeAll(async () => {
    await Promise.all([startClusterNodes(ENGINE[0], ENGINE.length), startRedisClusterNodes(REDIS)]);
    await Promise.all([ENGINE, REDIS].map(makeCluster));
  }, 120_000);
  afterAll(async () => {
    open.forEach((c) => c.close());
    await stopAll();
    removeDirs();
  });

  it('undeclared, cross-slot and other-node keys, the flags, numkeys 0: same replies', async () => {
    const [e, r] = await Promise.all([RespClient.connect(ENGINE[0]), RespClient.connect(REDIS[0])]);
    open.push(e, r);
    const mismatches: string[] = [];
    const seen: string[] = [];
    for (const argv of CASES) {
      const [re, rr] = [show(ENGINE, await e.call(argv)), show(REDIS, await r.call(argv))];
      seen.push(rr);
      if (re !== rr) mismatches.push(`${argv.join(' ')}\n  redis:  ${rr}\n  engine: ${re}`);
    }
    expect(mismatches).toEqual([]);
    // The transcript holds each kind of refusal (a guard against a vacuous comparison).
    const text = seen.join('\n');
    for (const want of [
      'Script attempted to access a non local key in a cluster node script:',
      'Script attempted to access keys that do not hash to the same slot script:',
      "Can not run script on cluster, 'no-cluster' flag is set.",
      'MOVED 15495 127.0.0.1:node2',
      "CROSSSLOT Keys in request don't hash to the same slot",
    ]) expect(text).toContain(want);
  });
});
