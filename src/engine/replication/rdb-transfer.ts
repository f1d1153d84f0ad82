// The RDB payload of a full sync, as it arrives on a replica's link after +FULLRESYNC (or SYNC):
// a `$len` header or a diskless master's `$EOF:<mark>`, then the bytes, decoded as they arrive beside
// the old dataset (and, with repl-diskless-load disabled, written to dump.rdb through a temp file).
// The link (replica.ts) hands it bytes until it is complete, then commits the decoded dataset.
import path from 'node:path';
import type { Server } from '../server.js';
import { StreamedLoad } from '../persistence/streamed-load.js';
import { IncomingRdbFile, rdbFile } from '../persistence/rdb-file.js';
import { persistState } from '../persistence/state.js';

/** Length of the `$EOF:` mark that ends a diskless master's payload. */
const MARK_LEN = 40;

/** repl-diskless-load: 'disk' also writes the payload to dump.rdb; the others only decode it. */
export type LoadMode = 'disk' | 'parser' | 'swapdb';

export class RdbTransfer {
  /** -1 until the `$` header is read; then the byte count, or -2 for an EOF-marked stream. */
  total = -1;
  read = 0;
  /** Decodes the payload as it arrives. */
  readonly decoder: StreamedLoad;
  private mark: Buffer | null = null;
  /** EOF-marked stream: the last bytes received (the mark may straddle two reads). */
  private tail: Buffer = Buffer.alloc(0);
  /**
   * EOF-marked stream: the last bytes stored, not yet given to the decoder, which they may turn out
   * not to belong to (the start of the mark); `fed` bytes were given to it.
   */
  private held: Buffer = Buffer.alloc(0);
  private fed = 0;
  /** Failed or abandoned: nothing more is decoded or written. */
  private dead = false;

  /**
   * Where the payload goes, per repl-diskless-load; null when the temp file cannot be opened (logged).
   * fail: the transfer is over without a dataset (logged); the link drops.
   */
  static open(srv: Server, replid: string, offset: number, fail: () => void): RdbTransfer | null {
    const mode = srv.config.get('repl-diskless-load');
    const empty = srv.dbs.every((db) => db.size === 0);
    const load: LoadMode = mode === 'swapdb' ? 'swapdb' : mode === 'on-empty-db' && empty ? 'parser' : 'disk';
    let file: IncomingRdbFile | null = null;
    if (load === 'disk') {
      try {
        file = new IncomingRdbFile(path.resolve(`temp-${Math.floor(Date.now() / 1000)}.${process.pid}.rdb`));
      } catch (e) {
        srv.log.warning(`Opening the temp file needed for MASTER <-> REPLICA synchronization: ${(e as Error).message}`);
        return null;
      }
    }
    return new RdbTransfer(srv, replid, offset, load, file, fail);
  }

  private constructor(
    private readonly srv: Server,
    readonly replid: string,
    readonly offset: number,
    readonly load: LoadMode,
    private file: IncomingRdbFile | null,
    private readonly fail: () => void,
  ) {
    this.decoder = new StreamedLoad(srv);
  }

  /** The `$` header was read: what follows is payload. */
  get started(): boolean {
    return this.total !== -1;
  }

  /** EOF-marked (a diskless master, which starts the stream on our first ACK). */
  get streamed(): boolean {
    return this.total === -2;
  }

  /** A line before the payload: a keepalive, an error, or the `$` header. False: the link must drop (logged). */
  header(line: string): boolean {
    const { srv } = this;
    if (line === '') return true; // keepalive while the master prepares the RDB
    if (line.startsWith('-')) {
      srv.log.warning(`MASTER aborted replication with an error: ${line.slice(1)}`);
      return false;
    }
    if (!line.startsWith('$')) {
      srv.log.warning(`Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
      return false;
    }
    const target = this.load === 'disk' ? 'to disk' : 'to parser';
    if (line.startsWith('$EOF:') && line.length === 5 + MARK_LEN) {
      this.total = -2;
      this.mark = Buffer.from(line.slice(5), 'latin1');
      srv.log.notice(`MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${target}`);
    } else {
      this.total = Number(line.slice(1));
      srv.log.notice(`MASTER <-> REPLICA sync: receiving ${this.total} bytes from master ${target}`);
    }
    return true;
  }

  /**
   * Takes the payload's bytes from buf. Null while the payload is incomplete (buf all taken) or when
   * it failed (fail was called); once complete, decoded and on disk: the bytes after it (stream).
   */
  feed(buf: Buffer): Buffer | null {
    if (this.total >= 0) {
      const take = Math.min(buf.length, this.total - this.read);
      if (take > 0) this.store(buf.subarray(0, take));
      if (this.read < this.total) return null;
      return this.end() ? buf.subarray(take) : null;
    }
    // EOF-marked: look for the 40-byte mark, possibly split across reads.
    const mark = this.mark as Buffer;
    const window = this.tail.length > 0 ? Buffer.concat([this.tail, buf]) : buf;
    const at = window.indexOf(mark);
    if (at < 0) {
      this.store(buf);
      this.tail = Buffer.from(window.subarray(Math.max(0, window.length - mark.length)));
      return null;
    }
    // Payload bytes in this read; negative when the mark began in bytes already stored.
    const fresh = at - this.tail.length;
    if (fresh > 0) this.store(buf.subarray(0, fresh));
    else if (fresh < 0) this.unstore(this.read + fresh);
    return this.end() ? window.subarray(at + mark.length) : null;
  }

  /** The link is gone before the payload ended: the temp file and the half-decoded dataset go. */
  abandon(): void {
    this.dead = true;
    this.file?.discard();
    this.decoder.abandon();
  }

  private store(data: Buffer): void {
    if (this.file) this.file.write(data);
    this.read += data.length;
    if (this.total >= 0) return this.decode(data);
    // The last MARK_LEN bytes may be the start of the mark: they wait for the next read.
    const all = this.held.length > 0 ? Buffer.concat([this.held, data]) : data;
    const cut = Math.max(0, all.length - MARK_LEN);
    this.held = all.subarray(cut);
    this.fed += cut;
    if (cut > 0) this.decode(all.subarray(0, cut));
  }

  /** The mark began in bytes already stored: the payload ends at `length` (never before `fed`). */
  private unstore(length: number): void {
    if (this.file) this.file.truncate(length);
    this.held = this.held.subarray(0, length - this.fed);
    this.read = length;
  }

  /** Decodes what the payload completes; a malformed one ends the attempt (the old dataset stays). */
  private decode(data: Buffer): void {
    if (this.dead) return;
    try {
      this.decoder.push(data);
    } catch (e) {
      this.loadFailed(e);
    }
  }

  private loadFailed(e: unknown): void {
    const { srv } = this;
    srv.log.warning((e as Error).message);
    if (this.load === 'disk') srv.log.warning('Failed trying to load the MASTER synchronization DB from disk, check server logs.');
    else srv.log.warning('Failed trying to load the MASTER synchronization DB from socket, check server logs.');
    this.failed();
  }

  private failed(): void {
    this.dead = true;
    this.fail();
  }

  /** The payload is complete: decoded to its end, and on disk it becomes dump.rdb (atomically). */
  private end(): boolean {
    const { srv } = this;
    if (this.dead) return false; // the decoder refused it
    try {
      this.decoder.push(this.held);
      this.decoder.end();
    } catch (e) {
      this.loadFailed(e);
      return false;
    }
    // A BGSAVE in progress would overwrite the synced data with the old dataset: cancel it, as Redis
    // kills its RDB child.
    const bgsave = persistState(srv).bgsave;
    if (bgsave && !bgsave.cancelled) {
      if (this.file) srv.log.notice(`Replica is about to load the RDB file received from the master, but there is a pending RDB child running. Killing process ${process.pid} and removing its temp file to avoid any race`);
      bgsave.cancelled = true;
    }
    if (this.file) {
      const file = rdbFile(srv);
      try {
        this.file.commit(file);
        this.file = null;
      } catch (e) {
        srv.log.warning(`Failed trying to rename the temp DB into ${path.basename(file)} in MASTER <-> REPLICA synchronization: ${(e as Error).message}`);
        this.failed();
        return false;
      }
    }
    return true;
  }
}
