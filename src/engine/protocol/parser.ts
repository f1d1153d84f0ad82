// Streaming RESP request parser: multibulk (`*N\r\n$len\r\n...`) and inline commands, over Buffers,
// tolerant of any fragmentation. Errors carry Redis's exact "Protocol error: ..." texts.
import { isSpace, splitArgs } from './split-args.js';
import { CommandArgs } from './command-args.js';

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;
/** Redis's PROTO_INLINE_MAX_SIZE: the longest inline request or count line before a newline. */
export const INLINE_MAX = 64 * 1024;
/** Bulk arguments at least this big are read straight into their own buffer (PROTO_MBULK_BIG_ARG). */
const BIG_ARG = 32 * 1024;

export class ProtocolError extends Error {}

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** Unauthenticated clients get Redis's tighter limits (multibulk 10, bulk 16384). */
  unauthenticated: boolean;
}

export class RespParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Arguments still expected in the current multibulk (0 = between commands). */
  private remaining = 0;
  private args: Buffer[] = [];
  /** Length of the bulk being read, -1 when the next thing is a `$len` line. */
  private bulkLen = -1;
  /** Big bulk being filled in place, with its fill level. */
  private big: Buffer | null = null;
  private bigFill = 0;
  /** Command names (argv[0]), one copy shared by the commands that repeat it. */
  private readonly names = new CommandNames();
  /** The current multibulk command as offsets into buf (feed's onArgs), instead of copies in args. */
  private readonly view = new CommandArgs();
  private viewing = false;

  constructor(public limits: ParserLimits) {}

  /** Bytes received but not yet consumed as a whole command (the query buffer). */
  pending(): number {
    return this.buf.length - this.pos + (this.big ? this.bigFill : 0);
  }

  /** Bytes held by the arguments already read of a command still incomplete (CLIENT LIST argv-mem). */
  partialArgvBytes(): number {
    let n = 0;
    for (const a of this.args) n += a.length;
    return n;
  }

  /** Copies what is left of the last chunk (an incomplete command) out of it: the chunk was a
   * reused read buffer. */
  detach(): void {
    if (this.pos < this.buf.length && this.buf !== EMPTY) {
      this.buf = Buffer.from(this.buf.subarray(this.pos));
      this.pos = 0;
    }
  }

  /**
   * Feed bytes; calls onCommand for each complete command; throws ProtocolError on bad input. With
   * onArgs, a multibulk command read whole from this feed goes to onArgs as a view into the read
   * buffer instead (valid during the call only); one that spans feeds is copied out and goes to
   * onCommand.
   */
  feed(chunk: Buffer, onCommand: (argv: Buffer[]) => void, onArgs?: (args: CommandArgs) => void): void {
    // Still set only after a ProtocolError left a command half read (the client is being closed).
    this.viewing = false;
    if (this.big) {
      chunk = this.fillBig(chunk);
      if (this.big) return; // still filling the big argument
      if (this.remaining === 0) {
        const argv = this.args;
        this.args = [];
        onCommand(argv);
      }
    }
    if (this.pos < this.buf.length) {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    } else {
      this.buf = chunk;
    }
    this.pos = 0;
    for (;;) {
      if (this.remaining === 0) {
        if (this.pos >= this.buf.length) break;
        if (this.buf[this.pos] === STAR) {
          const at = this.pos;
          if (!this.readMultibulkHeader()) break;
          if (this.remaining === 0) continue; // `*0` / `*-1`: nothing to run
          if (onArgs !== undefined) {
            this.viewing = true;
            this.view.begin(this.buf, at);
          }
        } else {
          const argv = this.readInline();
          if (argv === null) break;
          if (argv.length > 0) onCommand(argv);
          continue;
        }
      }
      if (!this.readBulks()) break;
      if (this.viewing) {
        this.viewing = false;
        (onArgs as (args: CommandArgs) => void)(this.view);
        continue;
      }
      const argv = this.args;
      this.args = [];
      onCommand(argv);
    }
    if (this.viewing) {
      // The command goes on in the next read, after this buffer is reused: copy what was read of it.
      this.viewing = false;
      this.args = this.view.argv().slice();
    }
    if (this.pos >= this.buf.length) {
      this.buf = EMPTY;
      this.pos = 0;
    }
  }

  private readLine(tooBig: string): number {
    const nl = this.buf.indexOf(CR, this.pos);
    if (nl === -1 || nl + 1 >= this.buf.length) {
      if (this.buf.length - this.pos > INLINE_MAX) throw new ProtocolError(`Protocol error: ${tooBig}`);
      return -1;
    }
    if (nl - this.pos > INLINE_MAX) throw new ProtocolError(`Protocol error: ${tooBig}`);
    return nl;
  }

  /** Fast path for a short `<prefix>digits\r\n` line at pos: the value, or -1 when the line is not
   * complete, not plain digits or longer than 15 digits (the generic path then decides). */
  private shortLine(): number {
    const buf = this.buf;
    const end = buf.length;
    let i = this.pos + 1;
    const max = i + 15;
    let n = 0;
    for (; i < end && i < max; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === this.pos + 1 || i + 1 >= end || buf[i] !== CR) return -1;
    this.pos = i + 2;
    return n;
  }

  private readMultibulkHeader(): boolean {
    const fast = this.shortLine();
    if (fast !== -1) {
      if (fast > 2147483647) throw new ProtocolError('Protocol error: invalid multibulk length');
      if (fast > 10 && this.limits.unauthenticated) throw new ProtocolError('Protocol error: unauthenticated multibulk length');
      this.remaining = fast;
      this.bulkLen = -1;
      return true;
    }
    const nl = this.readLine('too big mbulk count string');
    if (nl === -1) return false;
    const n = parseInteger(this.buf, this.pos + 1, nl);
    if (n === null || n > 2147483647) throw new ProtocolError('Protocol error: invalid multibulk length');
    if (n > 10 && this.limits.unauthenticated) throw new ProtocolError('Protocol error: unauthenticated multibulk length');
    this.pos = nl + 2;
    this.remaining = n > 0 ? n : 0;
    this.bulkLen = -1;
    return true;
  }

  private readBulks(): boolean {
    while (this.remaining > 0) {
      if (this.bulkLen === -1) {
        if (this.pos >= this.buf.length) return false;
        const c = this.buf[this.pos];
        if (c !== DOLLAR) {
          // Redis's message shows the offending byte as a character.
          throw new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(c)}'`);
        }
        let len = this.shortLine();
        if (len === -1) {
          const nl = this.readLine('too big bulk count string');
          if (nl === -1) return false;
          const parsed = parseInteger(this.buf, this.pos + 1, nl);
          if (parsed === null || parsed < 0) throw new ProtocolError('Protocol error: invalid bulk length');
          len = parsed;
          this.pos = nl + 2;
        }
        if (len > this.limits.maxBulkLen) throw new ProtocolError('Protocol error: invalid bulk length');
        if (len > 16384 && this.limits.unauthenticated) throw new ProtocolError('Protocol error: unauthenticated bulk length');
        this.bulkLen = len;
        if (len >= BIG_ARG && this.buf.length - this.pos < len + 2) {
          // Large value arriving in pieces: copy into its own buffer once instead of re-concatenating.
          this.big = Buffer.allocUnsafe(len + 2);
          const have = this.buf.length - this.pos;
          this.buf.copy(this.big, 0, this.pos);
          this.bigFill = have;
          this.pos = this.buf.length;
          return false;
        }
      }
      const len = this.bulkLen;
      if (this.buf.length - this.pos < len + 2) return false;
      // Copied (from Node's small-buffer pool) so a stored value never pins a whole 64 KB socket read.
      // The command name repeats through a pipeline: the previous name's copy is reused (argv
      // buffers are never written to), which also lets dispatch resolve it by identity.
      if (this.viewing) {
        const view = this.view;
        if (view.count === 0) view.name = this.names.copy(this.buf, this.pos, len);
        view.push(this.pos, this.pos + len);
      } else {
        const args = this.args;
        args.push(args.length === 0 ? this.names.copy(this.buf, this.pos, len) : copyOut(this.buf, this.pos, len));
      }
      this.pos += len + 2;
      this.bulkLen = -1;
      this.remaining--;
    }
    return true;
  }

  /** Completes a big bulk from incoming bytes; returns what is left of the chunk afterwards. */
  private fillBig(chunk: Buffer): Buffer {
    const big = this.big as Buffer;
    const need = big.length - this.bigFill;
    const take = Math.min(need, chunk.length);
    chunk.copy(big, this.bigFill, 0, take);
    this.bigFill += take;
    if (this.bigFill < big.length) return EMPTY;
    this.big = null;
    this.bigFill = 0;
    this.args.push(big.subarray(0, big.length - 2));
    this.bulkLen = -1;
    this.remaining--;
    return chunk.subarray(take);
  }

  /** An inline line of plain tokens (no quotes, no NUL: what telnet pipelines such as PING send)
   * split without splitArgs' copies; the command name is shared with the previous command as in
   * multibulk. null: the line needs splitArgs. */
  private plainInline(start: number, end: number): Buffer[] | null {
    const buf = this.buf;
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c === 34 || c === 39 || c === 0) return null;
    }
    const out: Buffer[] = [];
    let i = start;
    for (;;) {
      while (i < end && isSpace(buf[i])) i++;
      if (i >= end) return out;
      let j = i;
      while (j < end && !isSpace(buf[j])) j++;
      const len = j - i;
      out.push(out.length === 0 ? this.names.copy(buf, i, len) : copyOut(buf, i, len));
      i = j;
    }
  }

  private readInline(): Buffer[] | null {
    const nl = this.buf.indexOf(LF, this.pos);
    if (nl === -1) {
      if (this.buf.length - this.pos > INLINE_MAX) throw new ProtocolError('Protocol error: too big inline request');
      return null;
    }
    let end = nl;
    if (end > this.pos && this.buf[end - 1] === CR) end--;
    const start = this.pos;
    this.pos = nl + 1;
    const plain = this.plainInline(start, end);
    if (plain !== null) return plain;
    const argv = splitArgs(this.buf.subarray(start, end));
    if (argv === null) throw new ProtocolError('Protocol error: unbalanced quotes in request');
    return argv;
  }
}

const EMPTY = Buffer.alloc(0);

/** A private copy of buf[start, start+len): short arguments are copied byte by byte, which is
 * cheaper than Buffer.from(subarray) (two buffer objects and a binding call) on the hot path. */
export function copyOut(buf: Buffer, start: number, len: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  if (len <= 32) {
    for (let i = 0; i < len; i++) b[i] = buf[start + i];
  } else {
    buf.copy(b, 0, start, start + len);
  }
  return b;
}

function sameBytes(a: Buffer, buf: Buffer, start: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[start + i]) return false;
  return true;
}

/**
 * Copies command names (copyOut), handing back the previous name's copy when the bytes repeat, as
 * through a pipeline or an AOF: argv buffers are never written to, and dispatch then resolves the
 * name by identity.
 */
export class CommandNames {
  private last: Buffer | null = null;

  copy(buf: Buffer, start: number, len: number): Buffer {
    const last = this.last;
    if (last !== null && last.length === len && sameBytes(last, buf, start)) return last;
    return (this.last = copyOut(buf, start, len));
  }
}

/** Parses a signed decimal between [start, end) like Redis's string2ll; null if malformed. */
export function parseInteger(buf: Buffer, start: number, end: number): number | null {
  if (start >= end) return null;
  let i = start;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
    if (i === end) return null;
  }
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  if (n > Number.MAX_SAFE_INTEGER) return null;
  return neg ? -n : n;
}
