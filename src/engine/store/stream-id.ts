// Stream IDs as one 128-bit bigint (ms << 64 | seq): one comparison orders them, Maps key on them by
// value, and the u64 halves keep Redis's full range (18446744073709551615-18446744073709551615).
export type StreamId = bigint;

export const U64_MAX = 0xffffffffffffffffn;
export const ID_MIN: StreamId = 0n;
export const ID_MAX: StreamId = (U64_MAX << 64n) | U64_MAX;

/** 2^53: ID halves below it are exact as JS numbers (hot paths work on numbers there). */
export const NUM_SAFE = 2 ** 53;

export const idOf = (ms: bigint, seq: bigint): StreamId => (ms << 64n) | seq;
export const msOf = (id: StreamId): bigint => id >> 64n;
export const seqOf = (id: StreamId): bigint => id & U64_MAX;

export function formatId(id: StreamId): string {
  return `${id >> 64n}-${id & U64_MAX}`;
}

export const idBuf = (id: StreamId): Buffer => Buffer.from(formatId(id));

/** Redis's string2ull: a canonical non-negative int64, or what strtoull accepts (spaces, sign, zeros). */
export function parseU64(s: string): bigint | null {
  if (/^(0|-?[1-9][0-9]*)$/.test(s) && s.length <= 20) {
    const v = BigInt(s);
    if (v <= 9223372036854775807n && v >= -9223372036854775808n) return v < 0n ? null : v;
  }
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(s);
  if (!m) return null;
  const v = BigInt(m[2]);
  if (v > U64_MAX) return null;
  return m[1] === '-' ? (U64_MAX + 1n - v) & U64_MAX : v;
}

export interface ParsedId {
  id: StreamId;
  /** For XADD's `<ms>-*`: the sequence is to be chosen. */
  autoSeq: boolean;
}

/**
 * Parses `ms[-seq]`, `-`, `+` (when not strict) and, with allowAutoSeq, `ms-*`. missingSeq fills a
 * bare `ms` (0 for starts, U64_MAX for ends). Null when Redis would say the ID is invalid.
 */
export function parseId(arg: Buffer, missingSeq: bigint, strict: boolean, allowAutoSeq = false): ParsedId | null {
  if (arg.length > 127) return null;
  const s = arg.latin1Slice(0, arg.length);
  if (!strict && s === '-') return { id: ID_MIN, autoSeq: false };
  if (!strict && s === '+') return { id: ID_MAX, autoSeq: false };
  const dash = s.indexOf('-');
  if (dash < 0) {
    const ms = parseU64(s);
    return ms === null ? null : { id: idOf(ms, missingSeq), autoSeq: false };
  }
  const ms = parseU64(s.slice(0, dash));
  if (ms === null) return null;
  const rest = s.slice(dash + 1);
  if (allowAutoSeq && rest === '*') return { id: idOf(ms, 0n), autoSeq: true };
  const seq = parseU64(rest);
  return seq === null ? null : { id: idOf(ms, seq), autoSeq: false };
}

export const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';
