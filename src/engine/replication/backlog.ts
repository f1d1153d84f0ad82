// The replication backlog: a fixed-size ring holding the last `repl-backlog-size` bytes of the
// replication stream, so a replica that lost its link can ask for the bytes it missed (PSYNC).
// Offsets are Redis's: the stream's first byte is offset 1, `endOffset` is the last byte written.

export class Backlog {
  private ring: Buffer;
  /** Next write position in the ring. */
  private idx = 0;
  /** Valid bytes in the ring (<= size). */
  histlen = 0;

  /** endOffset: the master_repl_offset the backlog starts from (its first byte is endOffset + 1). */
  constructor(size: number, public endOffset: number) {
    this.ring = Buffer.allocUnsafe(Math.max(1, size));
  }

  get size(): number {
    return this.ring.length;
  }

  /** Offset of the oldest byte held (repl_backlog_first_byte_offset). */
  get firstByteOffset(): number {
    return this.endOffset - this.histlen + 1;
  }

  append(data: Buffer): void {
    const size = this.ring.length;
    this.endOffset += data.length;
    // Only the tail that fits matters when a single write is larger than the ring.
    let src = data.length > size ? data.subarray(data.length - size) : data;
    while (src.length > 0) {
      const n = Math.min(size - this.idx, src.length);
      src.copy(this.ring, this.idx, 0, n);
      this.idx = (this.idx + n) % size;
      src = src.subarray(n);
    }
    this.histlen = Math.min(size, this.histlen + data.length);
  }

  /** Appends a latin1 byte image (the stream encoder's accumulator) without an intermediate Buffer. */
  appendLatin1(s: string): void {
    if (s.length <= this.ring.length - this.idx) {
      this.ring.write(s, this.idx, 'latin1');
      this.idx = (this.idx + s.length) % this.ring.length;
      this.endOffset += s.length;
      this.histlen = Math.min(this.ring.length, this.histlen + s.length);
    } else {
      this.append(Buffer.from(s, 'latin1'));
    }
  }

  /** True when the bytes from `offset` (inclusive) to the end are all held. */
  covers(offset: number): boolean {
    return offset >= this.firstByteOffset && offset <= this.endOffset + 1;
  }

  /** The bytes from `offset` (inclusive) to the end; call only when covers(offset). */
  readFrom(offset: number): Buffer {
    const len = this.endOffset + 1 - offset;
    if (len <= 0) return Buffer.alloc(0);
    const size = this.ring.length;
    const start = (this.idx - len + size * 2) % size;
    if (start + len <= size) return Buffer.from(this.ring.subarray(start, start + len));
    return Buffer.concat([this.ring.subarray(start), this.ring.subarray(0, (start + len) % size)]);
  }

  /** CONFIG SET repl-backlog-size: keeps as much recent history as fits. */
  resize(size: number): void {
    if (size === this.ring.length) return;
    const keep = Math.min(this.histlen, size);
    const tail = this.readFrom(this.endOffset + 1 - keep);
    const end = this.endOffset;
    this.ring = Buffer.allocUnsafe(Math.max(1, size));
    this.idx = 0;
    this.histlen = 0;
    this.endOffset = end - tail.length;
    this.append(tail);
  }
}
