// ZSCAN over skiplist-encoded sorted sets. Cursors name a live iterator over the member map (a JS Map
// iterator visits every entry present for its whole life, whatever is added or deleted meanwhile),
// which gives SCAN's guarantee. Unknown or evicted cursors end the scan.
import type { ZSetValue } from '../store/zset.js';
import type { ZNode } from '../store/zset-btree.js';
import { keyBuf } from '../store/types.js';

const MAX_CURSORS = 1024;
const cursors = new Map<number, { z: ZSetValue; it: Iterator<[string, number]> }>();
let nextId = 1;

export function zsetScan(z: ZSetValue, cursor: number, count: number): { next: number; nodes: ZNode[] } {
  let entry = cursor === 0 ? { z, it: z.dict.entries() } : cursors.get(cursor);
  cursors.delete(cursor);
  if (!entry || entry.z !== z) return { next: 0, nodes: [] };
  const nodes: ZNode[] = [];
  for (let i = 0; i < count; i++) {
    const r = entry.it.next();
    if (r.done) {
      entry = undefined;
      break;
    }
    nodes.push({ member: keyBuf(r.value[0]), score: r.value[1] });
  }
  if (!entry) return { next: 0, nodes };
  const id = nextId++;
  if (nextId > 0x7fffffff) nextId = 1;
  cursors.set(id, entry);
  if (cursors.size > MAX_CURSORS) cursors.delete(cursors.keys().next().value as number);
  return { next: id, nodes };
}
