// The slot -> keys index (CLUSTER COUNTKEYSINSLOT / GETKEYSINSLOT: counts, and the order Redis 7.0
// lists keys in, newest first) against redis-server, on a one-node cluster owning every slot, through
// the paths that add, overwrite and remove keys.
import { beforeAll, describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import type { RespClient } from '../helpers/resp.js';

const P = 14400; // this file: 14400-14401 (cluster bus 24400-24401)
const TAGS = ['a', 'b', 'c'];

async function ownAllSlots(c: RespClient): Promise<void> {
  expect(await c.call(['CLUSTER', 'ADDSLOTSRANGE', '0', '16383'])).toEqual({ t: 'simple', v: 'OK' });
  for (let i = 0; i < 400; i++) {
    const info = await c.call(['CLUSTER', 'INFO']);
    if (info.t === 'bulk' && String(info.v).includes('cluster_state:ok')) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('cluster_state never ok');
}

describe('slot key index matches redis-server', () => {
  const pair = usePair(P, ['--cluster-enabled', 'yes']);
  beforeAll(async () => {
    await Promise.all([ownAllSlots(pair.redis), ownAllSlots(pair.engine)]);
  });

  /** The index as both servers show it for the tags' slots. */
  async function indexDiff(): Promise<string[]> {
    const slots = await pair.both(['CLUSTER', 'KEYSLOT', 'a']);
    expect(slots.redis).toEqual(slots.engine);
    const checks: string[][] = [['DBSIZE']];
    for (const tag of TAGS) {
      const r = await pair.redis.call(['CLUSTER', 'KEYSLOT', tag]);
      const slot = r.t === 'int' ? r.v : '';
      expect(slot).not.toBe('');
      checks.push(['CLUSTER', 'COUNTKEYSINSLOT', String(slot)], ['CLUSTER', 'GETKEYSINSLOT', String(slot), '1000'], ['CLUSTER', 'GETKEYSINSLOT', String(slot), '3']);
    }
    return diff(pair, checks);
  }

  async function step(lines: string): Promise<void> {
    expect(await diff(pair, script(lines))).toEqual([]);
    expect(await indexDiff()).toEqual([]);
  }

  it('lists keys newest first: new keys at the head, overwrites in place, re-added keys at the head again', async () => {
    await step('SET {a}1 v\nSET {a}2 v\nSET {a}3 v\nSET {a}4 v\nSET {a}5 v\nSET {b}1 v');
    await step('SET {a}2 w\nSET {a}4 w KEEPTTL\nSET {a}1 w EX 100\nGETSET {a}3 x');
    await step('DEL {a}3\nSET {a}3 v\nUNLINK {a}5\nSETNX {a}5 v\nSETNX {a}1 v');
    await step('INCR {a}n\nINCR {a}n\nAPPEND {a}ap x\nAPPEND {a}ap y\nGETDEL {a}2\nMSET {a}m1 1 {a}m2 2 {a}1 3');
    // Not two empty lists agreeing: {1 3 4 5 n ap m1 m2} of {a} (slot 15495) are listed.
    const listed = await pair.engine.call(['CLUSTER', 'GETKEYSINSLOT', '15495', '100']);
    expect(listed.t === 'array' ? listed.v : null).toHaveLength(8);
  });

  it('keeps the order through RENAME, COPY, MOVE refusals, aggregates emptied, expiry and RESTORE', async () => {
    await step('RENAME {a}1 {a}r1\nRENAME {a}4 {a}n\nRENAMENX {a}m1 {a}m2\nRENAMENX {a}m1 {a}m3');
    await step('COPY {a}3 {a}c1\nCOPY {a}3 {a}n REPLACE\nMOVE {a}3 1');
    await step('RPUSH {a}L x y\nSADD {a}S m\nHSET {a}H f v\nZADD {a}Z 1 m\nLMOVE {a}L {a}L2 RIGHT LEFT\nLPOP {a}L\nSREM {a}S m\nHDEL {a}H f\nZPOPMIN {a}Z');
    await step('SET {a}px v PX 1\nSET {a}ex2 v');
    await new Promise((r) => setTimeout(r, 20));
    await step('GET {a}px\nEXISTS {a}px');
    for (const [c, key] of [[pair.redis, '{a}ex2'], [pair.engine, '{a}ex2']] as const) {
      // Each server restores its own DUMP (the payloads need not be byte-identical).
      const dumped = await c.call(['DUMP', key]);
      if (dumped.t !== 'bulk' || dumped.v === null) throw new Error(`DUMP ${key}: ${JSON.stringify(dumped)}`);
      const payload = Buffer.from(dumped.v, 'latin1'); // the client reads bulks as latin1
      expect(await c.call(['RESTORE', '{a}rs', '0', payload])).toEqual({ t: 'simple', v: 'OK' });
      expect(await c.call(['RESTORE', '{a}px', '0', payload])).toEqual({ t: 'simple', v: 'OK' });
      expect(await c.call(['RESTORE', '{a}n', '0', payload, 'REPLACE'])).toEqual({ t: 'simple', v: 'OK' });
    }
    expect(await indexDiff()).toEqual([]);
  });

  it('stays in order when most keys of a large slot go (the engine renumbers its entries) and after FLUSHALL', async () => {
    const sets = Array.from({ length: 400 }, (_, i) => `SET {b}k${i} v\nSET {c}k${i} v`).join('\n');
    await step(sets);
    const dels = Array.from({ length: 400 }, (_, i) => (i % 5 === 0 ? '' : `DEL {b}k${i}\nDEL {c}k${(i * 7) % 400}`)).filter(Boolean).join('\n');
    await step(dels);
    await step(Array.from({ length: 50 }, (_, i) => `SET {b}again${i} v\nSET {b}k${i} v`).join('\n'));
    await step('MSET {a}x 1 {b}y 2\nGET {a}1\nFLUSHALL\nSET {c}after v');
  });
});
