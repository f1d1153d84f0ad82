// protocol/key-scan.ts (the keys of each whole multibulk command at the start of a read) and
// Keyspace.prefetch, which reads the table for those keys and must change nothing a lookup sees.
import { describe, expect, it, vi } from 'vitest';
import { scanKeys } from '../../src/engine/protocol/key-scan.js';
import { Keyspace } from '../../src/engine/store/keyspace.js';
import { HashValue } from '../../src/engine/store/hash.js';
import { SetValue } from '../../src/engine/store/set.js';

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

  it('gives argv[2] beside the key of the hash and set commands that name a field or member there, else -1', () => {
    const cmds: [string[], string | null][] = [
      [['SADD', 's', 'm1'], 'm1'], [['GET', 'x'], null], [['HSET', 'h', 'f\r\n', 'v'], 'f\r\n'], [['MSET', 'a', '1', 'b', '2'], null],
      [['SET', 'k', 'v'], null], [['hget', 'h', 'f'], 'f'], [['HMGET', 'h', 'f', 'g'], 'f'], [['HINCRBYFLOAT', 'h', 'f', '1'], 'f'],
      [['SREM', 's', 'm'], 'm'], [['sIsMember', 's', 'm'], 'm'], [['SMISMEMBER', 's', 'm', 'n'], 'm'], [['HDEL', 'h', ''], ''],
      [['HRANDFIELD', 'h', '2'], null], [['HSCAN', 'h', '0'], null], [['SRANDMEMBER', 's', '2'], null], [['SPOP', 's', '2'], null],
      [['SSCAN', 's', '0'], null], [['SMOVE', 's', 't', 'm'], null], [['SINTERCARD', '2', 's', 't'], null], [['SORT', 's', 'ALPHA'], null],
      [['SETEX', 'k', '10', 'v'], null], [['HGETALL', 'h'], null],
    ];
    const b = Buffer.from(cmds.map(([argv]) => resp(...argv)).join(''), 'latin1');
    const out = new Int32Array(128);
    const seconds = new Int32Array(128).fill(7);
    const n = scanKeys(b, out, seconds);
    // MSET's two keys each get -1.
    const expected = cmds.flatMap(([argv, second]) => (argv[0] === 'MSET' ? [null, null] : [second]));
    expect(n).toBe(expected.length);
    const second = (i: number) => (seconds[2 * i] < 0 ? null : b.latin1Slice(seconds[2 * i], seconds[2 * i + 1]));
    expect(Array.from({ length: n }, (_, i) => second(i))).toEqual(expected);
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

  it('touches the fields and members of indexed hashes and sets and changes nothing they answer', () => {
    const ks = new Keyspace<unknown>();
    const h = new HashValue();
    const s = new SetValue();
    for (let i = 0; i < 300; i++) {
      h.set(Buffer.from(`f${i}`), Buffer.from(`v${i}`));
      s.add(Buffer.from(`m${i}`));
    }
    const small = new SetValue();
    small.add(Buffer.from('only'));
    ks.set('h', h);
    ks.set('s', s);
    ks.set('small', small);
    ks.set('str', 'x');
    ks.set('raw', Buffer.from('raw'));
    const cmds = [resp('HSET', 'h', 'f1', 'new'), resp('SADD', 's', 'm7'), resp('SADD', 's', 'absent'), resp('HGET', 'h', 'nope'),
      resp('SADD', 'small', 'only'), resp('APPEND', 'str', 'y'), resp('APPEND', 'raw', 'y'), resp('HSET', 'h', 'x'.repeat(500), 'v'),
      resp('SISMEMBER', 'missing', 'm1')];
    const b = Buffer.from(cmds.join(''), 'latin1');
    const out = new Int32Array(64);
    const seconds = new Int32Array(64);
    const n = scanKeys(b, out, seconds);
    expect(n).toBe(cmds.length);
    const touched = (v: HashValue | SetValue) => {
      const spy = vi.spyOn(v, 'touchMembers');
      return () => spy.mock.calls.map(([buf, r, from, to]) => Array.from({ length: to - from }, (_, i) => buf.latin1Slice(r[2 * (from + i)], r[2 * (from + i) + 1])));
    };
    const [ofH, ofS, ofSmall] = [touched(h), touched(s), touched(small)];
    ks.prefetch(b, out, n, seconds);
    // One call per run of commands on the same value; a field past MAX_TOUCHED bytes is left alone.
    expect(ofH()).toEqual([['f1'], ['nope']]);
    expect(ofS()).toEqual([['m7', 'absent']]);
    expect(ofSmall()).toEqual([['only']]);
    expect(h.size).toBe(300);
    expect(h.get(Buffer.from('f1'))?.toString()).toBe('v1');
    expect(s.size).toBe(300);
    expect(s.has(Buffer.from('m7'))).toBe(true);
    expect(s.has(Buffer.from('absent'))).toBe(false);
    expect(small.size).toBe(1);
    expect(ks.get('str')).toBe('x');
    expect(ks.size).toBe(5);
  });
});
