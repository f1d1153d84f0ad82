// A view of one multibulk command inside the socket's read buffer: the buffer and each argument's
// start/end offsets, reused from command to command, so the parser makes no Buffer per argument.
// The view is valid only while the parser's callback runs: the read buffer is reused afterwards.
// Whatever keeps arguments longer (MULTI queue, a blocked client's pending commands, propagation,
// slowlog, MONITOR, CLIENT LIST, scripts, ACL key checks, keyspace events...) takes argv(): owned
// copies, made once per command.
import { copyOut, parseInteger } from './parser.js';
import { sharedKeyArg, storedArg, storedCopy } from '../store/compact.js';
import type { Keyspace } from '../store/keyspace.js';

const EMPTY = Buffer.alloc(0);

/** Arguments either way they come: owned argv or a read-buffer view. */
export type ArgSource = Buffer[] | CommandArgs;

export function argCount(src: ArgSource): number {
  return Array.isArray(src) ? src.length : src.count;
}

/** Argument i as the keyspace stores it (its one copy). */
export function storedAt(src: ArgSource, i: number): string | Buffer {
  return Array.isArray(src) ? storedCopy(src[i]) : src.stored(i);
}

/**
 * Argument i as bytesAt(src, i)[startAt(src, i), endAt(src, i)): the read buffer itself for a view, so
 * a call that keeps nothing of it (a set member or hash field the index copies into its own string
 * only when new) needs no Buffer made per argument.
 */
export function bytesAt(src: ArgSource, i: number): Buffer {
  return Array.isArray(src) ? src[i] : src.buf;
}

export function startAt(src: ArgSource, i: number): number {
  return Array.isArray(src) ? 0 : src.startOf(i);
}

export function endAt(src: ArgSource, i: number): number {
  return Array.isArray(src) ? src[i].length : src.endOf(i);
}

export class CommandArgs {
  /** The read buffer the arguments are in. */
  buf: Buffer = EMPTY;
  /** argv[0]: the parser's shared copy of the command name (dispatch resolves it by identity). */
  name: Buffer = EMPTY;
  /** Number of arguments, the name included. */
  count = 0;
  /** Where the command's `*<count>` header starts in buf. */
  at = 0;
  private starts: number[] = [];
  private ends: number[] = [];
  private owned: Buffer[] | null = null;

  /** Starts a command read from buf at `at` (the parser, at a multibulk header). */
  begin(buf: Buffer, at: number): void {
    this.buf = buf;
    this.at = at;
    this.count = 0;
    this.owned = null;
    this.name = EMPTY;
  }

  push(start: number, end: number): void {
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  /** Where the command's bytes end in buf (after its last argument's CRLF). */
  get end(): number {
    return this.count === 0 ? this.at : this.ends[this.count - 1] + 2;
  }

  /** argv() if it was made for this command, else null. */
  get made(): Buffer[] | null {
    return this.owned;
  }

  /** The arguments as owned Buffers (the name is the parser's shared copy), made on first call. */
  argv(): Buffer[] {
    if (this.owned !== null) return this.owned;
    const out: Buffer[] = new Array<Buffer>(this.count);
    if (this.count > 0) out[0] = this.name;
    for (let i = 1; i < this.count; i++) out[i] = copyOut(this.buf, this.starts[i], this.ends[i] - this.starts[i]);
    return (this.owned = out);
  }

  /** Byte length of argument i. */
  len(i: number): number {
    return this.ends[i] - this.starts[i];
  }

  /** Where argument i starts in buf. */
  startOf(i: number): number {
    return this.starts[i];
  }

  /** Where argument i ends in buf (its CRLF). */
  endOf(i: number): number {
    return this.ends[i];
  }

  /** Argument i as a keyspace key (keyStr: latin1, so any byte maps to one char). */
  key(i: number): string {
    return this.buf.latin1Slice(this.starts[i], this.ends[i]);
  }

  /** key(i) as ks stores it when present (Keyspace.keyFor): no new string for a key that exists. */
  keyIn(i: number, ks: Keyspace): string {
    return ks.keyFor(this.buf, this.starts[i], this.ends[i]);
  }

  /** key(i), shared for short keys (compact.ts sharedKeyStr). */
  sharedKey(i: number): string {
    return sharedKeyArg(this.buf, this.starts[i], this.ends[i]);
  }

  /** Argument i as the keyspace stores a value: its one copy out of the read buffer. */
  stored(i: number): string | Buffer {
    return storedArg(this.buf, this.starts[i], this.ends[i]);
  }

  /** Argument i as a plain decimal within the safe-integer range, else null (the caller falls back). */
  safeInt(i: number): number | null {
    const n = parseInteger(this.buf, this.starts[i], this.ends[i]);
    // parseInteger accepts "-0" and leading zeros, which Redis's string2ll refuses.
    if (n === null) return null;
    const s = this.starts[i];
    if (this.len(i) > 1 && (this.buf[s] === 48 || (this.buf[s] === 45 && this.buf[s + 1] === 48))) return null;
    return n;
  }
}

/**
 * The owned argv of a command the parser accepted as a view, from its bytes (buf[at, end): a
 * `*<count>` header and `$<len>` bulks) once the view has moved on, while buf is still the read
 * buffer: the slow log's arguments for a command of a run timed as a whole (command-timing.ts).
 */
export function argvFromBytes(buf: Buffer, at: number, end: number, name: Buffer): Buffer[] {
  let nl = buf.indexOf(13, at);
  const count = parseInteger(buf, at + 1, nl) as number;
  const out = new Array<Buffer>(count);
  let p = nl + 2;
  for (let i = 0; i < count && p < end; i++) {
    nl = buf.indexOf(13, p);
    const len = parseInteger(buf, p + 1, nl) as number;
    p = nl + 2;
    out[i] = i === 0 ? name : copyOut(buf, p, len);
    p += len + 2;
  }
  return out;
}
