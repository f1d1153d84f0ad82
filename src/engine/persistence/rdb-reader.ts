// RDB decoding, the reading half: a cursor over a Buffer that reads lengths, strings and every value
// type redis-server 7.0 can load (including ziplist/zipmap/intset/quicklist encodings of older dumps).
import type { RedisValue, StoredValue } from '../store/types.js';
import { PACK_MAX, packLoaded } from '../store/compact.js';
import { ListValue } from '../store/list.js';
import { HashValue } from '../store/hash.js';
import { SetValue } from '../store/set.js';
import { ZSetValue } from '../store/zset.js';
import { readStream } from './rdb-stream.js';
import { lzfDecompress, LzfError } from './lzf.js';
import { parseListpack } from './listpack.js';
import { parseIntset } from './intset.js';
import { parseZiplist, parseZipmap } from './legacy.js';
import { RdbEofError, RdbError } from './errors.js';
import { T } from './rdb-types.js';
import { Latin1Window } from './latin1-window.js';

const TYPE_NAMES: Record<number, string> = { [T.MODULE]: 'module', [T.MODULE_2]: 'module', [T.STREAM_LISTPACKS]: 'stream', [T.STREAM_LISTPACKS_2]: 'stream' };

export class RdbReader {
  pos = 0;
  /** Keys and short string values as latin1 strings. */
  private readonly text: Latin1Window;

  /** `origin`: the stream offset of buf[0] (a loader fed in pieces), for the offsets in errors. */
  constructor(readonly buf: Buffer, readonly end = buf.length, private readonly origin = 0) {
    this.text = new Latin1Window(buf, end);
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new RdbEofError(`Unexpected EOF reading RDB file (offset ${this.origin + this.pos}, needed ${n} more bytes)`);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  take(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** A length; `special` is set when the top bits mark an encoded string instead. */
  lenOrSpecial(): { n: number; special: boolean } {
    const x = this.lenOrEnc();
    return x >= 0 ? { n: x, special: false } : { n: -1 - x, special: true };
  }

  /** A length (>= 0), or -1 - encoding for an encoded string (no allocation on the hot path). */
  private lenOrEnc(): number {
    if (this.pos >= this.end) this.need(1);
    const b = this.buf[this.pos++];
    const kind = b >> 6;
    if (kind === 0) return b & 0x3f;
    if (kind === 1) {
      if (this.pos >= this.end) this.need(1);
      return ((b & 0x3f) << 8) | this.buf[this.pos++];
    }
    if (kind === 3) return -1 - (b & 0x3f);
    if (b === 0x80) {
      this.need(4);
      const n = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return n;
    }
    if (b === 0x81) {
      this.need(8);
      const n = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError('RDB length out of range');
      return Number(n);
    }
    throw new RdbError(`Unknown length encoding ${b} in rdbLoadLen()`);
  }

  len(): number {
    const n = this.lenOrEnc();
    if (n < 0) throw new RdbError('Unexpected encoded string where a length was expected');
    return n;
  }

  /** A string; the Buffer may share memory with the input (copy before storing long-lived). */
  strView(): Buffer {
    const n = this.lenOrEnc();
    if (n >= 0) return this.take(n);
    return this.encoded(-1 - n);
  }

  /** The decimal text of an integer-encoded string (enc 0..2), or null for another encoding. */
  private encodedInt(enc: number): string | null {
    let v: number;
    if (enc === 0) {
      this.need(1);
      v = (this.buf[this.pos] << 24) >> 24;
      this.pos += 1;
    } else if (enc === 1) {
      this.need(2);
      v = this.buf.readInt16LE(this.pos);
      this.pos += 2;
    } else if (enc === 2) {
      this.need(4);
      v = this.buf.readInt32LE(this.pos);
      this.pos += 4;
    } else {
      return null;
    }
    return String(v);
  }

  /** An integer- or LZF-encoded string (always a fresh Buffer). */
  private encoded(enc: number): Buffer {
    switch (enc) {
      case 0:
        return Buffer.from(String(this.take(1).readInt8(0)));
      case 1:
        return Buffer.from(String(this.take(2).readInt16LE(0)));
      case 2:
        return Buffer.from(String(this.take(4).readInt32LE(0)));
      case 3: {
        const clen = this.len();
        const olen = this.len();
        try {
          return lzfDecompress(this.take(clen), olen);
        } catch (e) {
          if (e instanceof LzfError) throw new RdbError(`Invalid LZF compressed string: ${e.message}`);
          throw e;
        }
      }
      default:
        throw new RdbError(`Unknown RDB string encoding type ${enc}`);
    }
  }

  /** A string as a latin1 JS string (a key), read straight from the input without a Buffer view. */
  keyString(): string {
    const n = this.lenOrEnc();
    if (n < 0) {
      const s = this.encodedInt(-1 - n);
      if (s !== null) return s;
      const b = this.encoded(-1 - n);
      return b.latin1Slice(0, b.length);
    }
    this.need(n);
    const p = this.pos;
    this.pos = p + n;
    return this.text.str(p, n);
  }

  /** A string copied out of the input, safe to keep. */
  str(): Buffer {
    const n = this.lenOrEnc();
    if (n < 0) return this.encoded(-1 - n);
    return this.str0(n);
  }

  /**
   * A string value as the keyspace stores it (what packLoaded(str()) gives): short ones decoded
   * straight to latin1 JS strings, without the Buffer copy in between.
   */
  storedString(): StoredValue {
    const n = this.lenOrEnc();
    if (n < 0) {
      const s = this.encodedInt(-1 - n);
      return s !== null ? s : packLoaded(this.encoded(-1 - n));
    }
    if (n > PACK_MAX) return this.str0(n);
    if (this.pos + n > this.end) this.need(n);
    const p = this.pos;
    this.pos = p + n;
    return this.text.str(p, n);
  }

  /** A string of n bytes (its length already read) copied out of the input. */
  private str0(n: number): Buffer {
    this.need(n);
    const out = Buffer.allocUnsafe(n);
    const src = this.buf;
    const p = this.pos;
    if (n <= 32) for (let i = 0; i < n; i++) out[i] = src[p + i];
    else src.copy(out, 0, p, p + n);
    this.pos = p + n;
    return out;
  }

  ms(): number {
    return Number(this.take(8).readBigInt64LE(0));
  }

  binaryDouble(): number {
    return this.take(8).readDoubleLE(0);
  }

  /** RDB < 8 sorted-set score: a length byte then ASCII (253 nan, 254 +inf, 255 -inf). */
  stringDouble(): number {
    const n = this.u8();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    return parseFloat(this.take(n).latin1Slice());
  }

  /** Reads the value body of a given RDB type. */
  value(type: number): RedisValue {
    switch (type) {
      case T.STRING:
        return this.str();
      case T.LIST: {
        const n = this.len();
        const items: Buffer[] = [];
        for (let i = 0; i < n; i++) items.push(this.str());
        return ListValue.from(items);
      }
      case T.SET: {
        const n = this.len();
        const items: Buffer[] = [];
        for (let i = 0; i < n; i++) items.push(this.str());
        return nonEmpty(SetValue.from(items), n);
      }
      case T.ZSET:
      case T.ZSET_2: {
        const n = this.len();
        const pairs: [Buffer, number][] = [];
        for (let i = 0; i < n; i++) {
          const m = this.str();
          const s = type === T.ZSET_2 ? this.binaryDouble() : this.stringDouble();
          if (Number.isNaN(s)) throw new RdbError('Zset with NAN score detected');
          pairs.push([m, s]);
        }
        return nonEmpty(ZSetValue.from(pairs), n);
      }
      case T.HASH: {
        const n = this.len();
        const pairs: [Buffer, Buffer][] = [];
        for (let i = 0; i < n; i++) pairs.push([this.str(), this.str()]);
        return nonEmpty(HashValue.from(pairs), n);
      }
      case T.HASH_ZIPMAP:
        return HashValue.from(parseZipmap(this.strView()));
      case T.LIST_ZIPLIST:
        return ListValue.from(parseZiplist(this.strView()));
      case T.SET_INTSET:
        return SetValue.from(parseIntset(this.strView()));
      case T.ZSET_ZIPLIST:
        return zsetFromFlat(parseZiplist(this.strView()));
      case T.ZSET_LISTPACK:
        return zsetFromFlat(parseListpack(this.strView()));
      case T.HASH_ZIPLIST:
        return HashValue.from(pairsOf(parseZiplist(this.strView())));
      case T.HASH_LISTPACK:
        return HashValue.from(pairsOf(parseListpack(this.strView())));
      case T.LIST_QUICKLIST:
      case T.LIST_QUICKLIST_2: {
        const nodes = this.len();
        const items: Buffer[] = [];
        for (let i = 0; i < nodes; i++) {
          const container = type === T.LIST_QUICKLIST_2 ? this.len() : 2;
          const blob = this.strView();
          if (container === 1) items.push(Buffer.from(blob));
          else if (container === 2) items.push(...(type === T.LIST_QUICKLIST_2 ? parseListpack(blob) : parseZiplist(blob)));
          else throw new RdbError(`Quicklist integrity check failed: unknown container ${container}`);
        }
        return ListValue.from(items);
      }
      case T.STREAM_LISTPACKS:
      case T.STREAM_LISTPACKS_2:
        return readStream(this, type);
      default:
        if (TYPE_NAMES[type]) throw new RdbError(`Values of type ${TYPE_NAMES[type]} (RDB type ${type}) are not supported by the kvctl engine`);
        throw new RdbError(`Unknown RDB encoding type ${type}`);
    }
  }
}

function nonEmpty<V extends { size: number }>(v: V, declared: number): V {
  if (declared === 0) throw new RdbError('Empty keys are not allowed in RDB');
  if (v.size !== declared) throw new RdbError('Duplicate element in RDB aggregate');
  return v;
}

function pairsOf(flat: Buffer[]): [Buffer, Buffer][] {
  if (flat.length % 2 !== 0) throw new RdbError('Hash encoding has an odd number of elements');
  const out: [Buffer, Buffer][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

function zsetFromFlat(flat: Buffer[]): ZSetValue {
  if (flat.length % 2 !== 0) throw new RdbError('Zset encoding has an odd number of elements');
  const pairs: [Buffer, number][] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const s = Number(flat[i + 1].latin1Slice());
    const score = Number.isNaN(s) ? parseRedisDouble(flat[i + 1]) : s;
    pairs.push([flat[i], score]);
  }
  return ZSetValue.from(pairs);
}

function parseRedisDouble(b: Buffer): number {
  const s = b.latin1Slice().toLowerCase();
  if (s === 'inf' || s === '+inf' || s === 'infinity') return Infinity;
  if (s === '-inf' || s === '-infinity') return -Infinity;
  throw new RdbError(`Invalid sorted set score '${s}'`);
}
