// RDB encoding, the writing half: lengths, strings (integer-encoded or LZF-compressed as Redis does),
// and every value type in the encoding Redis 7.0 would choose for it (listpack, intset, quicklist 2,
// or the plain hashtable/skiplist forms). The output is a list of chunks, never one growing buffer.
import type { RedisValue, StoredValue } from '../store/types.js';
import { ListValue } from '../store/list.js';
import { HashValue } from '../store/hash.js';
import { SetValue } from '../store/set.js';
import { ZSetValue } from '../store/zset.js';
import { StreamValue } from '../store/stream.js';
import { writeStream } from './rdb-stream.js';
import { isCanonicalInt } from '../store/string-encoding.js';
import { formatDouble17 } from '../protocol/double.js';
import { lzfCompress } from './lzf.js';
import { buildListpack, listpackEntrySize } from './listpack.js';
import { buildIntset } from './intset.js';
import { RdbError } from './errors.js';
import { T } from './rdb-types.js';

const CHUNK = 64 * 1024;

export interface EncodeOptions {
  /** rdbcompression: LZF for strings over 20 bytes when it saves at least 4 bytes. */
  compress: boolean;
  /** list-max-listpack-size: negative = a byte limit class (-2 = 8 KB), positive = entries per node. */
  listMaxListpackSize: number;
}

export const DEFAULT_ENCODE: EncodeOptions = { compress: true, listMaxListpackSize: -2 };

export class RdbWriter {
  readonly chunks: Buffer[] = [];
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  /** Bytes written so far (for INFO and progress). */
  size = 0;

  /** Read at encode time only, so a reused writer (dump.ts) can take each call's options. */
  constructor(public opts: EncodeOptions = DEFAULT_ENCODE) {}

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.seal();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(n, CHUNK));
  }

  private seal(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.pos = 0;
  }

  /** The chunks completed so far, handed over (the writer keeps going; for streaming output). */
  takeSealed(): Buffer[] {
    if (this.chunks.length === 0) return [];
    return this.chunks.splice(0, this.chunks.length);
  }

  /** All chunks written (the writer must not be used afterwards). */
  finish(): Buffer[] {
    this.seal();
    return this.chunks;
  }

  u8(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
    this.size++;
  }

  bytes(b: Buffer): void {
    const n = b.length;
    if (n > CHUNK / 2) {
      this.seal();
      this.chunks.push(b);
    } else if (n <= 32) {
      // A byte loop beats the native copy call for the short strings that dominate datasets.
      this.room(n);
      const out = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) out[p++] = b[i];
      this.pos = p;
    } else {
      this.room(n);
      this.pos += b.copy(this.buf, this.pos);
    }
    this.size += n;
  }

  /**
   * A key held as a latin1 string (keyStr), encoded exactly as str(keyBuf(s)) would be, without
   * building the Buffer unless it may need LZF.
   */
  keyStr(s: string): void {
    const n = s.length;
    if ((n <= 11 && n > 0 && isCanonicalIntStr(s)) || (this.opts.compress && n > 20)) {
      this.str(Buffer.from(s, 'latin1'));
      return;
    }
    this.len(n);
    this.room(n);
    if (n <= 32) {
      const out = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) out[p++] = s.charCodeAt(i);
      this.pos = p;
    } else {
      this.pos += this.buf.latin1Write(s, this.pos, n);
    }
    this.size += n;
  }

  /**
   * Bytes written since the writer was created or last drained, as one Buffer with `room` more bytes
   * after them (left for the caller to fill: a DUMP payload's checksum); the writer is reusable.
   */
  drain(room = 0): Buffer {
    if (this.chunks.length === 0) {
      const out = Buffer.allocUnsafe(this.pos + room);
      this.buf.copy(out, 0, 0, this.pos);
      this.pos = 0;
      return out;
    }
    this.seal();
    let n = 0;
    for (const c of this.chunks) n += c.length;
    const out = Buffer.concat(this.chunks, n + room);
    this.chunks.length = 0;
    return out;
  }

  len(n: number): void {
    this.room(9);
    const b = this.buf;
    let p = this.pos;
    if (n < 64) b[p++] = n;
    else if (n < 16384) {
      b[p++] = 0x40 | (n >> 8);
      b[p++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[p++] = 0x80;
      p = b.writeUInt32BE(n, p);
    } else {
      b[p++] = 0x81;
      p = b.writeBigUInt64BE(BigInt(n), p);
    }
    this.size += p - this.pos;
    this.pos = p;
  }

  /** Milliseconds as a little-endian int64 (EXPIRETIME_MS, ctime of modules). */
  ms(t: number): void {
    this.room(8);
    this.pos = this.buf.writeBigInt64LE(BigInt(t), this.pos);
    this.size += 8;
  }

  binaryDouble(d: number): void {
    this.room(8);
    this.pos = this.buf.writeDoubleLE(d, this.pos);
    this.size += 8;
  }

  /** A string: as an 8/16/32-bit integer when it is one, LZF when that pays, raw otherwise. */
  str(s: Buffer): void {
    const n = s.length;
    if (n <= 11 && n > 0 && isCanonicalInt(s)) {
      const v = Number(s.latin1Slice(0, n));
      if (v >= -128 && v <= 127) {
        this.room(2);
        this.buf[this.pos++] = 0xc0;
        this.buf.writeInt8(v, this.pos++);
        this.size += 2;
        return;
      }
      if (v >= -32768 && v <= 32767) {
        this.room(3);
        this.buf[this.pos++] = 0xc1;
        this.pos = this.buf.writeInt16LE(v, this.pos);
        this.size += 3;
        return;
      }
      if (v >= -2147483648 && v <= 2147483647) {
        this.room(5);
        this.buf[this.pos++] = 0xc2;
        this.pos = this.buf.writeInt32LE(v, this.pos);
        this.size += 5;
        return;
      }
    }
    if (this.opts.compress && n > 20) {
      const c = lzfCompress(s, n - 4);
      if (c) {
        this.u8(0xc3);
        this.len(c.length);
        this.len(n);
        this.bytes(c);
        return;
      }
    }
    this.len(n);
    this.bytes(s);
  }

  /** The RDB type byte of a value, as Redis 7.0 would encode it. */
  static typeOf(v: RedisValue): number {
    if (Buffer.isBuffer(v)) return T.STRING;
    if (v instanceof ListValue) return T.LIST_QUICKLIST_2;
    if (v instanceof HashValue) return v.encoding() === 'listpack' ? T.HASH_LISTPACK : T.HASH;
    if (v instanceof SetValue) return v.encoding() === 'intset' ? T.SET_INTSET : T.SET;
    if (v instanceof ZSetValue) return v.encoding() === 'listpack' ? T.ZSET_LISTPACK : T.ZSET_2;
    if (v instanceof StreamValue) return T.STREAM_LISTPACKS_2;
    throw new RdbError(`can't serialize a value of type ${v.type}`);
  }

  /** Type byte and body of a value. */
  value(v: RedisValue): void {
    const t = RdbWriter.typeOf(v);
    this.u8(t);
    this.body(t, v);
  }

  body(t: number, v: RedisValue): void {
    switch (t) {
      case T.STRING:
        return this.str(v as Buffer);
      case T.LIST_QUICKLIST_2:
        return this.quicklist(v as ListValue);
      case T.HASH_LISTPACK: {
        const flat: Buffer[] = [];
        for (const [f, x] of (v as HashValue).entries()) flat.push(f, x);
        return this.str(buildListpack(flat));
      }
      case T.HASH: {
        const h = v as HashValue;
        this.len(h.size);
        for (const [f, x] of h.entries()) {
          this.str(f);
          this.str(x);
        }
        return;
      }
      case T.SET_INTSET:
        return this.str(buildIntset((v as SetValue).members()));
      case T.SET: {
        const s = v as SetValue;
        this.len(s.size);
        for (const m of s.members()) this.str(m);
        return;
      }
      case T.ZSET_LISTPACK: {
        const flat: Buffer[] = [];
        for (const [m, score] of (v as ZSetValue).entries()) flat.push(m, Buffer.from(d2string(score)));
        return this.str(buildListpack(flat));
      }
      case T.STREAM_LISTPACKS_2:
        return writeStream(this, v as StreamValue);
      case T.ZSET_2: {
        // Highest score first, as Redis writes it (its loader then inserts at the head).
        const all = [...(v as ZSetValue).entries()];
        this.len(all.length);
        for (let i = all.length - 1; i >= 0; i--) {
          this.str(all[i][0]);
          this.binaryDouble(all[i][1]);
        }
        return;
      }
    }
  }

  /** A list as quicklist 2: listpack nodes cut at list-max-listpack-size. */
  private quicklist(l: ListValue): void {
    const fill = this.opts.listMaxListpackSize;
    const maxBytes = fill < 0 ? 4096 * 2 ** Math.min(4, -fill - 1) : 8192;
    const maxCount = fill > 0 ? fill : Infinity;
    const nodes: Buffer[][] = [];
    let cur: Buffer[] = [];
    let bytes = 7;
    for (const e of l) {
      const sz = listpackEntrySize(e);
      if (cur.length > 0 && (bytes + sz > maxBytes || cur.length >= maxCount)) {
        nodes.push(cur);
        cur = [];
        bytes = 7;
      }
      cur.push(e);
      bytes += sz;
    }
    if (cur.length > 0) nodes.push(cur);
    this.len(nodes.length);
    for (const n of nodes) {
      this.len(2); // QUICKLIST_NODE_CONTAINER_PACKED
      this.str(buildListpack(n));
    }
  }
}

/** Redis's d2string: integral doubles within 2^52 as integers, others as %.17g. */
export function d2string(d: number): string {
  if (Number.isInteger(d) && d > -4503599627370495 && d < 4503599627370496 && !Object.is(d, -0)) return String(d);
  return formatDouble17(d);
}

/** isCanonicalInt for a short latin1 key string (at most 11 chars: fits 32 bits or is rejected by str()). */
function isCanonicalIntStr(s: string): boolean {
  const n = s.length;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const c0 = s.charCodeAt(i);
  if (c0 < 48 || c0 > 57) return false;
  if (c0 === 48) return n === 1;
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** One key: optional EXPIRETIME_MS, the type byte, the key (a Buffer, or the keyspace's latin1 string), the value. */
export function writeEntry(w: RdbWriter, key: Buffer | string, v: StoredValue, expireAt: number | undefined): void {
  if (expireAt !== undefined) {
    w.u8(0xfc);
    w.ms(expireAt);
  }
  // A packed string (store/types.ts) is written like a key: the same string encodings apply.
  const t = typeof v === 'string' ? T.STRING : RdbWriter.typeOf(v);
  w.u8(t);
  if (typeof key === 'string') w.keyStr(key);
  else w.str(key);
  if (typeof v === 'string') w.keyStr(v);
  else w.body(t, v);
}
