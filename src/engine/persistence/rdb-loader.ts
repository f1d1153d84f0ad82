// The RDB's outer loop as a resumable decoder: fed bytes (the whole file at once, or a stream as it
// arrives), it decodes the top-level items (opcodes, and one key with its value) whose bytes are all
// there, in slices of a given size, and rewinds to an item's start when the bytes end inside it. So a
// load can yield to the event loop between slices (start-up -LOADING) and decode a payload while the
// rest of it is still arriving. One item is always decoded synchronously.
import { packLoaded } from '../store/compact.js';
import { Keyspace } from '../store/keyspace.js';
import type { StoredValue } from '../store/types.js';
import { Crc64 } from './crc64.js';
import { RdbReader } from './rdb-reader.js';
import { RdbEofError, RdbError } from './errors.js';
import { OP, RDB_VERSION, T } from './rdb-types.js';

export interface LoadedDb {
  data: Keyspace;
  expires: Map<string, number>;
}

export interface LoadedRdb {
  dbs: Map<number, LoadedDb>;
  aux: Map<string, string>;
  keys: number;
  expired: number;
  /** Offset just past the checksum (an AOF base continues with commands there). */
  end: number;
  /** Function library codes (RDB_OPCODE_FUNCTION2 records). */
  functions: Buffer[];
}

export interface ParseOptions {
  databases: number;
  /** Drop keys whose TTL already passed (a master does; a replica and an AOF preamble keep them). */
  dropExpired: boolean;
  now: number;
  log?: (msg: string) => void;
  /** Decode straight into these maps (by db id) instead of fresh ones (loadRdb into an empty dataset). */
  into?: (id: number) => LoadedDb;
  /** Redis's key-load-delay test knob: microseconds spent after each key (0: none). */
  keyLoadDelayUs?: number;
}

/** The most keys RESIZEDB records make room for in advance, all dbs together (tables grow past it as keys come). */
const RESIZE_HINT_MAX = 1 << 21;

/** Entries added to the keyspace at once (their lookups overlap in memory). */
const BATCH = 32;

interface Batch {
  keys: string[];
  values: StoredValue[];
  /** -1: no TTL. */
  expireAt: Float64Array;
  n: number;
}

/** What step() left: its byte budget spent with input left, input exhausted (push more or end()), or the file's end reached. */
export type StepResult = 'more' | 'need-input' | 'done';

export class RdbLoader {
  readonly out: LoadedRdb = { dbs: new Map(), aux: new Map(), keys: 0, expired: 0, end: 0, functions: [] };
  private buf: Buffer = Buffer.alloc(0);
  /** The two buffers joined() uses in turn. */
  private readonly scratch: (Buffer | undefined)[] = [undefined, undefined];
  private reader = new RdbReader(this.buf);
  /** Stream offset of buf[0]: the bytes before it were decoded and dropped (and checksummed). */
  private base = 0;
  private readonly crc = new Crc64();
  private ended = false;
  private version = -1;
  private finished = false;
  private cur: LoadedDb | null = null;
  /** Keys the RESIZEDB records have made room for so far, all dbs together (RESIZE_HINT_MAX at most). */
  private reserved = 0;
  private dbId = 0;
  private expireAt = -1;
  /**
   * Entries decoded but not yet in the current db (n of them): added BATCH at a time through
   * Keyspace.addNew, whose cache misses then overlap. Always added before step() returns or throws,
   * and before the db changes, so the dataset and the counts are never behind the bytes decoded.
   */
  private readonly batch: Batch = { keys: [], values: [], expireAt: new Float64Array(BATCH), n: 0 };

  constructor(private readonly opts: ParseOptions) {}

  /** A loader over the whole of data: nothing more will come. */
  static over(data: Buffer, opts: ParseOptions): RdbLoader {
    const loader = new RdbLoader(opts);
    loader.push(data);
    loader.end();
    return loader;
  }

  /** Bytes decoded so far (INFO's loading_loaded_bytes). */
  get loaded(): number {
    return this.base + this.reader.pos;
  }

  /**
   * Appends input; the decoded part of the previous input is dropped. `headroom`: bytes before chunk
   * in its memory that may be overwritten, where the undecoded rest of the previous input goes when
   * it fits (no copy of the chunk).
   */
  push(chunk: Buffer, headroom = 0): void {
    const r = this.reader;
    this.crc.update(this.buf, 0, r.pos);
    this.base += r.pos;
    const rest = this.buf.length - r.pos;
    if (rest === 0) this.buf = chunk;
    else if (rest <= headroom) {
      const joined = Buffer.from(chunk.buffer, chunk.byteOffset - rest, rest + chunk.length);
      this.buf.copy(joined, 0, r.pos);
      this.buf = joined;
    } else this.buf = this.joined(this.buf.subarray(r.pos), chunk);
    this.reader = new RdbReader(this.buf, this.buf.length, this.base);
  }

  /**
   * rest then chunk, in whichever of two buffers kept for this does not hold rest: a fresh
   * Buffer.concat of each ~2 MB chunk cost more in page faults than the copy itself.
   */
  private joined(rest: Buffer, chunk: Buffer): Buffer {
    const n = rest.length + chunk.length;
    const s = this.scratch;
    const i = rest.buffer === s[0]?.buffer ? 1 : 0;
    if ((s[i]?.length ?? 0) < n) s[i] = Buffer.allocUnsafeSlow(n);
    const out = s[i] as Buffer;
    rest.copy(out, 0);
    chunk.copy(out, rest.length);
    return out.subarray(0, n);
  }

  /** No more input: an item cut off is now an error. */
  end(): void {
    this.ended = true;
  }

  /**
   * Decodes items until `budget` bytes were consumed, the input runs out or the file ends. Throws
   * RdbError on malformed input (and on a cut-off item once end() was called).
   */
  step(budget: number): StepResult {
    if (this.finished) return 'done';
    const r = this.reader;
    const stop = r.pos + budget;
    let at = r.pos;
    let failure: unknown;
    try {
      if (this.version < 0) this.header();
      while (r.pos < stop) {
        at = r.pos;
        if (this.item()) {
          this.flush();
          this.trailer();
          return 'done';
        }
      }
      this.flush();
      return 'more';
    } catch (e) {
      // Only kept: work inside the handler deoptimised step at every chunk's cut-off item.
      failure = e;
    }
    // The entries decoded before the failing item come first: a duplicate among them is the error.
    this.flush();
    if (!(failure instanceof RdbEofError) || this.ended) throw failure;
    r.pos = at;
    return 'need-input';
  }

  private header(): void {
    const r = this.reader;
    if (this.ended && r.remaining < 9) throw new RdbError('Wrong signature trying to load DB from file');
    const data = r.take(9);
    if (data.latin1Slice(0, 5) !== 'REDIS') throw new RdbError('Wrong signature trying to load DB from file');
    const version = Number(data.latin1Slice(5, 9));
    if (!Number.isInteger(version) || version < 1 || version > RDB_VERSION) throw new RdbError(`Can't handle RDB format version ${data.latin1Slice(5, 9)}`);
    this.version = version;
    this.selectDb(0);
  }

  private selectDb(id: number): void {
    this.flush();
    if (id >= this.opts.databases) throw new RdbError(`FATAL: Data file was created with a Redis server configured to handle more than ${this.opts.databases} databases. Exiting`);
    this.dbId = id;
    this.cur = this.out.dbs.get(id) ?? this.opts.into?.(id) ?? { data: new Keyspace(), expires: new Map() };
    this.out.dbs.set(id, this.cur);
  }

  /** One top-level item; true at the EOF opcode. */
  private item(): boolean {
    const r = this.reader;
    const type = r.u8();
    switch (type) {
      case OP.EXPIRETIME:
        this.expireAt = r.take(4).readInt32LE(0) * 1000;
        return false;
      case OP.EXPIRETIME_MS:
        this.expireAt = r.ms();
        return false;
      case OP.FREQ:
        r.u8();
        return false;
      case OP.IDLE:
        r.len();
        return false;
      case OP.SELECTDB:
        this.selectDb(r.len());
        return false;
      case OP.RESIZEDB: {
        // Sized once for the keys to come instead of at every doubling. The claims of all dbs together
        // are capped, so a bogus file (16 dbs claiming millions of keys each) cannot make the node
        // allocate more than RESIZE_HINT_MAX keys' worth up front.
        const data = (this.cur as LoadedDb).data;
        const n = Math.min(r.len(), RESIZE_HINT_MAX - this.reserved);
        this.reserved += n;
        if (n > 0) data.reserve(data.size + n);
        r.len();
        return false;
      }
      case OP.AUX: {
        const k = r.str().toString();
        this.out.aux.set(k, r.str().toString());
        return false;
      }
      case OP.MODULE_AUX:
        throw new RdbError('The RDB file contains module data (AUX), which the kvctl engine cannot load');
      case OP.FUNCTION:
        r.strView();
        this.opts.log?.('The RDB file contains a pre-7.0 function record, which Redis 7.0 no longer reads: skipped');
        return false;
      case OP.FUNCTION2:
        this.out.functions.push(Buffer.from(r.strView()));
        return false;
      case OP.EOF:
        return true;
      default:
        this.entry(type);
        return false;
    }
  }

  private entry(type: number): void {
    const r = this.reader;
    const out = this.out;
    const key = r.keyString();
    const value = type === T.STRING ? r.storedString() : packLoaded(r.value(type));
    const expireAt = this.expireAt;
    this.expireAt = -1;
    if (this.opts.dropExpired && expireAt !== -1 && expireAt < this.opts.now) {
      this.flush();
      if ((this.cur as LoadedDb).data.has(key)) throw this.duplicate(key);
      out.expired++;
    } else {
      const b = this.batch;
      b.keys[b.n] = key;
      b.values[b.n] = value;
      b.expireAt[b.n] = expireAt;
      if (++b.n === BATCH) this.flush();
    }
    if (this.opts.keyLoadDelayUs) busyWait(this.opts.keyLoadDelayUs);
  }

  /** Adds the batched entries to the current db (throws at a duplicate, the ones before it added). */
  private flush(): void {
    const b = this.batch;
    const n = b.n;
    if (n === 0) return;
    b.n = 0;
    const db = this.cur as LoadedDb;
    const dup = db.data.addNew(b.keys, b.values, n);
    const added = dup < 0 ? n : dup;
    for (let i = 0; i < added; i++) if (b.expireAt[i] !== -1) db.expires.set(b.keys[i], b.expireAt[i]);
    this.out.keys += added;
    if (dup >= 0) throw this.duplicate(b.keys[dup]);
  }

  private duplicate(key: string): RdbError {
    return new RdbError(`RDB has duplicated key '${key}' in DB ${this.dbId}`);
  }

  /** The CRC64 trailer (RDB 5+): all of it must be there, so a cut-off one rewinds to the EOF opcode. */
  private trailer(): void {
    const r = this.reader;
    if (this.version >= 5) {
      const bodyEnd = r.pos;
      const stored = r.take(8);
      if (stored.every((b) => b === 0)) {
        this.opts.log?.('RDB file was saved with checksum disabled: no check performed.');
      } else {
        const got = this.crc.update(this.buf, 0, bodyEnd).digest();
        if (!got.equals(stored)) {
          throw new RdbError(`Wrong RDB checksum expected: (${hex(stored)}) got (${hex(got)}). Aborting now.`);
        }
      }
    }
    this.finished = true;
    this.out.end = this.base + r.pos;
  }
}

function hex(le: Buffer): string {
  return le.readBigUInt64LE(0).toString(16);
}

/** As Redis's debugDelay for key-load-delay: the load itself is held up, not the event loop's turn. */
function busyWait(us: number): void {
  const until = performance.now() + us / 1000;
  while (performance.now() < until);
}
