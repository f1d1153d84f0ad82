// dump.rdb on disk: atomic writes (temp file, fsync, rename, fsync of the directory), SAVE, BGSAVE and
// loading at start, with Redis's log lines.
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from '../server.js';
import { loadRdbSliced, saveRdbSync, snapshotRdbTo, type SnapshotOptions } from './rdb.js';
import { FileChunks } from './file-chunks.js';
import { loadingSlice, processEventsWhileLoading, startLoading, stopLoading } from './loading.js';
import { persistState, setBgsaveOk } from './state.js';
import { RdbError } from './errors.js';

export function rdbFile(srv: Server): string {
  return path.resolve(srv.config.get('dbfilename'));
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function writeFileAtomicSync(file: string, tmp: string, data: Buffer): void {
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

export async function writeFileAtomic(file: string, tmp: string, data: Buffer, stillWanted: () => boolean = () => true): Promise<boolean> {
  const fh = await fs.promises.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (!stillWanted()) {
    await fs.promises.rm(tmp, { force: true });
    return false;
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
  return true;
}

/**
 * A replica's full-sync payload on its way to dump.rdb: written to a temp file read by read (as
 * Redis's replica does, synchronously), then made the RDB file atomically: fsync, rename, fsync of
 * the directory. discard() removes the temp file of an aborted transfer.
 */
/** A full-sync payload is flushed to disk in the background every this many bytes. */
const SYNC_EVERY = 8 * 1024 * 1024;

export class IncomingRdbFile {
  private fd: number | null;
  written = 0;
  /** Bytes written when the last background fdatasync started, and whether one is running. */
  private syncedMark = 0;
  private syncing = false;
  /** Closed once the background fdatasync running on it returns (its number must not be reused meanwhile). */
  private closeWhenSynced = false;

  constructor(readonly tmp: string) {
    this.fd = fs.openSync(tmp, 'w');
  }

  write(data: Buffer): void {
    let off = 0;
    while (off < data.length) off += fs.writeSync(this.fd as number, data, off);
    this.written += data.length;
    // As Redis's rdb_fsync_range every 8 MB: the disk flushes while the transfer goes on, so the
    // fsync before loading has only the tail left (one fsync of a 1M-key payload at the end was
    // a stall of its own before the load could start).
    if (!this.syncing && this.written - this.syncedMark >= SYNC_EVERY) this.syncInBackground();
  }

  private syncInBackground(): void {
    const fd = this.fd as number;
    this.syncing = true;
    this.syncedMark = this.written;
    fs.fdatasync(fd, () => {
      this.syncing = false;
      if (this.closeWhenSynced) fs.closeSync(fd);
    });
  }

  private closeFd(fd: number): void {
    if (this.syncing) this.closeWhenSynced = true;
    else fs.closeSync(fd);
  }

  /** Drops what was written past `length` (the start of an EOF mark split across reads). */
  truncate(length: number): void {
    fs.ftruncateSync(this.fd as number, length);
    this.written = length;
  }

  /** fsync, close and rename over `file` (then fsync its directory). */
  commit(file: string): void {
    const fd = this.fd as number;
    this.fd = null;
    try {
      fs.fsyncSync(fd);
    } finally {
      this.closeFd(fd);
    }
    fs.renameSync(this.tmp, file);
    fsyncDir(path.dirname(file));
  }

  discard(): void {
    if (this.fd !== null) {
      this.closeFd(this.fd);
      this.fd = null;
    }
    fs.rmSync(this.tmp, { force: true });
  }
}

/**
 * Writes chunks to a file as they come (in order, batched with writev, off the event loop), so a
 * snapshot never sits whole in memory nor is concatenated. close() waits, fsyncs and reports errors.
 */
class FileSink {
  private readonly queue: Buffer[] = [];
  private readonly fh: Promise<fs.promises.FileHandle>;
  private pumping: Promise<void> | null = null;
  private error: Error | null = null;

  constructor(file: string) {
    this.fh = fs.promises.open(file, 'w');
    this.fh.catch((e: Error) => (this.error ??= e));
  }

  push(chunk: Buffer): void {
    this.queue.push(chunk);
    this.pumping ??= this.pump().finally(() => (this.pumping = null));
  }

  private async pump(): Promise<void> {
    try {
      const fh = await this.fh;
      while (this.queue.length > 0 && !this.error) {
        const batch = this.queue.splice(0, 512);
        let total = 0;
        for (const b of batch) total += b.length;
        const { bytesWritten } = await fh.writev(batch);
        if (bytesWritten < total) {
          // A short write (rare on regular files): finish the rest chunk by chunk.
          let skip = bytesWritten;
          for (const b of batch) {
            if (skip >= b.length) {
              skip -= b.length;
              continue;
            }
            let rest = b.subarray(skip);
            skip = 0;
            while (rest.length > 0) rest = rest.subarray((await fh.write(rest)).bytesWritten);
          }
        }
      }
    } catch (e) {
      this.error ??= e as Error;
    }
  }

  async close(): Promise<void> {
    while (this.pumping) await this.pumping;
    const fh = await this.fh.catch(() => null);
    try {
      if (fh && !this.error) await fh.sync();
    } catch (e) {
      this.error ??= e as Error;
    } finally {
      await fh?.close();
    }
    if (this.error) throw this.error;
  }
}

function saved(srv: Server, dirtyAtStart: number): void {
  const st = persistState(srv);
  srv.dirty = Math.max(0, srv.dirty - dirtyAtStart);
  st.lastSave = Math.floor(Date.now() / 1000);
  setBgsaveOk(srv, true);
  st.saves++;
}

/** The replication aux fields for a save of dump.rdb (Redis's rdbPopulateSaveInfo). */
function saveOptions(srv: Server): SnapshotOptions {
  const aux = persistState(srv).saveInfo?.();
  return aux ? { aux } : {};
}

/** SAVE (and the final save on shutdown): blocking. Throws on I/O errors after logging them. */
export function saveSync(srv: Server): void {
  const file = rdbFile(srv);
  try {
    writeFileAtomicSync(file, path.join(path.dirname(file), `temp-${process.pid}.rdb`), saveRdbSync(srv, saveOptions(srv)));
  } catch (e) {
    srv.log.warning(`Failed opening the temp RDB file temp-${process.pid}.rdb (in server root dir ${process.cwd()}) for saving: ${(e as Error).message}`);
    setBgsaveOk(srv, false);
    throw e;
  }
  srv.log.notice('DB saved on disk');
  saved(srv, srv.dirty);
}

/**
 * A point-in-time snapshot streamed into `file`: its chunks go to a temp file as the slices produce
 * them (nothing holds or concatenates the whole RDB), then fsync and an atomic rename, unless
 * `stillWanted()` says otherwise by then. Resolves with the bytes written (-1: not wanted, temp file
 * removed); on error the temp file is removed and the promise rejects.
 */
export async function snapshotToFile(srv: Server, file: string, tmp: string, opts: SnapshotOptions, stillWanted: () => boolean = () => true): Promise<number> {
  const out = new FileSink(tmp);
  let size = 0;
  try {
    await snapshotRdbTo(srv, opts, (chunk) => {
      size += chunk.length;
      out.push(chunk);
    }).catch(async (e: Error) => {
      await out.close().catch(() => undefined);
      throw e;
    });
    await out.close();
    if (!stillWanted()) {
      fs.rmSync(tmp, { force: true });
      return -1;
    }
    fs.renameSync(tmp, file);
    fsyncDir(path.dirname(file));
    return size;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** BGSAVE: a snapshot serialized between event-loop turns, then written off the loop. */
export function bgsave(srv: Server): void {
  const st = persistState(srv);
  const job = { startedAt: Date.now(), dirtyAtStart: srv.dirty, cancelled: false };
  st.bgsave = job;
  st.lastBgsaveTry = Date.now();
  srv.log.notice(`Background saving started by pid ${process.pid}`);
  const file = rdbFile(srv);
  const tmp = path.join(path.dirname(file), `temp-${process.pid}-${job.startedAt}.rdb`);
  snapshotToFile(srv, file, tmp, saveOptions(srv), () => !job.cancelled)
    .then(
      (written) => {
        if (written < 0) return;
        srv.log.notice('DB saved on disk');
        saved(srv, job.dirtyAtStart);
        srv.log.notice('Background saving terminated with success');
      },
      (e: Error) => {
        srv.log.warning(`Write error saving DB on disk: ${e.message}`);
        srv.log.warning('Background saving error');
        setBgsaveOk(srv, false);
      },
    )
    .finally(() => {
      if (st.bgsave === job) {
        st.lastBgsaveTimeSec = Math.round((Date.now() - job.startedAt) / 1000);
        st.bgsave = null;
      }
    });
}

/** strerror() of the errors reading dump.rdb can meet, for the fatal line (Node's text is 'EISDIR: illegal operation...'). */
const STRERROR: Record<string, string> = {
  EISDIR: 'Is a directory',
  EACCES: 'Permission denied',
  EIO: 'Input/output error',
  ENOMEM: 'Cannot allocate memory',
  ELOOP: 'Too many levels of symbolic links',
};

/**
 * Loads dump.rdb at start if present, in slices between which clients get -LOADING (or their loading
 * command's answer); a corrupt file is fatal (the error names the file).
 */
export async function loadRdbFile(srv: Server): Promise<void> {
  const file = rdbFile(srv);
  if (!fs.existsSync(file)) return;
  const t0 = performance.now();
  const st = persistState(srv);
  let input: FileChunks | null = null;
  try {
    const slice = loadingSlice(srv);
    input = FileChunks.open(file, slice);
    startLoading(srv, input.size);
    const res = await loadRdbSliced(srv, input, {}, slice, (loader) => {
      st.lastLoadKeys = loader.out.keys;
      const p = st.loadingProgress;
      if (p) p.rdbUsedMem = Number(loader.out.aux.get('used-mem') ?? 0);
      return processEventsWhileLoading(srv, loader.loaded);
    });
    if (!res) return; // a shutdown during the load
    st.loadedAux = res.aux;
    st.lastLoadKeys = res.keys;
    st.lastLoadExpired = res.expired;
    srv.log.notice(`Done loading RDB, keys loaded: ${res.keys}, keys expired: ${res.expired}.`);
  } catch (e) {
    if (e instanceof RdbError) throw new Error(`Fatal error loading the DB from ${file}: ${e.message}. Exiting.`);
    const errno = (e as NodeJS.ErrnoException).code;
    if (errno !== undefined) throw new Error(`Fatal error loading the DB from ${file}: ${STRERROR[errno] ?? errno}. Exiting.`);
    throw e;
  } finally {
    await input?.close();
    stopLoading(srv);
  }
  srv.log.notice(`DB loaded from disk: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
}
