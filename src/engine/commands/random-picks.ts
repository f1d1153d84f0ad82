// The sampling rule shared by HRANDFIELD, SRANDMEMBER and ZRANDMEMBER: a positive count gives
// distinct elements (all of them when count >= size), a negative count |count| picks that may repeat.
import { is, parseInt64 } from './args.js';
import { NOT_INTEGER, SYNTAX } from './errors.js';

const LONG_MAX = 9223372036854775807n;
const RANGE = `ERR value is out of range, value must between -${LONG_MAX} and ${LONG_MAX}`;
/** Redis doubles the count for pairs, so with values/scores it refuses |count| > LONG_MAX / 2. */
const HALF_RANGE = 'ERR value is out of range';
/**
 * Repeating picks are materialized here before the reply: beyond this many the reply could not be
 * held in memory anyway (redis-server would try, and allocate without bound). The engine refuses it
 * with Redis's range error instead of exhausting the process.
 */
export const MAX_REPEATED_PICKS = 10_000_000;

export interface RandomCount {
  /** null when no count was given (a single element, or nil). */
  count: number | null;
  /** WITHVALUES / WITHSCORES was given. */
  withPairs: boolean;
}

/**
 * Parses `KEY [count [WITHVALUES|WITHSCORES]]` in Redis 7.0's order: the count's range, then the
 * option (a syntax error), then the halved range for pairs. SRANDMEMBER has no option (`pairsWord`
 * null) and checks the argument count first. Returns the error text on failure.
 */
export function parseRandomCount(argv: Buffer[], pairsWord: string | null): RandomCount | string {
  if (pairsWord === null && argv.length > 3) return SYNTAX;
  if (argv.length < 3) return { count: null, withPairs: false };
  const n = parseInt64(argv[2]);
  if (n === null) return NOT_INTEGER;
  if (n < -LONG_MAX) return RANGE;
  const withPairs = argv.length === 4 && pairsWord !== null && is(argv[3], pairsWord);
  if (argv.length >= 4 && !withPairs) return SYNTAX;
  if (withPairs && (n > LONG_MAX / 2n || n < -LONG_MAX / 2n)) return HALF_RANGE;
  if (n < -BigInt(MAX_REPEATED_PICKS)) return HALF_RANGE;
  // Positive counts beyond the size mean "all of them": clamp to a safe integer.
  return { count: n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n), withPairs };
}

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
