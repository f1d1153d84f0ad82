// The slot -> keys index behind CLUSTER COUNTKEYSINSLOT / GETKEYSINSLOT and the key purge of lost
// slots. It is the keyspace Map itself (a subclass installed in cluster mode only), so every path
// that adds or removes a key (commands, expiry, loading, FLUSHALL) keeps it exact at no cost to
// standalone nodes.
import type { StoredValue } from '../store/types.js';
import { SLOT_COUNT, keyStrHashSlot } from './crc16.js';

export class SlotKeyMap extends Map<string, StoredValue> {
  private readonly bySlot: (Set<string> | undefined)[] = new Array(SLOT_COUNT);

  override set(key: string, value: StoredValue): this {
    if (!super.has(key)) {
      const slot = keyStrHashSlot(key);
      (this.bySlot[slot] ??= new Set()).add(key);
    }
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    if (!super.delete(key)) return false;
    this.bySlot[keyStrHashSlot(key)]?.delete(key);
    return true;
  }

  override clear(): void {
    super.clear();
    this.bySlot.fill(undefined);
  }

  countInSlot(slot: number): number {
    return this.bySlot[slot]?.size ?? 0;
  }

  keysInSlot(slot: number, max = Infinity): string[] {
    const out: string[] = [];
    for (const k of this.bySlot[slot] ?? []) {
      if (out.length >= max) break;
      out.push(k);
    }
    return out;
  }
}
