// StreamValue.range against a plain sorted array: node seeks compare ID differences as numbers and
// resume from the last seek, so IDs near the u64 limits (64-bit differences, sequences that wrap
// in the stored difference) and deletions must still give exactly the brute-force answer.
import { describe, expect, it } from 'vitest';
import { StreamValue, type ReadEntry } from '../../src/engine/store/stream.js';
import { StreamNode } from '../../src/engine/store/stream-node.js';
import { LIMITS } from '../../src/engine/store/limits.js';
import { idOf, formatId, U64_MAX, ID_MAX, type StreamId } from '../../src/engine/store/stream-id.js';

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BIG = [0n, 1n, 5n, 127n, 128n, 4095n, 4096n, 70000n, 2n ** 31n, 2n ** 52n, 2n ** 53n + 3n, 2n ** 63n, U64_MAX - 1n, U64_MAX];

function build(r: () => number, n: number): { s: StreamValue; ids: StreamId[] } {
  const s = new StreamValue();
  const ids: StreamId[] = [];
  let ms = BIG[Math.floor(r() * 4)];
  let seq = BIG[Math.floor(r() * BIG.length)];
  for (let i = 0; i < n; i++) {
    const id = idOf(ms, seq);
    s.append(id, [Buffer.from('f'), Buffer.from(String(i)), ...(r() < 0.2 ? [Buffer.from('g'), Buffer.from('x')] : [])]);
    ids.push(id);
    // Next ID: same ms with a bigger seq, or a later ms with any seq (0, small or near the top).
    const jump = r();
    if (jump < 0.5 && seq < U64_MAX - 100n) seq += 1n + BigInt(Math.floor(r() * 3));
    else {
      ms += jump < 0.9 ? 1n + BigInt(Math.floor(r() * 5)) : BIG[Math.floor(r() * BIG.length)] + 1n;
      if (ms > U64_MAX - 10n) break;
      seq = r() < 0.3 ? BIG[Math.floor(r() * BIG.length)] : 0n;
    }
  }
  return { s, ids };
}

describe('StreamValue.range', () => {
  it('matches a brute-force scan over random streams with extreme IDs, deletions and repeated forward reads', () => {
    const saved = LIMITS.streamNodeMaxEntries;
    LIMITS.streamNodeMaxEntries = 7;
    try {
      for (let seed = 1; seed <= 40; seed++) {
        const r = rng(seed);
        const { s, ids } = build(r, 60 + Math.floor(r() * 80));
        const live = new Set(ids);
        for (const id of ids) if (r() < 0.15 && s.delete(id)) live.delete(id);
        const sorted = [...live].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const pick = (): StreamId => {
          const x = r();
          if (x < 0.6) return ids[Math.floor(r() * ids.length)] + BigInt(Math.floor(r() * 3)) - 1n;
          return x < 0.8 ? idOf(BIG[Math.floor(r() * BIG.length)], BIG[Math.floor(r() * BIG.length)]) : 0n;
        };
        // Reads that follow the stream forward (the seek cache's case), then random ones.
        let cursor = 0n;
        for (let q = 0; q < 120; q++) {
          const p = pick();
          const start = q < 60 ? cursor : p < 0n ? 0n : p;
          const end = r() < 0.5 ? ID_MAX : pick();
          const got = [...s.range(start < 0n ? 0n : start, end)].map((e) => e.id);
          const want = sorted.filter((id) => id >= start && id <= end);
          expect(got, `seed ${seed} range ${start}..${end}`).toEqual(want);
          // The readers' path: the same entries up to the end, each ID's text as formatId makes it.
          const read: ReadEntry[] = [];
          s.collectFrom(start < 0n ? 0n : start, 5, read);
          const from = sorted.filter((id) => id >= start).slice(0, 5);
          expect(read.map((e) => e.id), `seed ${seed} collectFrom ${start}`).toEqual(from);
          expect(read.map((e) => e.str)).toEqual(from.map(formatId));
          if (q < 60 && want.length) cursor = want[0] + 1n;
        }
        for (const id of ids) expect(s.has(id), `seed ${seed} has ${id}`).toBe(live.has(id));
      }
    } finally {
      LIMITS.streamNodeMaxEntries = saved;
    }
  });

  it('a sequence whose stored difference wraps (master x-0, entry x+1-18446744073709551615) orders as a full ID', () => {
    const s = new StreamValue();
    const f = [Buffer.from('f'), Buffer.from('v')];
    s.append(idOf(5n, 0n), f);
    s.append(idOf(6n, U64_MAX), f);
    s.append(idOf(7n, 3n), f);
    expect([...s.range(idOf(6n, 5n), ID_MAX)].map((e) => e.id)).toEqual([idOf(6n, U64_MAX), idOf(7n, 3n)]);
    expect([...s.range(idOf(6n, U64_MAX), idOf(6n, U64_MAX))].map((e) => e.id)).toEqual([idOf(6n, U64_MAX)]);
    expect([...s.range(idOf(7n, 0n), ID_MAX)].map((e) => e.id)).toEqual([idOf(7n, 3n)]);
  });
});

describe('StreamNode.append', () => {
  it('writes the same listpack from number ID halves as from BigInts (differences of every integer size, other field sets)', () => {
    const r = rng(99);
    const steps = [0, 1, 2, 127, 128, 4095, 4096, 40000, 2 ** 23, 2 ** 31, 2 ** 40];
    for (let round = 0; round < 30; round++) {
      let ms = Math.floor(r() * 2 ** 45);
      let seq = Math.floor(r() * 2 ** 20);
      const fv = (i: number) => (r() < 0.2 ? [Buffer.from('other'), Buffer.from(String(i)), Buffer.from('g'), Buffer.from('x')] : [Buffer.from('f'), Buffer.from(`v${i}`)]);
      const first = fv(0);
      const viaBig = StreamNode.create(idOf(BigInt(ms), BigInt(seq)), first, 64);
      const viaNum = StreamNode.create(idOf(BigInt(ms), BigInt(seq)), first, 64, ms, seq);
      for (let i = 1; i < 60; i++) {
        const step = steps[Math.floor(r() * steps.length)];
        if (r() < 0.5) seq += step + 1;
        else {
          ms += step + 1;
          seq = r() < 0.5 ? 0 : Math.floor(r() * 2 ** 30);
        }
        const id = idOf(BigInt(ms), BigInt(seq));
        const e = fv(i);
        viaBig.append(id, e, false, -1, -1);
        viaNum.append(id, e, false, ms, seq);
      }
      expect(viaNum.bytesView().equals(viaBig.bytesView()), `round ${round}`).toBe(true);
      expect([...viaNum.entries()].map((x) => x.id)).toEqual([...viaBig.entries()].map((x) => x.id));
    }
  });
});
