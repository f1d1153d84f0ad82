// Decoders for the compact encodings inside RDB values, on hand-assembled inputs laid out as the
// RDB format describes them (ziplist and zipmap are only written by older Redis versions).
import { describe, expect, it } from 'vitest';
import { buildListpack, parseListpack } from '../../src/engine/persistence/listpack.js';
import { buildIntset, parseIntset } from '../../src/engine/persistence/intset.js';
import { parseZiplist, parseZipmap } from '../../src/engine/persistence/legacy.js';
import { RdbError } from '../../src/engine/persistence/errors.js';
import { dumpValue, restoreValue } from '../../src/engine/persistence/dump.js';
import { ZSetValue } from '../../src/engine/store/zset.js';
import { RdbReader } from '../../src/engine/persistence/rdb-reader.js';

const s = (xs: Buffer[]) => xs.map(String);

describe('RDB value encodings', () => {
  it('listpack round-trips every integer width and string length class', () => {
    const items = ['0', '127', '128', '-4096', '4095', '32767', '-32768', '8388607', '-2147483648', '9223372036854775807', '007', '', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(5000)];
    expect(s(parseListpack(buildListpack(items.map((x) => Buffer.from(x)))))).toEqual(items);
  });

  it('listpack rejects a wrong header, count or terminator', () => {
    const lp = buildListpack([Buffer.from('a'), Buffer.from('b')]);
    const badCount = Buffer.from(lp);
    badCount.writeUInt16LE(3, 4);
    expect(() => parseListpack(badCount)).toThrow(RdbError);
    expect(() => parseListpack(lp.subarray(0, lp.length - 1))).toThrow(RdbError);
  });

  it('intset picks the narrowest width and decodes sorted', () => {
    const b = buildIntset(['5', '-3', '70000'].map((x) => Buffer.from(x)));
    expect(b.readUInt32LE(0)).toBe(4);
    expect(s(parseIntset(b))).toEqual(['-3', '5', '70000']);
    expect(buildIntset([Buffer.from('5000000000')]).readUInt32LE(0)).toBe(8);
  });

  it('ziplist: strings, immediate, 8/16/24/32/64-bit integers', () => {
    const entries = Buffer.concat([
      Buffer.from([0x00, 0x03, 0x61, 0x62, 0x63]), // prevlen 0, 6-bit str "abc"
      Buffer.from([0x05, 0xf2]), // immediate 1 (0xf1 = 0)
      Buffer.from([0x02, 0xfe, 0x80]), // int8 -128
      Buffer.from([0x03, 0xc0, 0x39, 0x30]), // int16 12345
      Buffer.from([0x04, 0xf0, 0x40, 0x42, 0x0f]), // int24 1000000
      Buffer.from([0x05, 0xd0, 0xff, 0xff, 0xff, 0x7f]), // int32
      Buffer.from([0x06, 0xe0, 1, 0, 0, 0, 1, 0, 0, 0]), // int64 2^32+1
    ]);
    const head = Buffer.alloc(10);
    const zl = Buffer.concat([head, entries, Buffer.from([0xff])]);
    zl.writeUInt32LE(zl.length, 0);
    zl.writeUInt16LE(7, 8);
    expect(s(parseZiplist(zl))).toEqual(['abc', '1', '-128', '12345', '1000000', '2147483647', '4294967297']);
    expect(() => parseZiplist(zl.subarray(0, zl.length - 3))).toThrow(RdbError);
  });

  it('zipmap field/value pairs with free space', () => {
    const zm = Buffer.from([0x02, 0x01, 0x61, 0x02, 0x01, 0x78, 0x79, 0x00, 0x01, 0x62, 0x01, 0x00, 0x7a, 0xff]);
    expect(parseZipmap(zm).map(([f, v]) => `${f}=${v}`)).toEqual(['a=xy', 'b=z']);
  });

  it('DUMP/RESTORE keep sorted-set scores exactly, infinities included', () => {
    const z = ZSetValue.from([[Buffer.from('a'), 0.1], [Buffer.from('b'), -Infinity], [Buffer.from('c'), 1e300]]);
    const back = restoreValue(dumpValue(z)) as ZSetValue;
    expect([...back.entries()].map(([m, sc]) => `${m}:${sc}`)).toEqual(['b:-Infinity', 'a:0.1', 'c:1e+300']);
    const bad = dumpValue(Buffer.from('x'));
    bad[bad.length - 1] ^= 1;
    expect(() => restoreValue(bad)).toThrow('DUMP payload version or checksum are wrong');
  });

  it('reads short and long keys and values the same through the text window, across window ends', () => {
    // Length-prefixed strings (6-bit lengths), mostly 1-12 bytes (cut from the text window, so its
    // ends fall inside strings) and every tenth 13-63 (latin1Slice), over many windows.
    const parts: Buffer[] = [];
    const want: string[] = [];
    let size = 0;
    for (let i = 0; size < 3.2 * 2 ** 20; i++) {
      const n = i % 10 === 9 ? 13 + (i % 51) : 1 + (i % 12);
      const bytes = Buffer.from(Array.from({ length: n }, (_, j) => (i * 7 + j * 13) & 0xff));
      parts.push(Buffer.from([n]), bytes);
      want.push(bytes.latin1Slice(0, n));
      size += n + 1;
    }
    const r = new RdbReader(Buffer.concat(parts));
    const got = want.map((_, i) => {
      const v = i % 2 === 0 ? r.keyString() : r.storedString();
      return typeof v === 'string' ? v : (v as Buffer).latin1Slice(0, (v as Buffer).length);
    });
    expect(got).toEqual(want);
    expect(r.remaining).toBe(0);
  });
});
