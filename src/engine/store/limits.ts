// Encoding thresholds (the *-max-listpack-* / set-max-intset-entries configs). Aggregates read them
// when they grow, so OBJECT ENCODING converts at the same sizes as Redis; the datatypes module keeps
// them in sync with CONFIG SET.
export const LIMITS = {
  hashMaxEntries: 512,
  hashMaxValue: 64,
  setMaxIntset: 512,
  zsetMaxEntries: 128,
  zsetMaxValue: 64,
  streamNodeMaxBytes: 4096,
  streamNodeMaxEntries: 100,
  hllSparseMaxBytes: 3000,
};

const INT_RE = /^-?[1-9][0-9]{0,18}$/;

/** True when Redis's string2ll accepts the bytes as a 64-bit integer (what intsets may hold). */
export function isInt64(b: Buffer): boolean {
  if (b.length === 1) return b[0] >= 48 && b[0] <= 57;
  if (b.length === 0 || b.length > 20) return false;
  const s = b.latin1Slice(0, b.length);
  if (!INT_RE.test(s)) return false;
  if (s.length < 19) return true;
  const n = BigInt(s);
  return n <= 9223372036854775807n && n >= -9223372036854775808n;
}

/** Keeps LIMITS in step with the server's config (startup values and CONFIG SET). */
export function installEncodingLimits(config: { int(name: string): number; onChange(name: string, fn: (v: string) => void): void }): void {
  const bind = (name: string, field: keyof typeof LIMITS) => {
    LIMITS[field] = config.int(name);
    config.onChange(name, (v) => (LIMITS[field] = Number(v)));
  };
  bind('hash-max-listpack-entries', 'hashMaxEntries');
  bind('hash-max-listpack-value', 'hashMaxValue');
  bind('set-max-intset-entries', 'setMaxIntset');
  bind('zset-max-listpack-entries', 'zsetMaxEntries');
  bind('zset-max-listpack-value', 'zsetMaxValue');
  bind('stream-node-max-bytes', 'streamNodeMaxBytes');
  bind('stream-node-max-entries', 'streamNodeMaxEntries');
  bind('hll-sparse-max-bytes', 'hllSparseMaxBytes');
}
