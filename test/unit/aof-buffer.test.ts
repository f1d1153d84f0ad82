import { describe, expect, it } from 'vitest';
import { AofBuffer } from '../../src/engine/persistence/aof-buffer.js';
import { encodeCommand } from '../../src/engine/protocol/command-encoder.js';
import { AofCommandReader, AofError } from '../../src/engine/persistence/aof-replay.js';

const b = (s: string) => Buffer.from(s);

/** Everything pending, drained through a writer that takes at most `chunk` bytes per call. */
function drainAll(buf: AofBuffer, chunk = Infinity): Buffer {
  const out: Buffer[] = [];
  buf.drain((data, off, len) => {
    const n = Math.min(len, chunk);
    out.push(Buffer.from(data.subarray(off, off + n)));
    return n;
  });
  return Buffer.concat(out);
}

describe('AOF buffer', () => {
  it('encodes commands byte for byte as encodeCommand, across growth and reuse', () => {
    const cmds: Buffer[][] = [
      [b('SET'), b('k'), b('v')],
      [b('SELECT'), b('9')],
      [b('SET'), b('empty'), Buffer.alloc(0)],
      [b('MSET'), ...Array.from({ length: 12 }, (_, i) => b(`key:${i}`))],
      [b('SET'), b('bin'), Buffer.from([0, 13, 10, 255, 36, 42])],
      [b('SET'), b('big'), Buffer.alloc(200_000, 0x61)], // past the initial 64 KB
      [b('SET'), b('mid'), Buffer.alloc(33, 0x62)],
    ];
    const buf = new AofBuffer();
    for (let round = 0; round < 2; round++) {
      for (const c of cmds) buf.command(c);
      expect(buf.length).toBe(cmds.reduce((n, c) => n + encodeCommand(c).length, 0));
      expect(drainAll(buf, round === 0 ? Infinity : 7).equals(Buffer.concat(cmds.map(encodeCommand)))).toBe(true);
      expect(buf.length).toBe(0);
    }
  });

  it('keeps the unwritten tail when a write throws, so a retry appends exactly what is missing', () => {
    const buf = new AofBuffer();
    buf.command([b('SET'), b('a'), b('1')]);
    buf.command([b('SET'), b('b'), b('2')]);
    const whole = Buffer.concat([encodeCommand([b('SET'), b('a'), b('1')]), encodeCommand([b('SET'), b('b'), b('2')])]);
    const file: Buffer[] = [];
    let calls = 0;
    expect(() => buf.drain((data, off, len) => {
      if (++calls === 2) throw new Error('ENOSPC');
      file.push(Buffer.from(data.subarray(off, off + 10)));
      return Math.min(10, len);
    })).toThrow('ENOSPC');
    expect(buf.length).toBe(whole.length - 10);
    buf.command([b('DEL'), b('a')]);
    file.push(drainAll(buf));
    expect(Buffer.concat(file).equals(Buffer.concat([whole, encodeCommand([b('DEL'), b('a')])]))).toBe(true);
  });
});

describe('AOF command reader', () => {
  const cmds = [[b('SET'), b('k1'), b('v1')], [b('SET'), b('k2'), Buffer.alloc(100, 0x78)], [b('MULTI')], [b('DEL'), b('k1')], [b('EXEC')]];
  const file = Buffer.concat(cmds.map(encodeCommand));
  const ends = cmds.map((_, i) => Buffer.concat(cmds.slice(0, i + 1).map(encodeCommand)).length);

  it('reads back what the AOF buffer wrote, reusing a repeated command name', () => {
    const r = new AofCommandReader(file, 0);
    const got: Buffer[][] = [];
    for (let argv = r.next(); argv; argv = r.next()) got.push(argv);
    expect(got.map((a) => a.map(String))).toEqual(cmds.map((a) => a.map(String)));
    expect(got[1][0]).toBe(got[0][0]); // SET SET: the same Buffer, resolved once by dispatch
    expect(r.pos).toBe(file.length);
  });

  it('reports a cut anywhere as truncated at the start of the cut command, and bad bytes as bad format', () => {
    for (let cut = 1; cut < file.length; cut++) {
      const r = new AofCommandReader(file.subarray(0, cut), 0);
      const start = [0, ...ends].filter((e) => e <= cut).pop() as number;
      let err: unknown = null;
      try {
        while (r.next());
      } catch (e) {
        err = e;
      }
      if (start === cut) expect(err).toBeNull();
      else {
        expect(err).toBeInstanceOf(AofError);
        expect({ truncated: (err as AofError).truncated, at: (err as AofError).validEnd }).toEqual({ truncated: true, at: start });
      }
    }
    const bad = Buffer.from(file);
    bad[ends[0] + 1] = 0x78; // '*3' -> '*x' in the second command
    const r = new AofCommandReader(bad, 0);
    r.next();
    expect(() => r.next()).toThrow(expect.objectContaining({ truncated: false, validEnd: ends[0] }));
  });
});

describe('AOF command reader, plain SET', () => {
  const cmds = [
    [b('SET'), b('k'), b('v')],
    [b('set'), b('key:1'), b('value:1')],
    [b('SeT'), Buffer.from([0x80, 0xff, 0x00, 0x0d]), Buffer.alloc(0)],
    [b('SET'), b('k13'), Buffer.alloc(13, 0x61)],
    [b('SET'), b('k44'), Buffer.alloc(44, 0xe9)],
    [b('SET'), b('k45'), Buffer.alloc(45, 0x62)],
    [b('SET'), b('k'), b('v'), b('EX'), b('10')],
    [b('SETNX'), b('a'), b('b')],
    [b('SET'), b('k')],
    [b('MSET'), b('a'), b('b')],
    [b('GET'), b('set')],
  ];
  const file = Buffer.concat(cmds.map(encodeCommand));
  const isPlainSet = (a: Buffer[]) => a.length === 3 && a[0].toString().toLowerCase() === 'set';
  const stored = (v: string | Buffer | object) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : v);

  it('takes exactly the three-argument SETs, with the key and value next() would give', () => {
    const r = new AofCommandReader(file, 0);
    const got: string[] = [];
    for (const argv of cmds) {
      const at = r.pos;
      if (r.plainSet()) {
        got.push('plain');
        expect(isPlainSet(argv)).toBe(true);
        expect(r.setKey).toBe(argv[1].toString('latin1'));
        expect(stored(r.setValue)).toEqual(argv[2]);
      } else {
        expect(r.pos).toBe(at); // nothing read
        got.push('next');
        expect(r.next()?.map((x) => x.toString('latin1'))).toEqual(argv.map((x) => x.toString('latin1')));
      }
    }
    expect(got).toEqual(cmds.map((a) => (isPlainSet(a) ? 'plain' : 'next')));
    expect(r.pos).toBe(file.length);
  });

  it('never takes a cut or damaged SET: next() reports it', () => {
    const first = encodeCommand(cmds[1]);
    for (let cut = 1; cut < first.length; cut++) {
      const r = new AofCommandReader(first.subarray(0, cut), 0);
      expect(r.plainSet()).toBe(false);
      expect(() => r.next()).toThrow(expect.objectContaining({ truncated: true, validEnd: 0 }));
    }
    for (let i = 0; i < first.length; i++) {
      const bad = Buffer.from(first);
      bad[i] = 0x78;
      const r = new AofCommandReader(bad, 0);
      // A damaged byte inside the key or the value is still a plain SET, of other bytes.
      const inData = i >= first.indexOf('key:1') && i < first.indexOf('key:1') + 5 || i >= first.indexOf('value:1') && i < first.indexOf('value:1') + 7;
      expect(r.plainSet()).toBe(inData);
    }
  });
});
