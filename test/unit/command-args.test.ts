import { describe, expect, it } from 'vitest';
import { RespParser } from '../../src/engine/protocol/parser.js';
import { argvFromBytes, type CommandArgs } from '../../src/engine/protocol/command-args.js';

const limits = () => ({ maxBulkLen: 512 * 1024 * 1024, unauthenticated: false });

interface Seen {
  via: 'view' | 'argv';
  argv: Buffer[];
}

/**
 * Feeds chunks as the server does (socket-io.ts): each copied into one shared read buffer, parsed,
 * detached, then the buffer scribbled over. A view's owned argv() is taken during the callback, as
 * everything that keeps arguments does; it must survive the scribbling.
 */
function feedShared(chunks: Buffer[], onView?: (a: CommandArgs) => void): Seen[] {
  const buf = Buffer.alloc(256 * 1024);
  const p = new RespParser(limits());
  const seen: Seen[] = [];
  for (const c of chunks) {
    c.copy(buf);
    p.feed(
      buf.subarray(0, c.length),
      (argv) => seen.push({ via: 'argv', argv }),
      (a) => {
        onView?.(a);
        seen.push({ via: 'view', argv: a.argv() });
      },
    );
    p.detach();
    buf.fill(0x7a);
  }
  return seen;
}

const cmd = (...args: (string | Buffer)[]): Buffer =>
  Buffer.concat([Buffer.from(`*${args.length}\r\n`), ...args.flatMap((a) => { const b = Buffer.isBuffer(a) ? a : Buffer.from(a, 'latin1'); return [Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n')]; })]);

const hex = (s: Seen[]) => s.map((x) => x.argv.map((b) => b.toString('hex')));

describe('CommandArgs: the parser view of a command in the read buffer', () => {
  it('reads a whole command as a view: key, stored value, lengths, the range of an argument in the buffer, integers', () => {
    const checks: unknown[] = [];
    const seen = feedShared([cmd('SET', 'key:1', 'hello', '-42', '007', '-0', '')], (a) => {
      checks.push(a.name.toString(), a.count, a.key(1), a.stored(2), a.len(2), a.buf.toString('latin1', a.startOf(2), a.endOf(2)), a.safeInt(3), a.safeInt(4), a.safeInt(5), a.len(6), a.safeInt(1));
    });
    expect(seen.map((s) => s.via)).toEqual(['view']);
    expect(checks).toEqual(['SET', 7, 'key:1', 'hello', 5, 'hello', -42, null, null, 0, null]);
    expect(seen[0].argv.map((b) => b.toString())).toEqual(['SET', 'key:1', 'hello', '-42', '007', '-0', '']);
  });

  it('keeps binary bytes (NUL, 0xff, CRLF inside a bulk) exact in the view and its argv', () => {
    const bin = Buffer.from([0, 0xff, 13, 10, 0x80, 0x7f, 0]);
    const keys: string[] = [];
    const seen = feedShared([cmd('SET', bin, bin)], (a) => {
      keys.push(a.key(1));
      const v = a.stored(2);
      keys.push(typeof v === 'string' ? v : v.toString('latin1'));
    });
    expect(keys).toEqual([bin.toString('latin1'), bin.toString('latin1')]);
    expect(hex(seen)).toEqual([[Buffer.from('SET').toString('hex'), bin.toString('hex'), bin.toString('hex')]]);
  });

  it('hands a pipeline over one view at a time, sharing the repeated name Buffer', () => {
    const names: Buffer[] = [];
    const seen = feedShared([Buffer.concat([cmd('INCR', 'a'), cmd('INCR', 'b'), cmd('GET', 'c')])], (a) => names.push(a.name));
    expect(seen.map((s) => [s.via, ...s.argv.map(String)])).toEqual([['view', 'INCR', 'a'], ['view', 'INCR', 'b'], ['view', 'GET', 'c']]);
    expect(names[0]).toBe(names[1]);
  });

  it('a command split across reads at any byte arrives whole and exact (copied out, not a view)', () => {
    const value = Buffer.alloc(300, 0xab);
    const msg = Buffer.concat([cmd('SET', 'k', value), cmd('GET', 'k'), cmd('MSET', 'a', '', 'b', Buffer.from([0, 1]))]);
    const want = [['SET', 'k', value.toString('latin1')], ['GET', 'k'], ['MSET', 'a', '', 'b', '\u0000\u0001']];
    for (let cut = 1; cut < msg.length; cut++) {
      const seen = feedShared([msg.subarray(0, cut), msg.subarray(cut)]);
      expect(seen.map((s) => s.argv.map((b) => b.toString('latin1'))), `cut at ${cut}`).toEqual(want);
    }
    // A cut inside the first command: it comes copied; the two after it come as views.
    const seen = feedShared([msg.subarray(0, 20), msg.subarray(20)]);
    expect(seen.map((s) => s.via)).toEqual(['argv', 'view', 'view']);
  });

  it('a big bulk arriving in pieces is read into its own buffer and the command completes', () => {
    const big = Buffer.alloc(100 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const msg = Buffer.concat([cmd('SET', 'bigkey', big), cmd('PING')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < msg.length; i += 7000) chunks.push(msg.subarray(i, i + 7000));
    const seen = feedShared(chunks);
    expect(seen.length).toBe(2);
    expect(seen[0].argv[0].toString()).toBe('SET');
    expect(seen[0].argv[1].toString()).toBe('bigkey');
    expect(seen[0].argv[2].equals(big)).toBe(true);
    expect(seen[1].argv.map(String)).toEqual(['PING']);
  });

  it('a big bulk whole in one read comes as a view and stored() copies it out of the buffer', () => {
    const big = Buffer.alloc(40 * 1024, 0x41);
    let stored: string | Buffer = '';
    const seen = feedShared([cmd('SET', 'k', big)], (a) => (stored = a.stored(2)));
    expect(seen[0].via).toBe('view');
    expect(Buffer.isBuffer(stored) && stored.equals(big)).toBe(true);
  });

  it('inline commands go the argv way, with their bytes', () => {
    const seen = feedShared([Buffer.from('PING\r\nSET a "b c"\r\n'), cmd('GET', 'a')]);
    expect(seen.map((s) => [s.via, ...s.argv.map(String)])).toEqual([['argv', 'PING'], ['argv', 'SET', 'a', 'b c'], ['view', 'GET', 'a']]);
  });

  it('empty arguments and *0 are handled', () => {
    const seen = feedShared([Buffer.concat([Buffer.from('*0\r\n'), cmd('SET', '', ''), cmd('ECHO', '')])]);
    expect(seen.map((s) => s.argv.map((b) => b.length))).toEqual([[3, 0, 0], [4, 0]]);
  });

  it('argv() is made once per command and holds its own copies', () => {
    let first: Buffer[] = [];
    let again: Buffer[] = [];
    feedShared([cmd('LPUSH', 'l', 'x', 'y')], (a) => {
      first = a.argv();
      again = a.argv();
    });
    expect(again).toBe(first);
    // The shared read buffer was scribbled over after the feed.
    expect(first.map(String)).toEqual(['LPUSH', 'l', 'x', 'y']);
  });

  it('argvFromBytes rebuilds each command of a read from where its view said its bytes were', () => {
    const cmds = [cmd('SET', 'k', Buffer.from([0, 13, 10, 255])), cmd('GET', ''), cmd('MSET', 'a', 'x'.repeat(300), 'b', '\r\n$3\r\n')];
    const read = Buffer.concat([...cmds, Buffer.from('*2\r\n$3\r\nGET\r\n$1')]);
    const spots: { at: number; end: number; name: Buffer; argv: Buffer[] }[] = [];
    const p = new RespParser(limits());
    p.feed(read, () => undefined, (a) => spots.push({ at: a.at, end: a.end, name: a.name, argv: a.argv() }));
    expect(spots).toHaveLength(3);
    for (const s of spots) {
      const again = argvFromBytes(read, s.at, s.end, s.name);
      expect(again.map((b) => b.toString('hex'))).toEqual(s.argv.map((b) => b.toString('hex')));
      expect(again[0]).toBe(s.name);
    }
    expect(spots.map((s) => read.subarray(s.at, s.end))).toEqual(cmds);
  });
});
