// The slot -> keys index behind CLUSTER COUNTKEYSINSLOT / GETKEYSINSLOT and the key purge of lost
// slots. It is the keyspace table itself (a subclass installed in cluster mode only), so every path
// that adds or removes a key (commands, expiry, loading, FLUSHALL) keeps it exact at no cost to
// standalone nodes.
//
// As Redis 7.0's slot_to_keys, each slot is a doubly linked list of its keys, newest first (a new key
// goes to the head, an overwritten one keeps its place), so GETKEYSINSLOT lists keys in Redis's order.
// The links are entry numbers of the keyspace's dense pairs array held in Int32Arrays: no object per
// key, nothing for the GC to trace and no write barrier when a young key is added. Per-slot arrays of
// key strings made each new key a push into one of 16384 old-space arrays, and a cluster node's SET of
// new keys cost ~2x a standalone node's CPU.
import { Keyspace } from '../store/keyspace.js';
import { SLOT_COUNT, keyStrHashSlot } from './crc16.js';

const MIN_ENTRIES = 64;

export class SlotKeyMap extends Keyspace {
  private readonly counts = new Int32Array(SLOT_COUNT);
  /** Each slot's newest entry, -1 when the slot has no key. */
  private readonly heads = new Int32Array(SLOT_COUNT).fill(-1);
  /** By entry: the next older (next) and newer (prev) entry of its slot, -1 at the ends. */
  private next = new Int32Array(MIN_ENTRIES);
  private prev = new Int32Array(MIN_ENTRIES);

  protected override added(e: number, key: string): void {
    if (e >= this.next.length) this.grow(e + 1);
    const slot = keyStrHashSlot(key);
    const head = this.heads[slot];
    this.next[e] = head;
    this.prev[e] = -1;
    if (head >= 0) this.prev[head] = e;
    this.heads[slot] = e;
    this.counts[slot]++;
  }

  protected override removed(e: number, key: string): void {
    const slot = keyStrHashSlot(key);
    const n = this.next[e];
    const p = this.prev[e];
    if (p >= 0) this.next[p] = n;
    else this.heads[slot] = n;
    if (n >= 0) this.prev[n] = p;
    this.counts[slot]--;
  }

  protected override renumbered(to: Int32Array): void {
    const next = this.next;
    const prev = this.prev;
    // In place: an entry only moves down (to[i] <= i), so each i is read before anything lands on it.
    for (let i = 0; i < to.length; i++) {
      const j = to[i];
      if (j < 0) continue;
      const n = next[i];
      const p = prev[i];
      next[j] = n < 0 ? -1 : to[n];
      prev[j] = p < 0 ? -1 : to[p];
      // A head's slot from its key: the heads are at most the live entries, never all 16384 slots.
      if (p < 0) this.heads[keyStrHashSlot(this.keyAt(j))] = j;
    }
    // Memory back once mostly empty, as the pairs array gives its back (entries now number size).
    let cap = next.length;
    while (cap > MIN_ENTRIES && this.size * 4 < cap) cap /= 2;
    if (cap < next.length) {
      this.next = next.slice(0, cap);
      this.prev = prev.slice(0, cap);
    }
  }

  override clear(): void {
    super.clear();
    this.counts.fill(0);
    this.heads.fill(-1);
    this.next = new Int32Array(MIN_ENTRIES);
    this.prev = new Int32Array(MIN_ENTRIES);
  }

  countInSlot(slot: number): number {
    return this.counts[slot];
  }

  /** Up to max keys of slot, newest first (Redis's order). */
  keysInSlot(slot: number, max = Infinity): string[] {
    const out: string[] = [];
    for (let e = this.heads[slot]; e >= 0 && out.length < max; e = this.next[e]) out.push(this.keyAt(e));
    return out;
  }

  private grow(need: number): void {
    let cap = this.next.length * 2;
    while (cap < need) cap *= 2; // doubling: a load of N keys copies the links ~2N times in all
    const next = new Int32Array(cap);
    const prev = new Int32Array(cap);
    next.set(this.next);
    prev.set(this.prev);
    this.next = next;
    this.prev = prev;
  }
}
