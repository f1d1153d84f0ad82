// Where the first key (argv[1]) of each whole multibulk command at the start of a read sits, without
// parsing it for real: the keyspace touches those keys' memory before the commands run
// (Keyspace.prefetch). Only a hint: it stops at the first thing it does not expect (an inline
// command, a command cut off by the read's end, a line it cannot read) and never throws.
const STAR = 42;
const DOLLAR = 36;
const CR = 13;

/** The number read by digits(). */
let value = 0;

/** `digits\r\n` from i: the position after it (value holds the number), or -1. */
function digits(b: Buffer, i: number, end: number): number {
  const start = i;
  let n = 0;
  // Ten digits at most: larger counts and lengths are not what a pipeline of small commands holds.
  for (const max = Math.min(end, i + 10); i < max; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  if (i === start || i + 1 >= end || b[i] !== CR) return -1;
  value = n;
  return i + 2;
}

/**
 * Fills out with [start, end) pairs of the argv[1] bytes of the whole multibulk commands at the start
 * of b, up to out.length / 2 of them; returns how many. Commands of one argument are skipped over.
 */
export function scanFirstKeys(b: Buffer, out: Int32Array): number {
  const end = b.length;
  const max = out.length >> 1;
  let n = 0;
  let i = 0;
  while (n < max && i < end && b[i] === STAR) {
    i = digits(b, i + 1, end);
    if (i < 0) break;
    const argc = value;
    for (let a = 0; a < argc; a++) {
      if (i >= end || b[i] !== DOLLAR) return n;
      i = digits(b, i + 1, end);
      if (i < 0) return n;
      const len = value;
      if (i + len + 2 > end) return n;
      if (a === 1) {
        out[2 * n] = i;
        out[2 * n + 1] = i + len;
      }
      i += len + 2;
    }
    // Counted once the command is whole (one cut off goes to the next read).
    if (argc > 1) n++;
  }
  return n;
}
