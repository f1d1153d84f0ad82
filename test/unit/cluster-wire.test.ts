// The binary cluster bus codec against frames captured between redis-server 7.0.15 cluster nodes
// (a logging TCP proxy on each node's announced bus port): every frame decodes to what the nodes
// were doing, and re-encodes to the same bytes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bitmapOf, decode, encode, hasSlot, HEADER_LEN, NODE, rangesOfBitmap, slotsAdded, type BusMsg } from '../../src/engine/cluster/wire.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/cluster-bus/${name}.bin`, import.meta.url));

function decoded(name: string): BusMsg {
  const m = decode(fixture(name));
  if (typeof m === 'string') throw new Error(`${name}: ${m}`);
  return m;
}

const A = '296acb102d611d4e5fe45a07b39db159d578cac5'; // master of 0-8000, port 14890
const B = '5562dceea14309357e7bbdd6e84b15c4051ae473'; // master of 8001-16383, port 14891
const C = '8558fc0cfa88934e0ef0ee07c4cb832f4e518f76'; // replica of A, port 14892

const FIXTURES = ['meet', 'pong-gossip', 'ping-replica', 'publish', 'auth-req-forceack', 'auth-ack-paused', 'mfstart', 'pong-hostname-ext'];

describe('cluster bus wire format (captured redis-server 7.0.15 frames)', () => {
  it('re-encodes every captured frame to the same bytes', () => {
    for (const name of FIXTURES) expect(encode(decoded(name)).equals(fixture(name)), name).toBe(true);
  });

  it('MEET: header only, no slots, no master, state fail before the cluster is up', () => {
    const m = decoded('meet');
    expect(m).toMatchObject({ type: 'meet', sender: A, port: 14890, cport: 24895, pport: 0, currentEpoch: 0, configEpoch: 0, slaveof: null, myip: '', stateFail: true, gossip: [] });
    expect(m.flags).toBe(NODE.master | NODE.myself);
    expect(rangesOfBitmap(m.slots)).toEqual([]);
  });

  it('PONG with a gossip entry about another node', () => {
    const m = decoded('pong-gossip');
    expect(m).toMatchObject({ type: 'pong', sender: B, configEpoch: 2, currentEpoch: 2, stateFail: true });
    expect(rangesOfBitmap(m.slots)).toEqual([[8001, 16383]]);
    expect(m.gossip).toHaveLength(1);
    expect(m.gossip[0]).toMatchObject({ id: A, ip: '127.0.0.1', port: 14890, cport: 24895, flags: NODE.master, pport: 0, pingSent: 0 });
    expect(m.gossip[0].pongReceived).toBeGreaterThan(1_700_000_000); // Unix seconds
  });

  it('a replica sends its master name and its master slots, and its processed offset', () => {
    const m = decoded('ping-replica');
    expect(m).toMatchObject({ type: 'ping', sender: C, slaveof: A, configEpoch: 1, offset: 28, stateFail: false });
    expect(m.flags).toBe(NODE.slave | NODE.myself);
    expect(rangesOfBitmap(m.slots)).toEqual([[0, 8000]]);
  });

  it('PUBLISH carries the channel and the message', () => {
    const m = decoded('publish');
    expect(m.type).toBe('publish');
    expect(m.channel?.toString()).toBe('foo');
    expect(m.message?.toString()).toBe('bar');
    expect(fixture('publish').length).toBe(HEADER_LEN + 8 + 6);
  });

  it('manual failover: MFSTART, the paused master, the forced auth request', () => {
    expect(decoded('mfstart')).toMatchObject({ type: 'mfstart', sender: C, paused: false, forceAck: false });
    expect(decoded('auth-req-forceack')).toMatchObject({ type: 'auth-req', sender: C, currentEpoch: 3, configEpoch: 1, forceAck: true, paused: false });
    const ack = decoded('auth-ack-paused');
    expect(ack).toMatchObject({ type: 'auth-ack', sender: A, paused: true, offset: 42 });
    expect(ack.flags).toBe(NODE.master | NODE.myself | NODE.migrateTo);
  });

  it('the hostname ping extension (cluster-announce-hostname)', () => {
    const m = decoded('pong-hostname-ext');
    expect(m.hostname).toBe('myhost');
    expect(m.gossip).toHaveLength(1);
  });

  it('drops frames whose length is not what the type implies, as Redis', () => {
    const pub = fixture('publish');
    const longer = Buffer.concat([pub, Buffer.alloc(1)]);
    longer.writeUInt32BE(longer.length, 4);
    expect(decode(longer)).toMatch(/publish of length/);
    const ping = Buffer.from(fixture('ping-replica'));
    ping.writeUInt16BE(2, 14); // two gossip entries announced, one present
    expect(typeof decode(ping)).toBe('string');
    const badType = Buffer.from(fixture('meet'));
    badType.writeUInt16BE(42, 12);
    expect(decode(badType)).toMatch(/unknown type/);
    const badVer = Buffer.from(fixture('meet'));
    badVer.writeUInt16BE(2, 8);
    expect(decode(badVer)).toMatch(/version/);
  });

  it('encodes FAIL and UPDATE at Redis lengths and reads them back', () => {
    const base = decoded('meet');
    const fail = encode({ ...base, type: 'fail', failing: B });
    expect(fail.length).toBe(HEADER_LEN + 40);
    expect(decode(fail)).toMatchObject({ type: 'fail', failing: B });
    const upd = encode({ ...base, type: 'update', update: { configEpoch: 7, id: C, slots: bitmapOf([[5, 9], [16383, 16383]]) } });
    expect(upd.length).toBe(HEADER_LEN + 8 + 40 + 2048);
    const back = decode(upd);
    if (typeof back === 'string') throw new Error(back);
    expect(back.update?.configEpoch).toBe(7);
    expect(back.update?.id).toBe(C);
    expect(rangesOfBitmap(back.update!.slots)).toEqual([[5, 9], [16383, 16383]]);
  });

  it('slot bitmaps: bit s&7 of byte s>>3', () => {
    const bits = bitmapOf([[0, 0], [7, 17], [16376, 16383]]);
    expect(bits[0]).toBe(0x81);
    expect(bits[1]).toBe(0xff);
    expect(bits[2]).toBe(0x03);
    expect(hasSlot(bits, 17)).toBe(true);
    expect(hasSlot(bits, 18)).toBe(false);
    expect(rangesOfBitmap(bits)).toEqual([[0, 0], [7, 17], [16376, 16383]]);
  });

  it('slotsAdded: the claimed slots the known bitmap lacks, ascending, whatever their bit', () => {
    const known = bitmapOf([[0, 5460], [16383, 16383]]);
    const claimed = bitmapOf([[0, 5470], [8000, 8000], [16375, 16383]]);
    expect(slotsAdded(claimed, known)).toEqual([...Array.from({ length: 10 }, (_, i) => 5461 + i), 8000, ...Array.from({ length: 8 }, (_, i) => 16375 + i)]);
    expect(slotsAdded(known, claimed)).toEqual([]);
    expect(slotsAdded(claimed, claimed)).toEqual([]);
    expect(slotsAdded(bitmapOf([[0, 16383]]), new Uint8Array(2048))).toHaveLength(16384);
  });
});

describe('cluster bus decoding of hostile frames', () => {
  it('never throws on mutated or truncated frames, and what decodes re-encodes', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let decodedCount = 0;
    for (let round = 0; round < 1500; round++) {
      const f = Buffer.from(fixture(FIXTURES[rnd(FIXTURES.length)]));
      // Flip bytes in the header fields that drive parsing (type, count, lengths, mflags, extensions).
      for (let k = rnd(4) + 1; k > 0; k--) f[[12, 13, 14, 15, 16, 24, 2214, 2215, 2253, 2256, 2257, 2260, 2261, rnd(f.length)][rnd(14)] % f.length] = rnd(256);
      const cut = rnd(3) === 0 ? f.subarray(0, rnd(f.length)) : f;
      if (cut.length >= 8) cut.writeUInt32BE(cut.length, 4);
      const m = decode(cut);
      if (typeof m === 'string') continue;
      decodedCount++;
      expect(() => encode(m)).not.toThrow();
    }
    expect(decodedCount).toBeGreaterThan(50);
  });

  it('a 2^64-1 epoch decodes as a safe integer that encodes back', () => {
    const f = Buffer.from(fixture('meet'));
    f.fill(0xff, 16, 32);
    const m = decode(f);
    if (typeof m === 'string') throw new Error(m);
    expect(m.currentEpoch).toBe(Number.MAX_SAFE_INTEGER);
    expect(decode(encode(m))).toMatchObject({ currentEpoch: Number.MAX_SAFE_INTEGER, configEpoch: Number.MAX_SAFE_INTEGER });
  });
});
