// Shared copies of short stored strings, the engine's counterpart of Redis's shared integers
// (OBJ_SHARED_INTEGERS): a value written again and again (a flag, a status, a small counter) is one
// JS string held by every key that stores it, not one fresh string per write.
//
// Why it matters more here than in C: every stored value is a new young-generation string that the
// keyspace Map (in old space) keeps, so each write makes V8 record an old-to-new pointer, copy the
// string at the next scavenge and promote it, and later mark-compact the value it replaced. Shared
// strings are old and stay old. Strings are immutable, so sharing them changes nothing a reader sees.

/** Values at most this long are looked up (longer ones vary too much to repeat). */
const SHARED_MAX = 16;
/** Slots of the cache (a power of two): the last string seen for each hash of the bytes. */
const SLOTS = 1024;
const recent: string[] = new Array<string>(SLOTS).fill('');

/** Redis shares the integers 0..9999 (OBJ_SHARED_INTEGERS); made on first use. */
const SHARED_INTEGERS = 10000;
const integers: string[] = [];

/** The latin1 string of b's bytes (b.length <= SHARED_MAX), the same string as last time for bytes that repeat. */
function lookup(b: Buffer, n: number): string {
  let h = n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ b[i], 0x01000193);
  const slot = (h ^ (h >>> 15)) & (SLOTS - 1);
  const s = recent[slot];
  if (s.length === n) {
    let i = 0;
    while (i < n && s.charCodeAt(i) === b[i]) i++;
    if (i === n) return s;
  }
  return (recent[slot] = b.latin1Slice(0, n));
}

/** The latin1 string of b's bytes, shared with earlier stores of the same short value. */
export function sharedLatin1(b: Buffer): string {
  const n = b.length;
  return n > 0 && n <= SHARED_MAX ? lookup(b, n) : b.latin1Slice(0, n);
}

/** The decimal text of a safe integer, shared for 0..9999. */
export function sharedInteger(v: number): string {
  if (v >= 0 && v < SHARED_INTEGERS && Number.isInteger(v)) return (integers[v] ??= String(v));
  return String(v);
}
