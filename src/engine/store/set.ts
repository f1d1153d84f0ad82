// Set values: members in a DenseIndex. While every member is an integer and the set is no larger than
// set-max-intset-entries it is an intset: members are kept in numeric order (SMEMBERS answers sorted,
// as Redis's intset does). Past that it is a hashtable for good.
import type { RedisObject } from './types.js';
import { DenseIndex } from './dense.js';
import { LIMITS, isInt64 } from './limits.js';

function cmpInt(a: Buffer, b: Buffer): number {
  const x = BigInt(a.latin1Slice(0, a.length));
  const y = BigInt(b.latin1Slice(0, b.length));
  return x < y ? -1 : x > y ? 1 : 0;
}

export class SetValue implements RedisObject {
  readonly type = 'set' as const;
  readonly d = new DenseIndex<undefined>();
  private bytes = 0;

  static from(members: Buffer[]): SetValue {
    const s = new SetValue();
    for (const m of members) s.add(m);
    return s;
  }

  get size(): number {
    return this.d.size;
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
    for (const m of this.d.keys) s.d.set(m, undefined);
    s.bytes = this.bytes;
    return s;
  }

  members(): Iterable<Buffer> {
    return this.d.keys;
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
        const keys = this.d.keys;
        let lo = 0;
        let hi = keys.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cmpInt(keys[mid], m) < 0) lo = mid + 1;
          else hi = mid;
        }
        this.d.insertAt(lo, m, undefined);
        this.bytes += m.length;
        return true;
      }
    }
    // A hashtable: set() finds an existing member itself (a has() first was a second lookup).
    if (!this.d.set(m, undefined)) return false;
    this.bytes += m.length;
    return true;
  }

  delete(m: Buffer): boolean {
    if (!this.d.delete(m)) return false;
    this.bytes -= m.length;
    return true;
  }

  random(): Buffer {
    return this.d.keys[this.d.randomSlot()];
  }
}
