import { describe, expect, it } from 'vitest';
import { ProtocolError, RespParser } from '../../src/engine/protocol/parser.js';
import { splitArgs } from '../../src/engine/protocol/split-args.js';

const limits = () => ({ maxBulkLen: 512 * 1024 * 1024, unauthenticated: false });

type Feed = (chunks: Buffer[]) => string[][];

/** Each chunk in its own fresh Buffer. */
const fresh: Feed = (chunks) => {
  const p = new RespParser(limits());
  const out: string[][] = [];
  for (const c of chunks) p.feed(c, (argv) => out.push(argv.map((a) => a.toString('latin1'))));
  return out;
};

/** As the server feeds it from socket-io.ts's shared read buffer: copied in, parsed, detached, and the
 * buffer scribbled over before the next chunk. The argv the parser handed out must survive all of it. */
const shared: Feed = (chunks) => {
  const buf = Buffer.alloc(64 * 1024);
  const p = new RespParser(limits());
  const argvs: Buffer[][] = [];
  for (const c of chunks) {
    c.copy(buf);
    p.feed(buf.subarray(0, c.length), (argv) => argvs.push(argv));
    p.detach();
    buf.fill(0x7a);
  }
  return argvs.map((a) => a.map((b) => b.toString('latin1')));
};

/** A message of `head`, a big bulk value and an inline PING, cut into pieces of `step` bytes. */
function bigPieces(head: string, big: Buffer, step: number): Buffer[] {
  const msg = Buffer.concat([Buffer.from(`${head}$${big.length}\r\n`), big, Buffer.from('\r\n*1\r\n$4\r\nPING\r\n')]);
  const chunks: Buffer[] = [];
  for (let i = 0; i < msg.length; i += step) chunks.push(msg.subarray(i, i + step));
  return chunks;
}

describe.each([
  ['fresh buffers', fresh],
  ['one reused read buffer', shared],
])('RESP parser fed %s', (_name, parse) => {
  const wire = Buffer.from('*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n*1\r\n$4\r\nPING\r\nPING\r\nGET  k1\tk2 \r\nGET "a b" \'c\'\r\n*0\r\n\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n');
  const expected = [['SET', 'key', 'va\r\nl'], ['PING'], ['PING'], ['GET', 'k1', 'k2'], ['GET', 'a b', 'c'], ['ECHO', '']];

  it('parses multibulk, inline and empty commands in one buffer', () => {
    expect(parse([wire])).toEqual(expected);
  });

  it('gives the same commands when split at every byte boundary', () => {
    for (let i = 1; i < wire.length; i++) {
      expect(parse([wire.subarray(0, i), wire.subarray(i)])).toEqual(expected);
    }
  });

  it('gives the same commands when fed one byte at a time', () => {
    expect(parse([...wire].map((b) => Buffer.from([b])))).toEqual(expected);
  });

  it('assembles big bulk values arriving in many pieces', () => {
    const big = Buffer.alloc(100_000, 0x61);
    const out = parse(bigPieces('*2\r\n$4\r\nECHO\r\n', big, 7001));
    expect(out.length).toBe(2);
    expect(out[0][1].length).toBe(big.length);
    expect(out[1]).toEqual(['PING']);
  });

  it('keeps a big argument arriving in pieces intact', () => {
    const big = Buffer.alloc(40_000, 0x62);
    const out = parse(bigPieces('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n', big, 3001));
    expect(out.map((a) => a.length)).toEqual([3, 1]);
    expect(out[0][2]).toBe(big.toString('latin1'));
  });
});

describe('RESP parser errors and inline splitting', () => {
  it.each([
    ['*abc\r\n', 'Protocol error: invalid multibulk length'],
    ['*1\r\n+foo\r\n', "Protocol error: expected '$', got '+'"],
    ['*1\r\n$-5\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$99999999999\r\n', 'Protocol error: invalid bulk length'],
    ['GET "unbalanced\r\n', 'Protocol error: unbalanced quotes in request'],
    ['*' + '1'.repeat(70000), 'Protocol error: too big mbulk count string'],
    ['x'.repeat(70000), 'Protocol error: too big inline request'],
  ])('rejects %j', (input, message) => {
    const p = new RespParser(limits());
    expect(() => p.feed(Buffer.from(input), () => undefined)).toThrow(new ProtocolError(message));
  });

  it('applies the unauthenticated limits', () => {
    const p = new RespParser({ maxBulkLen: 1 << 29, unauthenticated: true });
    expect(() => p.feed(Buffer.from('*11\r\n'), () => undefined)).toThrow('unauthenticated multibulk length');
    const q = new RespParser({ maxBulkLen: 1 << 29, unauthenticated: true });
    expect(() => q.feed(Buffer.from('*1\r\n$20000\r\n'), () => undefined)).toThrow('unauthenticated bulk length');
  });

  it('splits inline lines like sdssplitargs: plain tokens, quotes starting mid-token, escapes, NUL', () => {
    const split = (line: string) => splitArgs(Buffer.from(line, 'latin1'))?.map((b) => b.toString('latin1')) ?? null;
    expect(split('  SET  k   v ')).toEqual(['SET', 'k', 'v']);
    expect(split('a"b c" d')).toEqual(['ab c', 'd']);
    expect(split("x'y z'")).toEqual(['xy z']);
    expect(split('"\\x41\\n" \'it\\\'s\'')).toEqual(['A\n', "it's"]);
    expect(split('"unbalanced')).toBeNull();
    expect(split('"a"b')).toBeNull();
    expect(split('GET k\u0000ignored')).toEqual(['GET', 'k']);
    expect(split('\t\x0b\f')).toEqual([]);
  });
});
