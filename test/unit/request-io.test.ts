// The request path's fast paths: inline commands split without splitArgs, and the reply writer's
// direct flush that reuses its buffer unless libuv holds it. (The parser fed from socket-io.ts's one
// shared read buffer is covered in parser.test.ts.)
import { describe, expect, it } from 'vitest';
import { RespParser } from '../../src/engine/protocol/parser.js';
import { splitArgs } from '../../src/engine/protocol/split-args.js';
import { ReplyWriter } from '../../src/engine/protocol/writer.js';
import { parseDouble } from '../../src/engine/commands/args.js';
import { parseStrictDouble } from '../../src/engine/util/strtod.js';

const limits = () => ({ maxBulkLen: 512 * 1024 * 1024, unauthenticated: false });

describe('inline fast path', () => {
  it('splits plain inline lines as splitArgs does, sharing a repeated command name', () => {
    const lines = ['PING', ' PING  x ', 'SET k v', 'a\tb\x0bc\x0cd', 'x\ry', 'GET k', 'GET k'];
    const p = new RespParser(limits());
    const got: Buffer[][] = [];
    p.feed(Buffer.from(lines.map((l) => l + '\n').join('')), (argv) => got.push(argv));
    // Lines whose only content is separators produce nothing, as in Redis.
    const want = lines.map((l) => splitArgs(Buffer.from(l))).filter((a) => a !== null && a.length > 0);
    expect(got.map((a) => a.map((b) => b.toString('latin1')))).toEqual(want.map((a) => (a as Buffer[]).map((b) => b.toString('latin1'))));
    expect(got[5][0]).toBe(got[6][0]);
  });
});

describe('reply writer', () => {
  it('rolls back to a mark inside the buffer and across a big value', () => {
    const w = new ReplyWriter();
    w.int(1);
    const m = w.mark();
    w.int(2);
    w.rollback(m);
    w.bulk(Buffer.alloc(20_000, 0x61));
    const m2 = w.mark();
    w.int(3);
    w.bulk(Buffer.alloc(20_000, 0x62));
    w.int(4);
    w.rollback(m2);
    w.int(5);
    const out: Buffer[] = [];
    w.flush((d) => out.push(Buffer.from(d as Buffer)));
    const text = Buffer.concat(out).toString('latin1');
    expect(text).toBe(':1\r\n$20000\r\n' + 'a'.repeat(20_000) + '\r\n:5\r\n');
  });

  it('flushDirect writes everything in one call, reuses its buffer only when the write completed', () => {
    const w = new ReplyWriter();
    const seen: Buffer[][] = [];
    let result: 0 | 1 | 2 = 1;
    const io = { write: (d: Buffer | Buffer[]) => {
      if (result !== 0) seen.push((Array.isArray(d) ? d : [d]).map((b) => Buffer.from(b)));
      return result;
    } };
    w.simple('OK');
    w.int(7);
    expect(w.flushDirect(io)).toBe(true);
    expect(seen.pop()?.map((b) => b.toString())).toEqual(['+OK\r\n:7\r\n']);
    expect(w.hasPending()).toBe(false);

    // Declined: nothing is consumed, the ordinary flush still has it all (big value included).
    result = 0;
    w.int(1);
    w.bulk(Buffer.alloc(17_000, 0x63));
    w.int(2);
    expect(w.flushDirect(io)).toBe(false);
    const rest: Buffer[] = [];
    w.flush((d) => rest.push(Buffer.from(d as Buffer)));
    expect(Buffer.concat(rest).toString('latin1')).toBe(':1\r\n$17000\r\n' + 'c'.repeat(17_000) + '\r\n:2\r\n');

    // Held by libuv: the bytes handed over must not change afterwards.
    result = 2;
    let held: Buffer | null = null;
    const holdIo = { write: (d: Buffer | Buffer[]) => {
      held = d as Buffer;
      return 2 as const;
    } };
    w.int(42);
    expect(w.flushDirect(holdIo)).toBe(true);
    w.int(99);
    w.flushDirect({ write: () => 1 });
    expect((held as unknown as Buffer).toString()).toBe(':42\r\n');
  });

  it('flushDirect hands equal-length replies the same view only while its buffer is the one viewed', () => {
    const w = new ReplyWriter();
    const got: Buffer[] = [];
    const copies: string[] = [];
    let result: 1 | 2 = 1;
    const io = { write: (d: Buffer | Buffer[]) => {
      got.push(d as Buffer);
      copies.push((d as Buffer).toString());
      return result;
    } };
    for (const v of [11, 22, 33]) {
      w.int(v);
      w.flushDirect(io);
    }
    w.int(444);
    w.flushDirect(io);
    expect(copies).toEqual([':11\r\n', ':22\r\n', ':33\r\n', ':444\r\n']);
    expect(got[1]).toBe(got[0]);
    expect(got[3]).not.toBe(got[2]);
    // A held write keeps its bytes: the next reply of the same length goes out of a new buffer.
    result = 2;
    w.int(555);
    w.flushDirect(io);
    const held = got[got.length - 1];
    result = 1;
    w.int(666);
    w.flushDirect(io);
    expect(got[got.length - 1]).not.toBe(held);
    expect(held.toString()).toBe(':555\r\n');
    expect(copies.slice(-2)).toEqual([':555\r\n', ':666\r\n']);
  });
});

describe('parseDouble', () => {
  it('reads plain integers (its fast path) exactly as strtod does', () => {
    const cases = ['0', '-0', '7', '-7', '007', '-007', '123456789012345', '-999999999999999', '1234567890123456', '-', '', '1e5', '12a', ' 1', '+1', '1.5', '0x10', 'inf', '-inf', '99999999999999999999'];
    for (let i = 0; i < 200; i++) cases.push(String(Math.floor(Math.random() * 10 ** (1 + (i % 15)))) );
    for (const c of cases) {
      const got = parseDouble(Buffer.from(c, 'latin1'));
      const want = parseStrictDouble(c);
      expect(Object.is(got, want), `${JSON.stringify(c)}: ${got} vs ${want}`).toBe(true);
    }
  });
});
