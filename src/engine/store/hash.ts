// Hash values: field -> value in a DenseIndex. Reports listpack until it outgrows
// hash-max-listpack-entries / hash-max-listpack-value, then hashtable for good (as Redis converts).
// Values are kept as the keyspace keeps strings (store/compact.ts storedCopy): up to 44 bytes packed
// as latin1 strings, so a field costs two small strings instead of pinning argument Buffers.
import { keyBuf, unpack, type RedisObject } from './types.js';
import { storedCopy } from './compact.js';
import { DenseIndex } from './dense.js';
import { LIMITS } from './limits.js';

export class HashValue implements RedisObject {
  readonly type = 'hash' as const;
  /** Field -> value as stored: a packed latin1 string or a Buffer (reply with reply.bulkStored). */
  readonly d = new DenseIndex<Buffer | string>();
  private bytes = 0;

  static from(pairs: [Buffer, Buffer][]): HashValue {
    const h = new HashValue();
    for (const [f, v] of pairs) h.set(f, v);
    return h;
  }

  get size(): number {
    return this.d.size;
  }

  touchMembers(b: Buffer, ranges: Int32Array, from: number, to: number): number {
    return this.d.touch(b, ranges, from, to);
  }

  get listpack(): boolean {
    return this.d.ordered;
  }

  encoding(): string {
    return this.d.ordered ? 'listpack' : 'hashtable';
  }

  memoryUsage(): number {
    return 64 + this.bytes + this.d.size * (this.d.ordered ? 4 : 56);
  }

  clone(): HashValue {
    const h = HashValue.from([...this.entries()]);
    if (!this.d.ordered) h.d.ordered = false;
    return h;
  }

  *entries(): Iterable<[Buffer, Buffer]> {
    const { names, vals } = this.d;
    for (let i = 0; i < names.length; i++) yield [keyBuf(names[i]), unpack(vals[i]) as Buffer];
  }

  get(f: Buffer): Buffer | undefined {
    const v = this.d.get(f);
    return v === undefined ? undefined : (unpack(v) as Buffer);
  }

  /** The value as stored (no copy): reply it with reply.bulkStored. */
  getPacked(f: Buffer): Buffer | string | undefined {
    return this.d.get(f);
  }

  has(f: Buffer): boolean {
    return this.d.has(f);
  }

  /** Sets a field; true when it is new. Converts to hashtable past the listpack limits. */
  set(f: Buffer, v: Buffer): boolean {
    return this.setStored(f, storedCopy(v));
  }

  /** set() of a value already copied for the keyspace (compact.ts storedArg); f is not kept. */
  setStored(f: Buffer, v: Buffer | string): boolean {
    return this.setStoredRange(f, 0, f.length, v);
  }

  /** setStored() of the field whose bytes are b[start, end) (an argument inside the read buffer). */
  setStoredRange(b: Buffer, start: number, end: number, v: Buffer | string): boolean {
    // One index lookup (a get then a set cost two keyStr + three Map operations per field).
    const old = this.d.swapRange(b, start, end, v);
    const added = old === undefined;
    const flen = end - start;
    this.bytes += v.length - (old ? old.length : -flen);
    if (this.d.ordered && (flen > LIMITS.hashMaxValue || v.length > LIMITS.hashMaxValue || this.d.size > LIMITS.hashMaxEntries)) {
      this.d.ordered = false;
    }
    return added;
  }

  delete(f: Buffer): boolean {
    const old = this.d.get(f);
    if (old === undefined) return false;
    this.bytes -= old.length + f.length;
    return this.d.delete(f);
  }
}
