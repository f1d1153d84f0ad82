// The AOF's pending bytes: commands encoded as RESP multibulk straight into one reused Buffer, written
// with one write per turn. encodeCommand's Buffer per header, per argument and the concat of the
// turn's commands (~8 allocations per SET) showed in appendfsync-always profiles; this allocates
// nothing once the buffer has grown to a turn's size.

const INITIAL = 64 * 1024;
/** A buffer grown past this by a burst is given back once it drains (big MSETs, pipelines). */
const KEEP = 1024 * 1024;
const CR = 13;
const LF = 10;

export class AofBuffer {
  private buf = Buffer.allocUnsafeSlow(INITIAL);
  /** Bytes pending, from 0. */
  length = 0;

  /** Appends argv as `*N\r\n$len\r\narg\r\n...`. */
  command(argv: readonly Buffer[]): void {
    let need = 16;
    for (let i = 0; i < argv.length; i++) need += argv[i].length + 16;
    this.reserve(need);
    const b = this.buf;
    let p = this.length;
    b[p++] = 0x2a; // *
    p = this.digits(argv.length, p);
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      const n = a.length;
      b[p++] = 0x24; // $
      p = this.digits(n, p);
      if (n <= 32) for (let j = 0; j < n; j++) b[p + j] = a[j];
      else b.set(a, p);
      p += n;
      b[p++] = CR;
      b[p++] = LF;
    }
    this.length = p;
  }

  /** Writes `n` in decimal then CRLF at `p`; returns the position after. */
  private digits(n: number, p: number): number {
    const b = this.buf;
    if (n < 10) b[p++] = 48 + n;
    else {
      const s = String(n);
      for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    }
    b[p++] = CR;
    b[p++] = LF;
    return p;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  clear(): void {
    this.length = 0;
  }

  /**
   * Hands the pending bytes to `write(buf, offset, length)` (which returns how many it wrote, or
   * throws) until all are written. On a throw the unwritten rest stays pending, so a retry appends
   * exactly the missing tail.
   */
  drain(write: (buf: Buffer, offset: number, length: number) => number): void {
    let off = 0;
    try {
      while (off < this.length) off += write(this.buf, off, this.length - off);
    } finally {
      if (off === this.length) this.length = 0;
      else if (off > 0) {
        this.buf.copy(this.buf, 0, off, this.length);
        this.length -= off;
      }
    }
    if (this.length === 0 && this.buf.length > KEEP) this.buf = Buffer.allocUnsafeSlow(INITIAL);
  }
}
