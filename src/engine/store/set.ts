// Set values: members in a DenseIndex. While every member is an integer and the set is no larger than
// set-max-intset-entries it is an intset: members are kept in numeric order (SMEMBERS answers sorted,
// as Redis's intset does). Past that it is a hashtable for good.
import type { RedisObject } from './types.js';
import { DenseIndex } from './dense.js';
import { keyStr } from './types.js';
import { LIMITS, isInt64 } from './limits.js';

/** Numeric order of two intset members (canonical decimal strings). */
function cmpInt(a: string, b: string): number {
  if (a.length < 16 && b.length < 16) return Number(a) - Number(b);
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export class SetValue implements RedisObject {
  readonly type = 'set' as const;
  /** Members only: a set keeps no values. */
  readonly d = new DenseIndex<undefined>(true, true);
  private bytes = 0;

  static from(members: Buffer[]): SetValue {
    const s = new SetValue();
    for (const m of members) s.add(m);
    return s;
  }

  get size(): number {
    return this.d.size;
  }

  touchMembers(b: Buffer, ranges: Int32Array, from: number, to: number): number {
    return this.d.touch(b, ranges, from, to);
  }

  get intset(): boolean {
    return this.d.ordered;
  }

  encoding(): string {
    return this.d.ordered ? 'intset' : 'hashtable';
  }

  memoryUsage(): number {
    return 64 + (this.d.ordered ? this.d.size * 8 : this.bytes + this.d.size * 48);
  }

  clone(): SetValue {
    const s = new SetValue();
    s.d.ordered = this.d.ordered;
    for (const m of this.d.names) s.d.setStr(m, undefined);
    s.bytes = this.bytes;
    return s;
  }

  /** The members as Buffers (each a fresh copy of the bytes). */
  members(): Buffer[] {
    return this.d.keyBuffers();
  }

  has(m: Buffer): boolean {
    return this.d.has(m);
  }

  /** Adds a member; true when it is new. */
  add(m: Buffer): boolean {
    if (this.d.ordered) {
      if (this.d.has(m)) return false;
      if (!isInt64(m) || this.d.size + 1 > LIMITS.setMaxIntset) {
        this.d.ordered = false;
      } else {
        const keys = this.d.names;
        const ms = keyStr(m);
        let lo = 0;
        let hi = keys.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cmpInt(keys[mid], ms) < 0) lo = mid + 1;
          else hi = mid;
        }
        this.d.insertAt(lo, ms, undefined);
        this.bytes += m.length;
        return true;
      }
    }
    // A hashtable: set() finds an existing member itself (a has() first was a second lookup).
    return this.addHashed(m, 0, m.length);
  }

  /**
   * add() of the member whose bytes are b[start, end) (an argument inside the read buffer): no
   * Buffer is made for it while the set is a hashtable, which keeps nothing of b.
   */
  addRange(b: Buffer, start: number, end: number): boolean {
    return this.d.ordered ? this.add(b.subarray(start, end)) : this.addHashed(b, start, end);
  }

  private addHashed(b: Buffer, start: number, end: number): boolean {
    if (!this.d.addRange(b, start, end, undefined)) return false;
    this.bytes += end - start;
    return true;
  }

  delete(m: Buffer): boolean {
    if (!this.d.delete(m)) return false;
    this.bytes -= m.length;
    return true;
  }

  random(): Buffer {
    return this.d.keyAt(this.d.randomSlot());
  }

  /** Removes a random member and returns its stored latin1 string (SPOP: no lookup, the slot is known). */
  popRandomName(): string {
    const slot = this.d.randomSlot();
    const name = this.d.names[slot];
    this.d.deleteAt(slot);
    this.bytes -= name.length;
    return name;
  }
}
