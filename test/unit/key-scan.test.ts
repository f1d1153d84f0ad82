// protocol/key-scan.ts (the keys of each whole multibulk command at the start of a read) and
// Keyspace.prefetch, which reads the table for those keys and must change nothing a lookup sees.
import { describe, expect, it } from 'vitest';
import { scanKeys } from '../../src/engine/protocol/key-scan.js';
import { Keyspace } from '../../src/engine/store/keyspace.js';

function resp(...argv: string[]): string {
  return `*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('');
}

/** The keys scanKeys finds in b, as strings. */
function keys(b: Buffer, max = 32): string[] {
  const out = new Int32Array(2 * max);
  const n = scanKeys(b, out);
  return Array.from({ length: n }, (_, i) => b.latin1Slice(out[2 * i], out[2 * i + 1]));
}

describe('scanKeys', () => {
  it('finds argv[1] of every whole command of a pipeline, skipping one-argument commands', () => {
    const b = Buffer.from(resp('SET', 'k1', 'v') + resp('PING') + resp('GET', 'key:000000012345') + resp('INCR', ''), 'latin1');
    expect(keys(b)).toEqual(['k1', 'key:000000012345', '']);
  });

  it('finds every key of MSET, MSETNX and MGET in any case, and only argv[1] of their look-alikes', () => {
    const b = Buffer.from(
      resp('MSET', 'a', '1', 'b', '2') + resp('mSetNx', 'c', '3', 'd', '4') + resp('mget', 'e', 'f', 'g') +
        resp('MSETX', 'h', '5', 'i', '6') + resp('MGETX', 'j', 'k') + resp('GETSET', 'l', 'm') + resp('NSET', 'n', 'o', 'p') +
        resp('MSET', 'q', '7', 'r'),
      'latin1',
    );
    expect(keys(b)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'j', 'l', 'n', 'q', 'r']);
  });

  it('takes the keys of a command that do not fit and ends there, and none of one cut off', () => {
    const b = Buffer.from(resp('GET', 'x') + resp('MSET', 'a', '1', 'b', '2', 'c', '3') + resp('GET', 'y'), 'latin1');
    expect(keys(b, 3)).toEqual(['x', 'a', 'b']);
    expect(keys(b, 4)).toEqual(['x', 'a', 'b', 'c']);
    expect(keys(b, 5)).toEqual(['x', 'a', 'b', 'c', 'y']);
    const mset = resp('MSET', 'k1', 'v1', 'k2', 'v2');
    for (let cut = 0; cut < mset.length; cut++) expect(keys(Buffer.from(resp('GET', 'x') + mset.slice(0, cut), 'latin1'))).toEqual(['x']);
  });

  it('handles keys holding CR, LF, NUL and bytes above 127 by their length', () => {
    const k = 'a\r\nb\0\xff*$';
    expect(keys(Buffer.from(resp('GET', k) + resp('GET', 'x'), 'latin1'))).toEqual([k, 'x']);
  });

  it('stops at a command cut off by the end of the read', () => {
    const whole = resp('GET', 'one') + resp('GET', 'two');
    const next = resp('SET', 'three', 'value');
    for (let cut = 0; cut < next.length; cut++) {
      expect(keys(Buffer.from(whole + next.slice(0, cut), 'latin1'))).toEqual(['one', 'two']);
    }
    expect(keys(Buffer.from(whole + next, 'latin1'))).toEqual(['one', 'two', 'three']);
  });

  it('stops at an inline command, a bad line or a missing $, and reads nothing from a read that starts mid-command', () => {
    expect(keys(Buffer.from(resp('GET', 'a') + 'PING\r\n' + resp('GET', 'b')))).toEqual(['a']);
    expect(keys(Buffer.from(resp('GET', 'a') + '*2\r\n:4\r\nPING\r\n'))).toEqual(['a']);
    expect(keys(Buffer.from(resp('GET', 'a') + '*x\r\n' + resp('GET', 'b')))).toEqual(['a']);
    expect(keys(Buffer.from(resp('GET', 'a') + '*2\r\n$-1\r\n' + resp('GET', 'b')))).toEqual(['a']);
    expect(keys(Buffer.from(resp('GET', 'a') + '*2\r\n$3\r\nGET\r\n$99999999999\r\nb\r\n'))).toEqual(['a']);
    expect(keys(Buffer.from('\r\n$1\r\na\r\n' + resp('GET', 'b')))).toEqual([]);
    expect(keys(Buffer.alloc(0))).toEqual([]);
    // A bulk length line without its CR LF, or its digits running to the end.
    expect(keys(Buffer.from('*2\r\n$3'))).toEqual([]);
    expect(keys(Buffer.from('*2\r\n$3\r'))).toEqual([]);
  });

  it('fills at most out.length / 2 ranges', () => {
    const b = Buffer.from(Array.from({ length: 40 }, (_, i) => resp('GET', `k${i}`)).join(''));
    expect(keys(b, 32)).toEqual(Array.from({ length: 32 }, (_, i) => `k${i}`));
    expect(keys(b, 3)).toEqual(['k0', 'k1', 'k2']);
  });
});

describe('Keyspace.prefetch', () => {
  it('leaves every lookup as it was: present, missing, deleted keys, holes, non-string values', () => {
    const ks = new Keyspace<unknown>();
    const model = new Map<string, unknown>();
    for (let i = 0; i < 500; i++) {
      const v = i % 3 === 0 ? Buffer.from(`v${i}`) : i % 3 === 1 ? `v${i}` : { type: 'list' };
      ks.set(`key:${i}`, v);
      model.set(`key:${i}`, v);
    }
    for (let i = 0; i < 500; i += 2) {
      ks.delete(`key:${i}`);
      model.delete(`key:${i}`);
    }
    const names = Array.from({ length: 40 }, (_, i) => `key:${i * 13}`).concat(['', 'missing', 'key:499']);
    const b = Buffer.from(names.map((k) => resp('GET', k)).join(''), 'latin1');
    const out = new Int32Array(2 * names.length);
    const n = scanKeys(b, out);
    expect(n).toBe(names.length);
    ks.prefetch(b, out, n);
    for (const k of names) expect(ks.get(k)).toBe(model.get(k));
    expect([...ks]).toEqual([...model]);
    // More keys than its scratch holds, and an empty table.
    new Keyspace().prefetch(b, out, n);
    const big = new Keyspace<number>();
    big.prefetch(b, out, n);
    expect(big.size).toBe(0);
  });
});
