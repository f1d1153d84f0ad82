// A file read front to back in chunks for a sliced load (RdbSource): each read runs in libuv's thread
// pool while the caller decodes the chunk before it, into two buffers used in turn. A load then
// neither waits for the whole file first nor page-faults in a buffer the size of the file.
// A chunk's memory is overwritten by the read after next: the consumer must let go of a chunk once
// it is given the next one, keeping copies only (RdbLoader does: push() drops the previous input,
// and no decoded value shares the input's memory). Each chunk has HEADROOM bytes free before it in
// its buffer (RdbSource.headroom), where the consumer puts the undecoded tail of the chunk before
// instead of copying the new chunk after it.
import fs from 'node:fs';
import type { RdbSource } from './rdb.js';

/** Room for the item a chunk's end cut in two (typically tens of bytes; a longer one is copied). */
const HEADROOM = 64 * 1024;

export class FileChunks implements RdbSource {
  readonly headroom = HEADROOM;
  private readonly bufs: Buffer[] = [];
  private turn = 0;
  private pos = 0;
  private inFlight: Promise<unknown> | null = null;

  private constructor(private readonly fd: number, readonly size: number, private readonly chunk: number) {}

  /** Opens `file` (throws as fs.openSync does). */
  static open(file: string, chunk: number): FileChunks {
    const fd = fs.openSync(file, 'r');
    try {
      return new FileChunks(fd, fs.fstatSync(fd).size, chunk);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** The next bytes (up to max(min, chunk); fewer near the end), or null at the end of the file. */
  read(min: number): Promise<Buffer | null> {
    const n = Math.max(min, this.chunk);
    const t = (this.turn ^= 1);
    if ((this.bufs[t]?.length ?? 0) < HEADROOM + n) this.bufs[t] = Buffer.allocUnsafeSlow(HEADROOM + n);
    const buf = this.bufs[t];
    const p = new Promise<Buffer | null>((resolve, reject) => {
      fs.read(this.fd, buf, HEADROOM, n, this.pos, (err, got) => {
        if (err) return reject(err);
        this.pos += got;
        resolve(got === 0 ? null : buf.subarray(HEADROOM, HEADROOM + got));
      });
    });
    this.inFlight = p.catch(() => undefined);
    return p;
  }

  /** Closes the file once a read still running has finished (it writes into our buffers). */
  async close(): Promise<void> {
    await this.inFlight;
    fs.closeSync(this.fd);
  }
}
