import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import { PORTS } from '../helpers/ports.js';

// The host libraries (cjson, cmsgpack, bit, struct) against redis-server's, byte for byte: every
// case returns the library's output itself (binary outputs as bulk strings) or its error.
describe('cjson / cmsgpack / bit / struct match redis-server', () => {
  const pair = usePair(PORTS.scripting + 10);

  it('cjson.encode', async () => {
    expect(await diff(pair, script(`
      EVAL "return cjson.encode({1,2,'a/b\\\\\\"c\\\\\\\\', {x=1}, 0.1, 1e15, 123456789012345, -0, 1/3, true, cjson.null})" 0
      EVAL "return cjson.encode({})" 0
      EVAL "return cjson.encode({[1]=1,[3]=3})" 0
      EVAL "return cjson.encode({[1]=1,[30]=3})" 0
      EVAL "return cjson.encode(string.char(0,1,8,9,10,12,13,31,127,128,255))" 0
      EVAL "return cjson.encode({a=1,b=2,c={d=3},e='x',f={1,2}})" 0
      EVAL "return cjson.encode({[1.5]=1})" 0
      EVAL "return cjson.encode({[true]=1})" 0
      EVAL "return cjson.encode(function() end)" 0
      EVAL "return cjson.encode(1/0)" 0
      EVAL "return cjson.encode({1,nil,3})" 0
      EVAL "return cjson.encode(12345678901234567890)" 0
      EVAL "return cjson.encode(-1.5e-7)" 0
      EVAL "return cjson.encode()" 0
      EVAL "return cjson.encode('x', 'y')" 0
      EVAL "return cjson.encode({name='job', data={a={b={c={}}}}, opts={attempts=3, delay=0, jobId='1'}})" 0
    `))).toEqual([]);
  });

  it('cjson.decode', async () => {
    expect(await diff(pair, script(`
      EVAL "local t = cjson.decode('{\\\\"a\\\\":[1,2,{\\\\"b\\\\":null}],\\\\"c\\\\":\\\\"\\\\\\\\u00e9x\\\\"}') return {t.a[1], tostring(t.a[3].b == cjson.null), t.c}" 0
      EVAL "return cjson.decode('[1,2')" 0
      EVAL "return cjson.decode('')" 0
      EVAL "return cjson.decode('{\\\\"a\\\\":}')" 0
      EVAL "return cjson.decode('nul')" 0
      EVAL "return cjson.decode('[1] x')" 0
      EVAL "return cjson.decode('{1:2}')" 0
      EVAL "return cjson.decode('{\\\\"a\\\\" 2}')" 0
      EVAL "return cjson.decode('[1 2]')" 0
      EVAL "return tostring(cjson.decode('1.5e3'))" 0
      EVAL "return cjson.encode(cjson.decode('{\\\\"n\\\\":12345678901234567890}'))" 0
      EVAL "return cjson.encode(cjson.decode('[\\\\"\\\\\\\\ud83d\\\\\\\\ude00\\\\", \\\\"\\\\\\\\/\\\\\\\\n\\\\", true, false, -0.5]'))" 0
      EVAL "return cjson.decode('\\\\"abc')" 0
      EVAL "return cjson.decode('\\\\"\\\\\\\\q\\\\"')" 0
      EVAL "return cjson.decode()" 0
      EVAL "return cjson.decode({})" 0
    `))).toEqual([]);
  });

  it('cmsgpack', async () => {
    expect(await diff(pair, script(`
      EVAL "return cmsgpack.pack(1, -1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649)" 0
      EVAL "return cmsgpack.pack(1.5, 0.1, 1e300, -0.25, 2^53, 1/0)" 0
      EVAL "return cmsgpack.pack('', 'abc', string.rep('x', 31), string.rep('y', 32), string.rep('z', 300), string.rep('w', 70000))" 0
      EVAL "return cmsgpack.pack({}, {1,2,3}, {a=1}, {1,2,nil,4}, {[2]=1}, true, false, nil)" 0
      EVAL "return cmsgpack.pack({{{{{{{{{{{{{{{{{{{{1}}}}}}}}}}}}}}}}}}}})" 0
      EVAL "return cmsgpack.pack(string.rep('a', 20), {x={y={1,2}}, name='n'})" 0
      EVAL "return cmsgpack.pack()" 0
      EVAL "local a, b, c = cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, {four=4}})) return {a, b, c[1], c[2].four}" 0
      EVAL "return {cmsgpack.unpack(cmsgpack.pack(-1, 2^40, 0.5, -2147483649))}" 0
      EVAL "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}" 0
      EVAL "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}" 0
      EVAL "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}" 0
      EVAL "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 5, 1)}" 0
      EVAL "return cmsgpack.unpack('\\\\xdc')" 0
      EVAL "return cmsgpack.unpack(string.char(0xc1))" 0
      EVAL "return cmsgpack.unpack(string.char(0xa5, 65))" 0
      EVAL "return tostring(cmsgpack.unpack(string.char(0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0)))" 0
      EVAL "return {cmsgpack.unpack(string.char(0xc4, 2, 0, 255, 0xd9, 1, 66, 0xc0, 0xc3))}" 0
    `))).toEqual([]);
  });

  it('bit', async () => {
    expect(await diff(pair, script(`
      EVAL "return {bit.tobit(0xffffffff), bit.tobit(2^32 + 5), bit.tobit(-1), bit.tobit(1.5), bit.tobit(2.5), bit.tobit(-2.5)}" 0
      EVAL "return {bit.band(0xff, 0x0f, 0x3), bit.bor(1, 2, 4), bit.bxor(5, 3), bit.bnot(0)}" 0
      EVAL "return {bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-256, 4), bit.lshift(1, 33)}" 0
      EVAL "return {bit.rol(0x12345678, 8), bit.ror(0x12345678, 8), bit.bswap(0x12345678)}" 0
      EVAL "return {bit.tohex(255), bit.tohex(-1), bit.tohex(255, 2), bit.tohex(255, -4), bit.tohex(0x12345678, 10)}" 0
      EVAL "return bit.band('12', 4)" 0
      EVAL "return bit.band('x', 4)" 0
      EVAL "return bit.band()" 0
    `))).toEqual([]);
  });

  it('struct', async () => {
    expect(await diff(pair, script(`
      EVAL "return struct.pack('>i4', 1)" 0
      EVAL "return struct.pack('<i4', -2)" 0
      EVAL "return struct.pack('bBhHlLi2I2', -1, 255, -300, 65000, -5, 7, -2, 3)" 0
      EVAL "return struct.pack('>fd', 1.5, -0.1)" 0
      EVAL "return struct.pack('s', 'abc')" 0
      EVAL "return struct.pack('c5', 'abcdefg')" 0
      EVAL "return struct.pack('c0', 'abc')" 0
      EVAL "return struct.pack('!4 b i4', 1, 2)" 0
      EVAL "return struct.pack('x>I3', 70000)" 0
      EVAL "return {struct.unpack('>i4', struct.pack('>i4', -7))}" 0
      EVAL "return {struct.unpack('bBhH', struct.pack('bBhH', -1, 255, -300, 65000))}" 0
      EVAL "return {struct.unpack('s', 'abc\\\\0rest')}" 0
      EVAL "return {struct.unpack('Bc0', struct.pack('Bc0', 3, 'xyz'))}" 0
      EVAL "return {struct.unpack('>i2', 'abcdef', 3)}" 0
      EVAL "return struct.size('bhi4dc3')" 0
      EVAL "return struct.size('!8 bd')" 0
      EVAL "return struct.unpack('i4', 'ab')" 0
      EVAL "return struct.pack('q', 1)" 0
      EVAL "return struct.size('s')" 0
      EVAL "return {struct.unpack('>d', struct.pack('>d', 3.25))}" 0
    `))).toEqual([]);
  });
});
