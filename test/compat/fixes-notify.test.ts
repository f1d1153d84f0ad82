// Keyspace notifications (notify-keyspace-events KEA) from the generic, string, list, hash, set and
// zset commands: a PSUBSCRIBE client on each server records every message, in order, while another
// client runs the same script; both transcripts must be identical.
import { describe, expect, it } from 'vitest';
import { usePair, script } from './harness.js';
import type { Reply, RespClient } from '../helpers/resp.js';

const SCRIPT = script(`
  set s 1
  set s 2 EX 100
  set s 3 KEEPTTL
  set s 4 NX
  set s 5 XX GET
  setnx s2 x
  setex s3 100 v
  psetex s4 100000 v
  getset s2 y
  mset a 1 b 2
  msetnx a 1 z 2
  incr c
  decr c
  incrby c 5
  decrby c 2
  incrbyfloat c 1.5
  append s2 zz
  append new v
  setrange s2 1 qq
  getdel s2
  getdel nosuch
  getex s4 PERSIST
  getex a EX 100
  getex a PXAT 1
  expire b 100
  pexpire b 100000 NX
  persist b
  persist b
  expire b 0
  expire nosuch 10
  set x 1
  rename x y
  renamenx y x
  set y 2
  renamenx x y
  copy y y2
  move y2 3
  del y x c nosuch
  unlink s3
  rpush l a b c d e
  lpush l z
  rpushx l2 a
  lpushx l y
  lpop l
  rpop l 2
  lset l 0 q
  linsert l before q r
  linsert l before nosuch r
  lrem l 1 r
  ltrim l 0 1
  rpoplpush l l2
  lmove l2 l3 LEFT RIGHT
  lmpop 1 l LEFT COUNT 5
  blpop l3 0
  hset h f v g w
  hmset h f v2
  hsetnx h f v
  hsetnx h n 1
  hincrby h n 2
  hincrbyfloat h m 1.5
  hdel h f nosuch
  hdel h g n m
  sadd st a b c
  sadd st a
  srem st a nosuch
  smove st st2 b
  smove st st2 c
  sadd st a
  spop st 5
  sadd st a b
  srem st b
  spop st
  zadd z 1 a 2 b 3 c
  zadd z 1 a
  zadd z XX CH 5 a
  zincrby z 1 b
  zadd z INCR 1 c
  zrem z nosuch
  zrem z a
  zpopmin z
  zpopmax z 1
  zadd z 1 a 2 b 3 c 4 d 5 e
  zremrangebyrank z 0 0
  zremrangebyscore z 2 2
  zremrangebylex z [d [d
  bzpopmin z 0
  zmpop 1 z MAX
  flushall
`);

async function drain(sub: RespClient): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const r: Reply = await sub.next();
    const parts = r.t === 'array' || r.t === 'push' ? (r.v ?? []).map((x) => (x.t === 'bulk' ? x.v : null)) : [];
    if (parts[0] === 'psubscribe') continue;
    if (parts[0] === 'pmessage' && parts[2] === 'end') return out;
    out.push(JSON.stringify(r));
  }
}

describe('keyspace notifications match redis-server', () => {
  const pair = usePair(17010);

  it('KEA: every event of the script, in order', async () => {
    const got: Record<'redis' | 'engine', string[]> = { redis: [], engine: [] };
    for (const side of ['redis', 'engine'] as const) {
      const { [side]: sub } = await pair.connect();
      const { [side]: w } = await pair.connect();
      await w.call(['FLUSHALL']);
      await w.call(['CONFIG', 'SET', 'notify-keyspace-events', 'KEA']);
      await sub.call(['PSUBSCRIBE', '__key*__:*', 'end']);
      const replies: string[] = [];
      for (const argv of SCRIPT) replies.push(JSON.stringify(await w.call(argv)));
      await w.call(['PUBLISH', 'end', 'end']);
      got[side] = [...replies.map((r, i) => `${SCRIPT[i].join(' ')} -> ${r}`), ...(await drain(sub))];
      await w.call(['CONFIG', 'SET', 'notify-keyspace-events', '']);
      sub.close();
      w.close();
    }
    expect(got.redis.length).toBeGreaterThan(SCRIPT.length + 150); // the events really arrived
    expect(got.engine).toEqual(got.redis);
  });

  it('class filters: only the enabled classes are published', async () => {
    const got: Record<'redis' | 'engine', string[]> = { redis: [], engine: [] };
    for (const side of ['redis', 'engine'] as const) {
      const { [side]: sub } = await pair.connect();
      const { [side]: w } = await pair.connect();
      await w.call(['FLUSHALL']);
      await w.call(['CONFIG', 'SET', 'notify-keyspace-events', 'El$']);
      await sub.call(['PSUBSCRIBE', '__key*__:*', 'end']);
      for (const argv of script('set a 1\nexpire a 100\nrpush l x\nlpop l\nsadd s x\nhset h f v\ndel a')) await w.call(argv);
      await w.call(['PUBLISH', 'end', 'end']);
      got[side] = await drain(sub);
      expect(got[side].length).toBeGreaterThan(2);
      await w.call(['CONFIG', 'SET', 'notify-keyspace-events', '']);
      sub.close();
      w.close();
    }
    expect(got.engine).toEqual(got.redis);
  });
});
