// Reply encoder for RESP2 and RESP3. Replies are encoded straight into a per-client byte buffer
// (no intermediate strings: building a long latin1 rope and converting it at write time cost a
// third of the CPU under pipelining); big bulk values are queued as their own Buffers without a
// copy. flush() hands a batch to the socket, so a pipeline's replies leave in one write.
import { formatDouble17 } from './double.js';

export type Resp = 2 | 3;
export type Sink = (data: string | Buffer, encoding?: BufferEncoding) => void;
/** A socket writer below the stream layer (socket-io.ts): 0 declined, 1 written, 2 bytes held by libuv. */
export interface DirectSink {
  write(data: Buffer | Buffer[]): 0 | 1 | 2;
}

/** Values at least this big are queued by reference instead of copied. */
const BIG_VALUE = 16 * 1024;
const INITIAL = 1024;
/** A buffer that grew past this is dropped after a flush, so idle clients stay small. */
const KEEP_MAX = 64 * 1024;
const CRLF_OK = Buffer.from('+OK\r\n');

const EMPTY_VIEW = Buffer.alloc(0);

export class ReplyWriter {
  resp: Resp = 2;
  private out: Buffer = Buffer.allocUnsafe(INITIAL);
  private pos = 0;
  /** flushDirect's last view of out, and the out it views: replies of one length, as one request at a
   * time gets, reuse it instead of making a Buffer per flush. */
  private outView: Buffer = EMPTY_VIEW;
  private outViewOf: Buffer = EMPTY_VIEW;
  /** Finished segments and big values waiting to be written, in order. */
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** When set, replies are swallowed (CLIENT REPLY OFF/SKIP, replication link from a master). */
  muted = false;

  /** Bytes queued since the last flush (for output-buffer accounting). */
  get queued(): number {
    return this.pos + this.partBytes;
  }

  private room(n: number): void {
    if (this.pos + n <= this.out.length) return;
    let size = this.out.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.out.copy(next, 0, 0, this.pos);
    this.out = next;
  }

  /** Writes a string's latin1 bytes (short ASCII strings byte by byte: cheaper than a binding call). */
  private str(s: string): void {
    const n = s.length;
    this.room(n);
    if (n < 24) {
      const out = this.out;
      let p = this.pos;
      for (let i = 0; i < n; i++) out[p++] = s.charCodeAt(i);
      this.pos = p;
    } else {
      this.pos += this.out.latin1Write(s, this.pos, n);
    }
  }

  /** Writes `<prefix><n>\r\n` with the digits produced in place. */
  private line(prefix: number, n: number): void {
    if (!Number.isSafeInteger(n)) return this.str(String.fromCharCode(prefix) + n + '\r\n');
    this.room(24);
    const out = this.out;
    let p = this.pos;
    out[p++] = prefix;
    if (n < 0) {
      out[p++] = 45;
      n = -n;
    }
    if (n < 10) out[p++] = 48 + n;
    else {
      const start = p;
      while (n > 0) {
        out[p++] = 48 + (n % 10);
        n = Math.floor(n / 10);
      }
      for (let a = start, b = p - 1; a < b; a++, b--) {
        const t = out[a];
        out[a] = out[b];
        out[b] = t;
      }
    }
    out[p++] = 13;
    out[p++] = 10;
    this.pos = p;
  }

  private bytes(b: Buffer): void {
    if (b.length >= BIG_VALUE) {
      this.cut();
      this.parts.push(b);
      this.partBytes += b.length;
      return;
    }
    const n = b.length;
    this.room(n);
    if (n <= 32) {
      // Short values byte by byte: cheaper than Buffer#copy's argument checks and binding call.
      const out = this.out;
      let p = this.pos;
      for (let i = 0; i < n; i++) out[p++] = b[i];
      this.pos = p;
    } else {
      this.pos += b.copy(this.out, this.pos);
    }
  }

  private crlf(): void {
    this.room(2);
    this.out[this.pos++] = 13;
    this.out[this.pos++] = 10;
  }

  /** Moves what the buffer holds into parts (before a big value is queued by reference). */
  private cut(): void {
    if (this.pos === 0) return;
    this.parts.push(Buffer.from(this.out.subarray(0, this.pos)));
    this.partBytes += this.pos;
    this.pos = 0;
  }

  raw(s: string): void {
    if (this.muted) return;
    this.str(s);
  }

  rawBuffer(b: Buffer): void {
    if (this.muted) return;
    this.bytes(b);
  }

  ok(): void {
    if (this.muted) return;
    this.bytes(CRLF_OK);
  }
  simple(s: string): void {
    if (this.muted) return;
    this.str('+' + s + '\r\n');
  }
  /** msg includes its prefix ("ERR ...", "WRONGTYPE ..."); newlines are replaced as Redis does.
   * Like raw(), the text is a latin1 image of the bytes (client bytes echoed back unchanged). */
  error(msg: string): void {
    if (this.muted) return;
    // addReplyErrorFormat: CR/LF trimmed at both ends, the others turned into spaces.
    this.str('-' + msg.replace(/^[\r\n]+|[\r\n]+$/g, '').replace(/[\r\n]/g, ' ') + '\r\n');
  }
  int(n: number | bigint): void {
    if (this.muted) return;
    if (typeof n === 'number') this.line(58, n);
    else this.str(':' + n + '\r\n');
  }

  bulk(v: Buffer | string | null): void {
    if (this.muted) return;
    if (v === null) return this.null();
    if (typeof v === 'string') {
      const len = Buffer.byteLength(v);
      this.line(36, len);
      if (len === v.length) this.str(v);
      else this.bytes(Buffer.from(v));
    } else {
      this.line(36, v.length);
      this.bytes(v);
    }
    this.crlf();
  }

  /** A bulk string from a latin1 string (one byte per char): a packed keyspace value. */
  bulkLatin1(s: string): void {
    if (this.muted) return;
    this.line(36, s.length);
    this.str(s);
    this.crlf();
  }

  /** A value in the form the keyspace and aggregates store it (store/compact.ts storedCopy): a packed
   * latin1 string or a Buffer; undefined is a null reply. */
  bulkStored(v: Buffer | string | undefined): void {
    if (v === undefined) this.null();
    else if (typeof v === 'string') this.bulkLatin1(v);
    else this.bulk(v);
  }

  /** Null bulk string ($-1) in RESP2, null (_) in RESP3. */
  null(): void { this.raw(this.resp === 3 ? '_\r\n' : '$-1\r\n'); }
  /** Null array (*-1) in RESP2, null (_) in RESP3. */
  nullArray(): void { this.raw(this.resp === 3 ? '_\r\n' : '*-1\r\n'); }
  array(n: number): void {
    if (!this.muted) this.line(42, n);
  }
  /** A map of n pairs: `%n` in RESP3, a flat array of 2n in RESP2. */
  map(n: number): void {
    if (!this.muted) this.line(this.resp === 3 ? 37 : 42, this.resp === 3 ? n : 2 * n);
  }
  set(n: number): void {
    if (!this.muted) this.line(this.resp === 3 ? 126 : 42, n);
  }
  push(n: number): void {
    if (!this.muted) this.line(this.resp === 3 ? 62 : 42, n);
  }
  bool(b: boolean): void { this.raw(this.resp === 3 ? (b ? '#t\r\n' : '#f\r\n') : b ? ':1\r\n' : ':0\r\n'); }

  /** A double: `,` in RESP3, a bulk string in RESP2, formatted as Redis 7.0 does (%.17g). */
  double(d: number): void {
    const s = formatDouble17(d);
    if (this.resp === 3) this.raw(',' + s + '\r\n');
    else this.raw('$' + s.length + '\r\n' + s + '\r\n');
  }

  /** Verbatim text (INFO, CLIENT LIST ...): `=len\r\ntxt:` in RESP3, bulk in RESP2. */
  verbatim(text: string, format = 'txt'): void {
    if (this.muted) return;
    if (this.resp === 3) {
      const b = Buffer.from(text);
      this.line(61, b.length + 4);
      this.str(format + ':');
      this.bytes(b);
      this.crlf();
    } else {
      this.bulk(text);
    }
  }

  bulkArray(items: (Buffer | string | null)[]): void {
    this.array(items.length);
    for (const it of items) this.bulk(it);
  }

  /** Writes fn's output even while muted: pub/sub confirmations and messages are pushed past CLIENT REPLY OFF/SKIP, as in Redis 7.0. */
  pushing(fn: () => void): void {
    const was = this.muted;
    this.muted = false;
    try {
      fn();
    } finally {
      this.muted = was;
    }
  }

  /** Where the queue stands now, for rollback(): a handler that failed half-way must not leave half a
   * reply. One number (parts * 2^32 + pos), not an object: dispatch takes a mark per command. */
  mark(): number {
    return this.parts.length * 4294967296 + this.pos;
  }

  /** Drops everything queued since mark() (an internal error replaces a half-written reply). */
  rollback(m: number): void {
    const parts = Math.floor(m / 4294967296);
    const pos = m - parts * 4294967296;
    if (this.parts.length === parts) {
      if (this.pos >= pos) this.pos = pos;
      return;
    }
    // The buffer was cut after the mark: its first pos bytes went into parts[parts].
    const head = pos > 0 ? this.parts[parts].subarray(0, pos) : null;
    this.parts.length = parts;
    this.partBytes = 0;
    for (const p of this.parts) this.partBytes += p.length;
    this.pos = 0;
    if (head) this.bytes(Buffer.from(head));
  }

  hasPending(): boolean { return this.pos > 0 || this.parts.length > 0; }

  /** How many sink calls the next flush() makes. */
  segments(): number { return this.parts.length + (this.pos > 0 ? 1 : 0); }

  /**
   * Writes everything queued through a direct writer (socket-io.ts) in one write or writev, with no
   * copy: the buffer is reused when the write completed at once, replaced when libuv holds it.
   * False when the writer declined (nothing written: use flush()).
   */
  flushDirect(io: DirectSink): boolean {
    if (this.parts.length === 0 && this.pos === 0) return true;
    let data: Buffer | Buffer[];
    if (this.parts.length === 0) {
      if (this.outView.length !== this.pos || this.outViewOf !== this.out) {
        this.outView = this.out.subarray(0, this.pos);
        this.outViewOf = this.out;
      }
      data = this.outView;
    } else {
      data = this.parts;
      if (this.pos > 0) data.push(this.out.subarray(0, this.pos));
    }
    const r = io.write(data);
    if (r === 0) {
      if (this.parts.length > 0 && this.pos > 0) this.parts.pop();
      return false;
    }
    // 2: the request holds the bytes; a buffer that grew big is not kept for an idle client.
    if (r === 2 || this.out.length > KEEP_MAX) {
      this.out = Buffer.allocUnsafe(this.out.length > KEEP_MAX ? INITIAL : this.out.length);
      // The old buffer is libuv's now, or let go.
      this.outView = this.outViewOf = EMPTY_VIEW;
    }
    // A new array only when writev was given this one (libuv may hold it).
    if (this.parts.length > 0) this.parts = [];
    this.partBytes = 0;
    this.pos = 0;
    return true;
  }

  /** Writes everything queued through the sink (one call per segment); returns the bytes written. */
  flush(sink: Sink): number {
    const n = this.queued;
    for (const p of this.parts) sink(p);
    if (this.pos > 0) {
      if (this.pos > KEEP_MAX / 4) {
        // Big batch: hand the buffer itself to the socket and start a new one.
        sink(this.out.subarray(0, this.pos));
        this.out = Buffer.allocUnsafe(this.out.length > KEEP_MAX ? INITIAL : this.out.length);
        this.outView = this.outViewOf = EMPTY_VIEW;
      } else {
        sink(Buffer.from(this.out.subarray(0, this.pos)));
      }
    }
    this.parts = [];
    this.partBytes = 0;
    this.pos = 0;
    return n;
  }
}
