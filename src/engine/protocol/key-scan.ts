// Where the keys of each whole multibulk command at the start of a read sit, without parsing them for
// real: the keyspace touches those keys' memory before the commands run (Keyspace.prefetch). The key
// is argv[1], except for the multi-key string commands, whose keys are all found (MSET/MSETNX: every
// other argument from 1, MGET: every argument from 1), so even one such command alone in a read has
// its keys' cache misses overlap. Only a hint: it stops at the first thing it does not expect (an
// inline command, a command cut off by the read's end, a line it cannot read) and never throws.
const STAR = 42;
const DOLLAR = 36;
const CR = 13;
/** ASCII letters | 0x20: lower case. */
const LOWER = 0x20;

/**
 * Which arguments of a command are keys: argv[1] only, every other one from 1, or all from 1; or
 * argv[1], with argv[2] a field or member of it (MEMBER).
 */
const FIRST_KEY = 0;
const PAIRS = 1;
const ALL = 2;
const MEMBER = 3;
type KeyStep = typeof FIRST_KEY | typeof PAIRS | typeof ALL | typeof MEMBER;

/**
 * The key arguments of the command named by b[i, i + len), any case: MSET, MSETNX and MGET; MEMBER for
 * the hash commands (all but HRANDFIELD and HSCAN, whose argv[2] is a count or a cursor; those without
 * an argv[2] have nothing to find) and SADD, SREM, SISMEMBER and SMISMEMBER.
 */
function keyStep(b: Buffer, i: number, len: number): KeyStep {
  const c0 = b[i] | LOWER;
  const c1 = b[i + 1] | LOWER;
  if (c0 === 0x68) return len === 10 || (len === 5 && c1 === 0x73) ? FIRST_KEY : MEMBER; // h; hrandfield, hscan
  if (c0 === 0x73) {
    // s: sadd, srem, sismember, smismember (spop, sort, sintercard, sdiffstore... are not).
    const member = len === 4 ? c1 === 0x61 || c1 === 0x72 : len === 9 ? c1 === 0x69 : len === 10 && c1 === 0x6d;
    return member ? MEMBER : FIRST_KEY;
  }
  if (len !== 4 && len !== 6) return FIRST_KEY;
  if (c0 !== 0x6d) return FIRST_KEY; // m
  const c2 = b[i + 2] | LOWER;
  const c3 = b[i + 3] | LOWER;
  if (c1 === 0x67 && c2 === 0x65 && c3 === 0x74) return len === 4 ? ALL : FIRST_KEY; // get
  if (c1 !== 0x73 || c2 !== 0x65 || c3 !== 0x74) return FIRST_KEY; // set
  if (len === 4) return PAIRS;
  return (b[i + 4] | LOWER) === 0x6e && (b[i + 5] | LOWER) === 0x78 ? PAIRS : FIRST_KEY; // nx
}

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
 * Fills out with [start, end) pairs of the key bytes of the whole multibulk commands at the start of b
 * (see keyStep), up to out.length / 2 of them; returns how many. Commands of one argument are skipped
 * over; a command whose keys do not all fit gives those that do and ends the scan.
 * seconds: beside each key, the field or member its command names in argv[2] (HSET, HGET, SADD,
 * SISMEMBER ...: see keyStep) as [start, end), else -1 at 2i: the value's own index is touched too.
 */
export function scanKeys(b: Buffer, out: Int32Array, seconds: Int32Array | null = null): number {
  const end = b.length;
  const max = out.length >> 1;
  let n = 0;
  let i = 0;
  while (n < max && i < end && b[i] === STAR) {
    i = digits(b, i + 1, end);
    if (i < 0) break;
    const argc = value;
    let step: KeyStep = FIRST_KEY;
    let m = n;
    for (let a = 0; a < argc; a++) {
      if (i >= end || b[i] !== DOLLAR) return n;
      i = digits(b, i + 1, end);
      if (i < 0) return n;
      const len = value;
      if (i + len + 2 > end) return n;
      if (a === 0) step = keyStep(b, i, len);
      else if (m < max && (a === 1 || step === ALL || (step === PAIRS && (a & 1) === 1))) {
        out[2 * m] = i;
        out[2 * m + 1] = i + len;
        if (seconds !== null) seconds[2 * m] = -1;
        m++;
      } else if (a === 2 && step === MEMBER && seconds !== null && m > n) {
        seconds[2 * n] = i;
        seconds[2 * n + 1] = i + len;
      }
      i += len + 2;
    }
    // Counted once the command is whole (one cut off goes to the next read).
    n = m;
  }
  return n;
}
