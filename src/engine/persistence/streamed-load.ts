// A replica's full-sync payload decoded while it arrives (issue 20): the master's serialization, the
// transfer and our decoding overlap instead of following one another. The keys go into maps of their
// own, which the dbs adopt only once the whole payload decoded and its checksum matched: until then
// the old dataset is served unchanged, and a payload cut off or corrupt leaves it as it was.
import type { Server } from '../server.js';
import { withLoadHeapGrowth } from '../heap-growth.js';
import { RdbLoader, type LoadedRdb } from './rdb-loader.js';
import { loadedInto, parseOptions } from './rdb.js';
import { Snapshot } from './snapshot.js';

export class StreamedLoad {
  private readonly loader: RdbLoader;
  private finished = false;
  private settled = false;
  /** Ends the lifted heap growth (withLoadHeapGrowth) once the load is committed or abandoned. */
  private settle: () => void = () => undefined;

  constructor(private readonly srv: Server) {
    // A replica keeps keys whose TTL passed: the master's DEL removes them.
    const opts = parseOptions(srv, { dropExpired: false });
    this.loader = new RdbLoader({ ...opts, into: (id) => ({ data: srv.dbs[id].emptyDataMap(), expires: new Map() }) });
    void withLoadHeapGrowth(() => new Promise<void>((resolve) => (this.settle = resolve)));
  }

  /** Payload bytes decoded so far. */
  get loaded(): number {
    return this.loader.loaded;
  }

  /**
   * Decodes every item the payload so far completes. Throws RdbError on malformed input. Bytes after
   * the RDB's checksum are ignored, as Redis's load stops there.
   */
  push(chunk: Buffer): void {
    if (this.finished) return;
    this.loader.push(chunk);
    this.finished = this.loader.step(Infinity) === 'done';
  }

  /** The payload is complete: it must have decoded to its end (throws RdbError otherwise). */
  end(): void {
    this.loader.end();
    if (!this.finished) this.finished = this.loader.step(Infinity) === 'done';
  }

  /** The decoded dataset replaces every db's content (a running snapshot completes first). */
  commit(): LoadedRdb {
    const { srv } = this;
    Snapshot.finishAllSync(srv);
    for (const db of srv.dbs) {
      const loaded = this.loader.out.dbs.get(db.id);
      if (loaded) db.adopt(loaded.data, loaded.expires);
      else db.clear();
      srv.signalDbAsReady(db);
    }
    const out = loadedInto(srv, this.loader);
    this.abandon();
    return out;
  }

  /** No commit (the link dropped, or the payload was bad): the decoded maps go with this object. */
  abandon(): void {
    if (this.settled) return;
    this.settled = true;
    this.settle();
  }
}
