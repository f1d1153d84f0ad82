// Slot sets as ranges: parsing CLUSTER *SLOTS arguments and rendering the `0-5460 5462` lists used by
// CLUSTER NODES, nodes.conf and the bus messages.
import { SLOT_COUNT } from './crc16.js';

export type SlotRange = [start: number, end: number];

/**
 * Contiguous ranges, ascending, of the slots marked 1 in a per-slot array (ClusterNode.slots), found
 * with the array's native indexOf: no JavaScript loop over the 16384 slots for V8 to optimise.
 */
export function rangesOfMarks(marks: Uint8Array): SlotRange[] {
  const out: SlotRange[] = [];
  for (let a = marks.indexOf(1); a >= 0; a = marks.indexOf(1, a)) {
    let b = marks.indexOf(0, a);
    if (b < 0) b = marks.length;
    out.push([a, b - 1]);
    a = b;
  }
  return out;
}

/** `0-5460 5462`: single slots alone, runs as start-end. */
export function formatRanges(ranges: SlotRange[], sep = ' '): string {
  return ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(sep);
}

/** Inverse of formatRanges (bus messages, nodes.conf); throws on anything out of range. */
export function parseRanges(text: string, sep = ' '): SlotRange[] {
  if (text === '') return [];
  return text.split(sep).filter(Boolean).map((part) => {
    const dash = part.indexOf('-');
    const a = dash < 0 ? parseSlot(part) : parseSlot(part.slice(0, dash));
    const b = dash < 0 ? a : parseSlot(part.slice(dash + 1));
    if (a < 0 || b < 0 || b < a) throw new Error(`bad slot range '${part}'`);
    return [a, b] as SlotRange;
  });
}

/** A slot number from a command argument, or -1 (as Redis's getSlotOrReply refuses it). */
export function parseSlot(arg: Buffer | string): number {
  const s = arg.toString();
  if (!/^-?\d+$/.test(s)) return -1;
  const n = Number(s);
  return n >= 0 && n < SLOT_COUNT ? n : -1;
}
