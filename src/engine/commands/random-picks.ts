// The sampling rule shared by HRANDFIELD, SRANDMEMBER and ZRANDMEMBER: a positive count gives
// distinct elements (all of them when count >= size), a negative count |count| picks that may repeat.
export function randomPicks(size: number, count: number, randomSlot: () => number): number[] {
  if (count < 0) return Array.from({ length: -count }, randomSlot);
  if (count >= size) return Array.from({ length: size }, (_, i) => i);
  // Partial Fisher-Yates over slot numbers: distinct and uniform, O(count) extra memory.
  const swapped = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (size - i));
    const vj = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    out.push(vj);
  }
  return out;
}
