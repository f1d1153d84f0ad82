// RdbLoader, the resumable outer loop of RDB decoding: fed in arbitrary pieces with small budgets it
// must give what one whole-buffer parse gives, rewind items cut off between pieces, checksum the bytes
// it has dropped, and report a cut-off file only once told the input ended.
import { describe, expect, it, vi } from 'vitest';
import { RdbLoader, type ParseOptions } from '../../src/engine/persistence/rdb-loader.js';
import { RdbError } from '../../src/engine/persistence/errors.js';
import { parseRdb, trailer, writeDbHeader, writeHeader } from '../../src/engine/persistence/rdb.js';
import { RdbWriter, writeEntry } from '../../src/engine/persistence/rdb-writer.js';
import { ListValue } from '../../src/engine/store/list.js';
import { HashValue } from '../../src/engine/store/hash.js';
import { SetValue } from '../../src/engine/store/set.js';
import { ZSetValue } from '../../src/engine/store/zset.js';
import { Keyspace } from '../../src/engine/store/keyspace.js';

const BIG = 'v'.repeat(3000);

function sampleRdb(): Buffer {
  const w = new RdbWriter({ compress: false, listMaxListpackSize: -2 }); // BIG stays findable in the bytes
  writeHeader(w, { aux: [['repl-id', 'abc']] });
  writeDbHeader(w, 0, 6, 1);
  writeEntry(w, 'short', 'hello', undefined);
  writeEntry(w, 'big', Buffer.from(BIG), Date.now() + 3_600_000);
  writeEntry(w, 'list', ListValue.from(['a', 'b', BIG].map((x) => Buffer.from(x))), undefined);
  writeEntry(w, 'hash', HashValue.from([[Buffer.from('f'), Buffer.from('v')]]), undefined);
  writeEntry(w, 'set', SetValue.from(['1', '2', 'x'].map((x) => Buffer.from(x))), undefined);
  writeEntry(w, 'zset', ZSetValue.from([[Buffer.from('m'), 1.5]]), undefined);
  writeDbHeader(w, 3, 1, 0);
  for (let i = 0; i < 200; i++) writeEntry(w, `k:${i}`, String(i), undefined);
  const chunks = w.finish();
  chunks.push(trailer(chunks, true));
  return Buffer.concat(chunks);
}

const opts = (): ParseOptions => ({ databases: 16, dropExpired: true, now: Date.now() });

/** Feeds `data` in pieces of 1..maxPiece bytes (a fixed pseudo-random sequence), stepping `budget` bytes at a time. */
function feedInPieces(data: Buffer, maxPiece: number, budget: number, headroom = 0): { loader: RdbLoader; needInput: number } {
  const loader = new RdbLoader(opts());
  let seed = 7;
  let needInput = 0;
  for (let off = 0; off < data.length;) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const n = 1 + (seed % maxPiece);
    if (headroom > 0) {
      // As FileChunks gives it: free bytes (garbage here) before the piece in its memory.
      const b = Buffer.alloc(headroom + n, 0xaa);
      data.copy(b, headroom, off, off + n);
      loader.push(b.subarray(headroom), headroom);
    } else loader.push(data.subarray(off, off + n));
    off += n;
    for (;;) {
      const r = loader.step(budget);
      if (r === 'need-input') needInput++;
      if (r !== 'more') break;
    }
  }
  loader.end();
  expect(loader.step(budget)).toBe('done');
  return { loader, needInput };
}

describe('RdbLoader', () => {
  it('decodes pieces of any size with small budgets exactly as one whole parse', () => {
    const data = sampleRdb();
    const whole = parseRdb(data, opts());
    expect(whole.keys).toBe(206);
    for (const maxPiece of [1, 7, 300, 2000]) {
      const { loader, needInput } = feedInPieces(data, maxPiece, 64);
      expect(needInput).toBeGreaterThan(0); // items really were cut off and rewound
      expect(loader.out.keys).toBe(whole.keys);
      expect(loader.out.end).toBe(data.length);
      expect(loader.out.aux).toEqual(whole.aux);
      expect([...loader.out.dbs.keys()]).toEqual([0, 3]);
      for (const id of [0, 3]) {
        expect(loader.out.dbs.get(id)?.data).toEqual(whole.dbs.get(id)?.data);
        expect(loader.out.dbs.get(id)?.expires).toEqual(whole.dbs.get(id)?.expires);
      }
      expect(loader.loaded).toBe(data.length);
    }
  });

  it('puts the undecoded rest in the room before the next piece when it fits, else joins a copy', () => {
    const data = sampleRdb();
    const whole = parseRdb(data, opts());
    for (const [maxPiece, headroom] of [[7, 4], [300, 16], [2000, 64], [2000, 4096]]) {
      const { loader } = feedInPieces(data, maxPiece, 64, headroom);
      expect(loader.out.keys).toBe(whole.keys);
      for (const id of [0, 3]) expect(loader.out.dbs.get(id)?.data).toEqual(whole.dbs.get(id)?.data);
    }
  });

  it('checksums the bytes it dropped: a flipped byte inside a value fails the load', () => {
    const data = Buffer.from(sampleRdb());
    const at = data.indexOf(BIG);
    expect(at).toBeGreaterThan(0);
    data[at + 1000] = 0x77; // content only: every item still decodes
    expect(() => parseRdb(data, opts())).toThrow(/Wrong RDB checksum/);
    expect(() => feedInPieces(data, 300, 64)).toThrow(/Wrong RDB checksum/);
    expect(() => feedInPieces(data, 300, 64, 64)).toThrow(/Wrong RDB checksum/);
  });

  it('waits for more input inside an item, and reports the cut-off item once the input ended', () => {
    const data = sampleRdb();
    const loader = new RdbLoader(opts());
    loader.push(data.subarray(0, data.length - 3));
    expect(loader.step(Infinity)).toBe('need-input');
    loader.end();
    expect(() => loader.step(Infinity)).toThrow(RdbError);
    expect(() => parseRdb(data.subarray(0, data.length - 3), opts())).toThrow(/Unexpected EOF/);
    expect(() => parseRdb(data.subarray(0, 5), opts())).toThrow(/Wrong signature/);
  });

  it('reports a duplicated key wherever it falls among the entries added together, before a later error', () => {
    /** db 2 with keys k:0..k:n-1 and `extra` after them; `cut` drops the trailer and that many bytes more. */
    const rdb = (n: number, extra: [string, number | undefined][], cut = -1): Buffer => {
      const w = new RdbWriter({ compress: false, listMaxListpackSize: -2 });
      writeHeader(w, {});
      writeDbHeader(w, 2, n + extra.length, 0);
      for (let i = 0; i < n; i++) writeEntry(w, `k:${i}`, `v${i}`, undefined);
      for (const [k, ttl] of extra) writeEntry(w, k, 'dup', ttl);
      const chunks = w.finish();
      if (cut >= 0) return Buffer.concat(chunks).subarray(0, -cut - 1);
      chunks.push(trailer(chunks, true));
      return Buffer.concat(chunks);
    };
    const cases: [Buffer, string][] = [
      [rdb(3, [['k:2', undefined]]), 'k:2'], // right after it
      [rdb(100, [['k:0', undefined]]), 'k:0'], // long after it
      [rdb(40, [['x', undefined], ['x', undefined]]), 'x'], // both not yet added
      [rdb(10, [['k:5', 1]]), 'k:5'], // an expired copy
      [rdb(10, [['k:9', undefined], ['later', undefined]], 2), 'k:9'], // then a cut-off entry
    ];
    for (const [data, key] of cases) {
      const msg = `RDB has duplicated key '${key}' in DB 2`;
      expect(() => parseRdb(data, opts())).toThrow(msg);
      for (const piece of [1, 7, 300]) expect(() => feedInPieces(data, piece, 64)).toThrow(msg);
    }
    const ok = parseRdb(rdb(100, [['k:0x', Date.now() + 60_000]]), opts());
    expect(ok.keys).toBe(101);
    expect(ok.dbs.get(2)?.expires.get('k:0x')).toBeGreaterThan(Date.now());
  });

  it('makes room up front for 2M keys at most, whatever the RESIZEDB records of all dbs claim', () => {
    const w = new RdbWriter({ compress: false, listMaxListpackSize: -2 });
    writeHeader(w, {});
    // 16 dbs each claiming 1.5M keys (a real file's counts are trusted up to the cap), one key each.
    for (let db = 0; db < 16; db++) {
      writeDbHeader(w, db, 1_500_000, 0);
      writeEntry(w, `k${db}`, 'v', undefined);
    }
    const chunks = w.finish();
    chunks.push(trailer(chunks, true));
    const reserve = vi.spyOn(Keyspace.prototype, 'reserve');
    try {
      const out = parseRdb(Buffer.concat(chunks), opts());
      expect(out.keys).toBe(16);
      const asked = reserve.mock.calls.map(([n]) => n);
      expect(asked.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 << 21);
      expect(asked[0]).toBe(1_500_000); // the first db's claim, under the cap, as it was
    } finally {
      reserve.mockRestore();
    }
  });
});
