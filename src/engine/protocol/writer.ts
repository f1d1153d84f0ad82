// Reply encoder for RESP2 and RESP3. Small replies accumulate in one latin1 string (V8 ropes make
// that cheap); big bulk values are queued as Buffers. flush() hands everything to the socket as one
// write (or one corked batch), so a pipeline's replies leave in a single syscall.
import { formatDouble17 } from './double.js';

export type Resp = 2 | 3;
export type Sink = (data: string | Buffer, encoding?: BufferEncoding) => void;

/** Values at least this big are not copied into the string accumulator. */
const INLINE_BULK_MAX = 1024;

export class ReplyWriter {
  resp: Resp = 2;
  private acc = '';
  private parts: (string | Buffer)[] = [];
  /** Bytes queued since the last flush (for output-buffer accounting). */
  queued = 0;
  /** When set, replies are swallowed (CLIENT REPLY OFF/SKIP, replication link from a master). */
  muted = false;

  raw(s: string): void {
    if (this.muted) return;
    this.acc += s;
    this.queued += s.length;
  }

  rawBuffer(b: Buffer): void {
    if (this.muted) return;
    if (b.length < INLINE_BULK_MAX) {
      this.acc += b.latin1Slice(0, b.length);
    } else {
      if (this.acc) this.parts.push(this.acc);
      this.acc = '';
      this.parts.push(b);
    }
    this.queued += b.length;
  }

  ok(): void { this.raw('+OK\r\n'); }
  simple(s: string): void { this.raw('+' + s + '\r\n'); }
  /** msg includes its prefix ("ERR ...", "WRONGTYPE ..."); newlines are replaced as Redis does. */
  error(msg: string): void { this.raw('-' + msg.replace(/[\r\n]/g, ' ') + '\r\n'); }
  int(n: number | bigint): void { this.raw(':' + n + '\r\n'); }

  bulk(v: Buffer | string | null): void {
    if (v === null) return this.null();
    if (typeof v === 'string') {
      const len = Buffer.byteLength(v);
      this.raw('$' + len + '\r\n' + (len === v.length ? v : Buffer.from(v).latin1Slice()) + '\r\n');
      return;
    }
    this.raw('$' + v.length + '\r\n');
    this.rawBuffer(v);
    this.raw('\r\n');
  }

  /** Null bulk string ($-1) in RESP2, null (_) in RESP3. */
  null(): void { this.raw(this.resp === 3 ? '_\r\n' : '$-1\r\n'); }
  /** Null array (*-1) in RESP2, null (_) in RESP3. */
  nullArray(): void { this.raw(this.resp === 3 ? '_\r\n' : '*-1\r\n'); }
  array(n: number): void { this.raw('*' + n + '\r\n'); }
  /** A map of n pairs: `%n` in RESP3, a flat array of 2n in RESP2. */
  map(n: number): void { this.raw(this.resp === 3 ? '%' + n + '\r\n' : '*' + 2 * n + '\r\n'); }
  set(n: number): void { this.raw(this.resp === 3 ? '~' + n + '\r\n' : '*' + n + '\r\n'); }
  push(n: number): void { this.raw(this.resp === 3 ? '>' + n + '\r\n' : '*' + n + '\r\n'); }
  bool(b: boolean): void { this.raw(this.resp === 3 ? (b ? '#t\r\n' : '#f\r\n') : b ? ':1\r\n' : ':0\r\n'); }

  /** A double: `,` in RESP3, a bulk string in RESP2, formatted as Redis 7.0 does (%.17g). */
  double(d: number): void {
    const s = formatDouble17(d);
    if (this.resp === 3) this.raw(',' + s + '\r\n');
    else this.raw('$' + s.length + '\r\n' + s + '\r\n');
  }

  /** Verbatim text (INFO, CLIENT LIST ...): `=len\r\ntxt:` in RESP3, bulk in RESP2. */
  verbatim(text: string, format = 'txt'): void {
    if (this.resp === 3) {
      const b = Buffer.from(text);
      this.raw('=' + (b.length + 4) + '\r\n' + format + ':');
      this.rawBuffer(b);
      this.raw('\r\n');
    } else {
      this.bulk(text);
    }
  }

  bulkArray(items: (Buffer | string | null)[]): void {
    this.array(items.length);
    for (const it of items) this.bulk(it);
  }

  hasPending(): boolean { return this.acc.length > 0 || this.parts.length > 0; }

  /** Writes everything queued through the sink; returns the bytes written. */
  flush(sink: Sink): number {
    const n = this.queued;
    if (this.parts.length === 0) {
      if (this.acc) sink(this.acc, 'latin1');
    } else {
      if (this.acc) this.parts.push(this.acc);
      // One write: strings are latin1 byte images, so the concat is exact.
      sink(Buffer.concat(this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))));
    }
    this.acc = '';
    this.parts = [];
    this.queued = 0;
    return n;
  }
}
