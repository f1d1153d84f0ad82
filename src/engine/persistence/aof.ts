// Redis 7's multi-part AOF: a directory (appenddirname) with a base file (RDB preamble or commands),
// incremental command files and the manifest naming them. Writes are buffered per event-loop batch
// and written before replies go out (fsync there too with appendfsync always, once a second with
// everysec). BGREWRITEAOF opens the next incr file at once, writes a new base from a point-in-time
// snapshot beside the event loop, then switches the manifest and deletes the old files.
import fs from 'node:fs';
import path from 'node:path';
import type { Server, PropagationSink, PropagationTarget } from '../server.js';
import { datasetCommands } from './aof-commands.js';
import { AofBuffer } from './aof-buffer.js';
import { formatManifest, parseManifest, type AofFileInfo, type Manifest } from './manifest.js';
import { parseRdb, snapshotRdb, loadRdbSliced, saveRdbSync, wholeInput } from './rdb.js';
import { AofReplay, AofError } from './aof-replay.js';
import { loadingSlice, processEventsWhileLoading, startLoading, stopLoading } from './loading.js';
import { snapshotToFile, writeFileAtomic, writeFileAtomicSync } from './rdb-file.js';
import { RdbError } from './errors.js';
import { persistState } from './state.js';
import { withLoadHeapGrowth } from '../heap-growth.js';

const SELECT = Buffer.from('SELECT');

export class Aof implements PropagationSink {
  manifest: Manifest = { base: null, incrs: [], history: [] };
  private fd: number | null = null;
  private readonly pending = new AofBuffer();
  private selectedDb = -1;
  private lastFsync = Date.now();
  private fsyncing = false;
  rewriting: { startedAt: number } | null = null;
  rewriteScheduled = false;
  lastRewriteOk = true;
  lastRewriteTimeSec = -1;
  rewrites = 0;
  consecutiveFailures = 0;
  lastWriteOk = true;
  /** Bytes in the base + incr files, and in the base alone (auto-aof-rewrite's growth test). */
  currentSize = 0;
  baseSize = 0;
  private readonly flushHook = () => this.flush();

  constructor(private readonly srv: Server) {}

  get dir(): string {
    return path.resolve(this.srv.config.get('appenddirname'));
  }

  private get prefix(): string {
    return this.srv.config.get('appendfilename');
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  feed(dbId: number, argv: Buffer[], _fromMaster?: boolean, target?: PropagationTarget): void {
    if (target === 'replicas') return; // PUBLISH: replicas only, as Redis's PROPAGATE_REPL
    if (dbId !== this.selectedDb) {
      this.pending.command([SELECT, Buffer.from(String(dbId))]);
      this.selectedDb = dbId;
    }
    this.pending.command(argv);
  }

  get bufferLength(): number {
    return this.pending.length;
  }

  /** Writes the buffered commands; fsyncs now with `always`, in the background with `everysec`. */
  flush(): void {
    const fd = this.fd;
    if (fd === null) return;
    if (this.pending.length > 0) {
      try {
        this.pending.drain((b, off, len) => {
          const n = fs.writeSync(fd, b, off, len);
          this.currentSize += n;
          return n;
        });
        this.lastWriteOk = true;
      } catch (e) {
        this.lastWriteOk = false;
        this.srv.log.warning(`Error writing to the AOF file: ${(e as Error).message}`);
        if (this.fsyncPolicy() === 'always') {
          // As Redis: the turn's replies would acknowledge writes that are not in the file.
          this.srv.log.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
          this.srv.onExit(1);
        }
        return;
      }
      if (this.fsyncPolicy() === 'always') {
        fs.fdatasyncSync(fd);
        this.lastFsync = Date.now();
      }
    }
  }

  private fsyncPolicy(): string {
    const p = this.srv.config.get('appendfsync');
    const st = persistState(this.srv);
    if (p !== 'no' && this.srv.config.bool('no-appendfsync-on-rewrite') && (this.rewriting || st.bgsave)) return 'no';
    return p;
  }

  /** Cron: flush what the loop left, the everysec fsync, the auto rewrite trigger. */
  cron(): void {
    this.flush();
    const fd = this.fd;
    if (fd !== null && this.fsyncPolicy() === 'everysec' && !this.fsyncing && Date.now() - this.lastFsync >= 1000) {
      this.fsyncing = true;
      fs.fdatasync(fd, () => {
        this.fsyncing = false;
        this.lastFsync = Date.now();
      });
    }
    const pct = this.srv.config.int('auto-aof-rewrite-percentage');
    if (pct > 0 && !this.rewriting && !persistState(this.srv).bgsave && this.currentSize > this.srv.config.int('auto-aof-rewrite-min-size')) {
      const base = this.baseSize || 1;
      const growth = Math.floor(((this.currentSize - base) * 100) / base);
      if (growth >= pct) {
        this.srv.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
        this.startRewrite();
      }
    }
    if (this.rewriteScheduled && !this.rewriting && !persistState(this.srv).bgsave) this.startRewrite();
  }

  private writeManifest(): void {
    const name = `${this.prefix}.manifest`;
    writeFileAtomicSync(this.file(name), this.file(`temp-${name}`), Buffer.from(formatManifest(this.manifest)));
  }

  private openIncr(seq: number, why: string): void {
    const info: AofFileInfo = { name: `${this.prefix}.${seq}.incr.aof`, seq, type: 'i' };
    this.srv.log.notice(`Creating AOF incr file ${info.name} ${why}`);
    this.switchTo(info);
    this.manifest.incrs.push(info);
  }

  private switchTo(info: AofFileInfo): void {
    this.flush();
    if (this.fd !== null) {
      fs.fdatasyncSync(this.fd);
      fs.closeSync(this.fd);
    }
    this.fd = fs.openSync(this.file(info.name), 'a');
    this.selectedDb = -1;
  }

  /**
   * Loads the AOF directory (called at start when appendonly is yes); true when files existed. The
   * base's RDB and the commands run in slices between which clients get -LOADING (Redis's
   * loadAppendOnlyFiles with processEventsWhileBlocked); false also when a shutdown stopped it.
   */
  load(): Promise<boolean> {
    return withLoadHeapGrowth(() => this.loadFiles());
  }

  private async loadFiles(): Promise<boolean> {
    const mpath = this.file(`${this.prefix}.manifest`);
    if (!fs.existsSync(mpath)) return false;
    try {
      this.manifest = parseManifest(fs.readFileSync(mpath, 'utf8'));
    } catch (e) {
      throw new Error(`Fatal error reading the AOF manifest ${mpath}: ${(e as Error).message}`);
    }
    const files = [...(this.manifest.base ? [this.manifest.base] : []), ...this.manifest.incrs];
    const t0 = performance.now();
    const srv = this.srv;
    for (const db of srv.dbs) db.clear();
    this.currentSize = 0;
    let total = 0;
    for (const f of files) total += fs.statSync(this.file(f.name), { throwIfNoEntry: false })?.size ?? 0;
    startLoading(srv, total);
    const slice = loadingSlice(srv);
    let before = 0; // bytes of the files already loaded
    try {
      for (let i = 0; i < files.length; i++) {
        const f = files[i];
        const t1 = performance.now();
        const full = this.file(f.name);
        if (!fs.existsSync(full)) throw new Error(`Fatal error: The AOF file ${f.name} doesn't exist`);
        const data = fs.readFileSync(full);
        const isLast = i === files.length - 1;
        const truncatedOk = isLast && srv.config.bool('aof-load-truncated');
        let start = 0;
        try {
          if (data.latin1Slice(0, 5) === 'REDIS') {
            // The base's RDB: the dbs are empty here, so it decodes straight into them.
            const rdb = await loadRdbSliced(srv, wholeInput(data), { dropExpired: false }, slice, (l) => processEventsWhileLoading(srv, before + l.loaded));
            if (!rdb) return false;
            start = rdb.end;
          }
          const replay = new AofReplay(srv, data, start, truncatedOk);
          let res = replay.step(slice);
          while (!res) {
            if (!(await processEventsWhileLoading(srv, before + replay.offset))) return false;
            res = replay.step(slice);
          }
          if (res.truncated) {
            srv.log.warning(`!!! Warning: short read while loading the AOF file ${f.name}!!!`);
            srv.log.warning(`!!! Truncating the AOF ${f.name} at offset ${res.validEnd} !!!`);
            fs.truncateSync(full, res.validEnd);
            srv.log.warning(`AOF ${f.name} loaded anyway because aof-load-truncated is enabled`);
          }
          this.currentSize += res.truncated ? res.validEnd : data.length;
          if (f.type === 'b') this.baseSize = data.length;
        } catch (e) {
          if (e instanceof AofError && e.truncated) {
            throw new Error(`Unexpected end of file reading the append only file ${f.name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`);
          }
          if (e instanceof AofError) throw new Error(`Bad file format reading the append only file ${f.name} (${e.message} at offset ${e.validEnd}): make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`);
          if (e instanceof RdbError) throw new Error(`Fatal error loading the AOF base ${f.name}: ${e.message}`);
          throw e;
        }
        before += data.length;
        srv.log.notice(`DB loaded from ${f.type === 'b' ? 'base' : 'incr'} file ${f.name}: ${((performance.now() - t1) / 1000).toFixed(3)} seconds`);
      }
    } finally {
      stopLoading(srv);
    }
    srv.log.notice(`DB loaded from append only file: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
    return true;
  }

  /** After loading (or on a fresh start): open the last incr file, or create base and incr. */
  openOnStart(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    if (!this.manifest.base && this.manifest.incrs.length === 0) {
      const seq = 1;
      const base = this.baseInfo(seq);
      this.srv.log.notice(`Creating AOF base file ${base.name} on server start`);
      const data = this.syncBase();
      writeFileAtomicSync(this.file(base.name), this.file(`temp-${base.name}`), data);
      this.manifest.base = base;
      this.baseSize = this.currentSize = data.length;
      this.openIncr(1, 'on server start');
      this.writeManifest();
    } else if (this.manifest.incrs.length === 0) {
      this.openIncr((this.manifest.base?.seq ?? 0) + 1, 'on server start');
      this.writeManifest();
    } else {
      const last = this.manifest.incrs[this.manifest.incrs.length - 1];
      this.srv.log.notice(`Opening AOF incr file ${last.name} on server start`);
      this.switchTo(last);
    }
    this.attach();
  }

  get attached(): boolean {
    return this.srv.propagation.sinks.includes(this);
  }

  private attach(): void {
    if (!this.srv.propagation.sinks.includes(this)) this.srv.propagation.sinks.push(this);
    if (!this.srv.hooks.beforeFlush.includes(this.flushHook)) this.srv.hooks.beforeFlush.push(this.flushHook);
  }

  private baseInfo(seq: number): AofFileInfo {
    const preamble = this.srv.config.bool('aof-use-rdb-preamble');
    return { name: `${this.prefix}.${seq}.base.${preamble ? 'rdb' : 'aof'}`, seq, type: 'b' };
  }

  /** A base written synchronously (start with no AOF yet: the dataset is empty or tiny then). */
  private syncBase(): Buffer {
    const rdb = saveRdbSync(this.srv, { aofBase: true });
    if (this.srv.config.bool('aof-use-rdb-preamble')) return rdb;
    return Buffer.concat(datasetCommands(parseRdb(rdb, { databases: this.srv.dbs.length, dropExpired: false, now: Date.now() })));
  }

  /**
   * BGREWRITEAOF (and CONFIG SET appendonly yes): new incr now, new base from a snapshot. While
   * `enabling`, the manifest is written only once the base exists, so a crash never leaves an AOF
   * holding just the tail. With appendonly no, only a base is written.
   */
  startRewrite(): void {
    const srv = this.srv;
    this.rewriteScheduled = false;
    const job = { startedAt: Date.now() };
    this.rewriting = job;
    fs.mkdirSync(this.dir, { recursive: true });
    const on = srv.config.bool('appendonly');
    const enabling = on && this.fd === null;
    let newIncr: AofFileInfo | null = null;
    if (on) {
      const lastIncr = this.manifest.incrs[this.manifest.incrs.length - 1]?.seq ?? 0;
      this.openIncr(lastIncr + 1, 'on background rewrite');
      newIncr = this.manifest.incrs[this.manifest.incrs.length - 1];
      if (!enabling) this.writeManifest();
      this.attach();
    }
    srv.log.notice(`Background append only file rewriting started by pid ${process.pid}`);
    const base = this.baseInfo((this.manifest.base?.seq ?? 0) + 1);
    const tmp = this.file(`temp-rewriteaof-bg-${process.pid}.aof`);
    const preamble = srv.config.bool('aof-use-rdb-preamble');
    // With the RDB preamble the base is the snapshot itself, streamed to the temp file as it is
    // produced; without it, the dataset's commands built from the whole snapshot.
    const written: Promise<number> = preamble
      ? snapshotToFile(srv, this.file(base.name), tmp, { aofBase: true })
      : snapshotRdb(srv, { aofBase: true }).then(async (rdb) => {
          const data = Buffer.concat(datasetCommands(parseRdb(rdb, { databases: srv.dbs.length, dropExpired: false, now: Date.now() })));
          await writeFileAtomic(this.file(base.name), tmp, data);
          return data.length;
        });
    written
      .then((size) => {
        srv.log.notice(`Successfully created the temporary AOF base file ${path.basename(tmp)}`);
        srv.log.notice('Background AOF rewrite terminated with success');
        srv.log.notice(`Successfully renamed the temporary AOF base file ${path.basename(tmp)} into ${base.name}`);
        const old = [...(this.manifest.base ? [this.manifest.base] : []), ...this.manifest.incrs.filter((f) => f !== newIncr)];
        this.manifest = { base, incrs: newIncr ? [newIncr] : [], history: [] };
        this.writeManifest();
        for (const f of old) {
          srv.log.notice(`Removing the history file ${f.name} in the background`);
          fs.rmSync(this.file(f.name), { force: true });
        }
        this.baseSize = size;
        this.currentSize = size + (newIncr ? fs.statSync(this.file(newIncr.name)).size + this.pending.length : 0);
        this.lastRewriteOk = true;
        this.consecutiveFailures = 0;
        this.rewrites++;
        srv.log.notice('Background AOF rewrite finished successfully');
      })
      .catch((e: Error) => {
        srv.log.warning(`Background AOF rewrite failed: ${e.message}`);
        this.lastRewriteOk = false;
        this.consecutiveFailures++;
        fs.rmSync(tmp, { force: true });
      })
      .finally(() => {
        this.lastRewriteTimeSec = Math.round((Date.now() - job.startedAt) / 1000);
        if (this.rewriting === job) this.rewriting = null;
      });
  }

  /** CONFIG SET appendonly no / shutdown: write, fsync and close the incr file. */
  close(): void {
    this.flush();
    this.pending.clear(); // what a failed write left: the file is closed without it, as before
    if (this.fd !== null) {
      this.srv.log.notice('Calling fsync() on the AOF file.');
      fs.fdatasyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = null;
    }
    const i = this.srv.propagation.sinks.indexOf(this);
    if (i >= 0) this.srv.propagation.sinks.splice(i, 1);
    const j = this.srv.hooks.beforeFlush.indexOf(this.flushHook);
    if (j >= 0) this.srv.hooks.beforeFlush.splice(j, 1);
  }
}
