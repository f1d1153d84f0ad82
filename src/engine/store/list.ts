// List values: a ring-buffer deque of Buffers, O(1) push/pop at both ends and O(1) indexing.
// Redis 7.0 always reports lists as quicklist. Elements are stored as the keyspace stores strings
// (store/compact.ts storedCopy: up to 44 bytes packed as latin1 strings), so a pushed element does not
// pin the argument Buffer it came in; the Buffer API unpacks, *Packed() readers hand out the stored form.
import { unpack, type RedisObject } from './types.js';
import { storedCopy } from './compact.js';

type Elem = Buffer | string;

const MIN_CAP = 8;

export class ListValue implements RedisObject {
  readonly type = 'list' as const;
  private buf: (Elem | undefined)[];
  private head = 0;
  length = 0;
  private bytes = 0;

  constructor(cap = MIN_CAP) {
    let c = MIN_CAP;
    while (c < cap) c *= 2;
    this.buf = new Array<Elem | undefined>(c);
  }

  static from(items: Buffer[]): ListValue {
    const l = new ListValue(items.length);
    for (const it of items) l.pushTail(it);
    return l;
  }

  encoding(): string {
    return 'quicklist';
  }

  memoryUsage(): number {
    return 48 + this.buf.length * 8 + this.bytes + this.length * 16;
  }

  clone(): ListValue {
    return ListValue.from(this.toArray());
  }

  *[Symbol.iterator](): Iterator<Buffer> {
    for (let i = 0; i < this.length; i++) yield this.at(i) as Buffer;
  }

  private grow(): void {
    const old = this.buf;
    const next = new Array<Elem | undefined>(old.length * 2);
    const mask = old.length - 1;
    for (let i = 0; i < this.length; i++) next[i] = old[(this.head + i) & mask];
    this.buf = next;
    this.head = 0;
  }

  pushTail(b: Buffer): void {
    this.pushTailStored(storedCopy(b));
  }

  /** pushTail of a value already copied for the keyspace (compact.ts storedArg). */
  pushTailStored(v: Elem): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) & (this.buf.length - 1)] = v;
    this.length++;
    this.bytes += v.length;
  }

  pushHead(b: Buffer): void {
    this.pushHeadStored(storedCopy(b));
  }

  /** pushHead of a value already copied for the keyspace. */
  pushHeadStored(v: Elem): void {
    if (this.length === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = v;
    this.length++;
    this.bytes += v.length;
  }

  popHead(): Buffer | undefined {
    const v = this.popHeadPacked();
    return v === undefined ? undefined : (unpack(v) as Buffer);
  }

  popTail(): Buffer | undefined {
    const v = this.popTailPacked();
    return v === undefined ? undefined : (unpack(v) as Buffer);
  }

  /** popHead() as stored (a packed latin1 string or a Buffer). */
  popHeadPacked(): Elem | undefined {
    if (this.length === 0) return undefined;
    const v = this.buf[this.head] as Elem;
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.length--;
    this.bytes -= v.length;
    return v;
  }

  /** popTail() as stored. */
  popTailPacked(): Elem | undefined {
    if (this.length === 0) return undefined;
    const i = (this.head + this.length - 1) & (this.buf.length - 1);
    const v = this.buf[i] as Elem;
    this.buf[i] = undefined;
    this.length--;
    this.bytes -= v.length;
    return v;
  }

  /** Element at a 0-based index from the head (no negative indexes here). */
  at(i: number): Buffer | undefined {
    const v = this.atPacked(i);
    return v === undefined ? undefined : (unpack(v) as Buffer);
  }

  /** at() as stored (a packed latin1 string or a Buffer). */
  atPacked(i: number): Elem | undefined {
    if (i < 0 || i >= this.length) return undefined;
    return this.buf[(this.head + i) & (this.buf.length - 1)];
  }

  setAt(i: number, b: Buffer): void {
    const v = storedCopy(b) as Elem;
    const j = (this.head + i) & (this.buf.length - 1);
    this.bytes += v.length - (this.buf[j] as Elem).length;
    this.buf[j] = v;
  }

  /** Elements [start, end] inclusive, already clamped by the caller. */
  slice(start: number, end: number): Buffer[] {
    const out: Buffer[] = [];
    for (let i = start; i <= end; i++) out.push(this.at(i) as Buffer);
    return out;
  }

  toArray(): Buffer[] {
    return this.slice(0, this.length - 1);
  }

  /** Replaces the whole content (LREM, LINSERT: O(n) like Redis's listpack edits). */
  reset(items: Buffer[]): void {
    const fresh = ListValue.from(items);
    this.buf = fresh.buf;
    this.head = 0;
    this.length = fresh.length;
    this.bytes = fresh.bytes;
  }
}
