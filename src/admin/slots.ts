// Slot helpers: ranges, formatting, the even split redis-cli uses, and key hashing for tests/tools.
import { keyHashSlot } from '../engine/cluster/crc16.js';

export const SLOTS = 16384;

export type Range = [start: number, end: number];

/** Sorted, merged ranges from a list of slots. */
export function toRanges(slots: Iterable<number>): Range[] {
  const sorted = [...new Set(slots)].sort((a, b) => a - b);
  const out: Range[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}

/** Sorts and joins touching ranges without expanding them (CLUSTER NODES lines can list thousands). */
export function mergeRanges(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function fromRanges(ranges: Range[]): number[] {
  const out: number[] = [];
  for (const [a, b] of ranges) for (let s = a; s <= b; s++) out.push(s);
  return out;
}

export function countRanges(ranges: Range[]): number {
  return ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
}

/** "0-5460,5462" as redis-cli prints slot lists. */
export function formatRanges(ranges: Range[]): string {
  return ranges.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(',');
}

/**
 * Splits the 16384 slots over n masters exactly as redis-cli does (a float step, rounded), so a
 * cluster made by kvctl has the same ranges as one made by redis-cli: 3 masters -> 0-5460,
 * 5461-10922, 10923-16383.
 */
export function splitSlots(n: number): Range[] {
  const per = SLOTS / n;
  const out: Range[] = [];
  let first = 0;
  let cursor = 0;
  for (let i = 0; i < n; i++) {
    let last = Math.round(cursor + per - 1);
    if (last > SLOTS - 1 || i === n - 1) last = SLOTS - 1;
    if (last < first) last = first;
    out.push([first, last]);
    first = last + 1;
    cursor += per;
  }
  return out;
}

/** The slot of a key, honouring {hash tags} (the engine's CRC16 mapping: one implementation). */
export function keySlot(key: string | Buffer): number {
  return keyHashSlot(typeof key === 'string' ? Buffer.from(key) : key);
}
