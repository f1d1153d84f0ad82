// Short strings cut out of a file being loaded (RDB keys and values, an AOF's SET arguments).
// Strings shorter than SUBSTRING_MAX + 1 are cut out of a latin1 text window of the input with
// substring(), which V8 answers with a fresh flat copy (its sliced strings start at 13 characters)
// from JIT code: ~0.4 s less CPU per 1M keys than a latin1Slice() binding call per key and value.
// Longer ones still go through latin1Slice, so no stored string can pin a window.

const SUBSTRING_MAX = 12;
/**
 * Bytes of input decoded into one text window (re-cut at the read position when a string passes its
 * end). Under V8's largest regular object (128 KB), so a window is a young-generation string that
 * dies young; a 1 MB one went to the large-object space, which only a mark-compact frees: a 1M-key
 * load left up to ~20 MB of them behind, depending on where its last mark-compact fell.
 */
const WINDOW = 1 << 16;

export class Latin1Window {
  private text = '';
  private start = 0;
  private end = 0;

  constructor(private readonly buf: Buffer, private readonly limit = buf.length) {}

  /** buf[p, p + n) as a latin1 string that shares nothing with the input. */
  str(p: number, n: number): string {
    if (n > SUBSTRING_MAX) return this.buf.latin1Slice(p, p + n);
    if (p + n > this.end || p < this.start) {
      this.start = p;
      this.end = Math.min(this.limit, p + WINDOW);
      this.text = this.buf.latin1Slice(p, this.end);
    }
    return this.text.substring(p - this.start, p - this.start + n);
  }
}
