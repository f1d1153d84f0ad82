// Replaying AOF command files: a strict RESP-array reader that reports where the last complete command
// ends (for aof-load-truncated), and an executor that runs commands on a fake client without
// propagation, handling SELECT and MULTI/EXEC itself (an unfinished transaction at the end is dropped).
import type { Server } from '../server.js';
import type { CommandContext } from '../commands/table.js';
import { CommandNames, copyOut } from '../protocol/parser.js';
import type { StoredValue } from '../store/types.js';
import { PACK_MAX, storedArg } from '../store/compact.js';
import { keyspaceEventsOn } from '../pubsub/notify.js';
import { Latin1Window } from './latin1-window.js';

export class AofError extends Error {
  constructor(message: string, readonly truncated: boolean, readonly validEnd: number) {
    super(message);
  }
}

/** Where the line readLine() just read ends (the next byte to read). */
let lineNext = 0;
const TRUNCATED = -1;
const BAD = -2;

/**
 * Reads "<prefix><int>\r\n" at pos: the value (lineNext is then past the line), TRUNCATED when the
 * buffer ends first, BAD when the line is malformed. No tuple per line, no string and regex: they
 * showed in 1M-key AOF load profiles.
 */
function readLine(buf: Buffer, pos: number, prefix: number): number {
  if (pos >= buf.length) return TRUNCATED;
  if (buf[pos] !== prefix) return BAD;
  let n = 0;
  let i = pos + 1;
  for (; i < buf.length; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  if (i >= buf.length) return TRUNCATED;
  if (i === pos + 1 || buf[i] !== 13) return buf.indexOf(10, pos) < 0 ? TRUNCATED : BAD;
  if (i + 1 >= buf.length) return TRUNCATED;
  if (buf[i + 1] !== 10) return buf.indexOf(10, i) < 0 ? TRUNCATED : BAD;
  lineNext = i + 2;
  return n;
}

/**
 * Cuts commands out of an AOF file's bytes. Arguments are copied (a stored value must not pin the
 * file), the way the request parser copies them; a command name equal to the previous one is handed
 * over as the same Buffer, which dispatch resolves by identity.
 */
export class AofCommandReader {
  /** Offset just past the last command read. */
  pos: number;
  private readonly names = new CommandNames();
  private readonly text: Latin1Window;
  /** What plainSet() read: the key, and the value as the keyspace stores it. */
  setKey = '';
  setValue: StoredValue = '';

  constructor(private readonly buf: Buffer, start: number) {
    this.pos = start;
    this.text = new Latin1Window(buf);
  }

  /**
   * When the next command is a complete, well-formed `SET key value` without options (what most of
   * an AOF is), reads it into setKey/setValue straight from the file's bytes (no argument Buffers,
   * no latin1Slice call for short strings) and returns true. Otherwise returns false and reads
   * nothing: next() then reads the command or reports what is wrong with it.
   */
  plainSet(): boolean {
    const buf = this.buf;
    const p = this.pos;
    // "*3\r\n$3\r\n", then SET in any case (| 0x20 lowercases exactly the letters S, E, T), "\r\n".
    if (p + 13 > buf.length || buf.readUInt32LE(p) !== 0x0a0d332a || buf.readUInt32LE(p + 4) !== 0x0a0d3324) return false;
    if ((buf.readUInt32LE(p + 8) | 0x00202020) !== 0x0d746573 || buf[p + 12] !== 10) return false;
    const klen = readLine(buf, p + 13, 36 /* $ */);
    if (klen < 0) return false;
    const kq = lineNext;
    if (kq + klen + 2 > buf.length || buf[kq + klen] !== 13 || buf[kq + klen + 1] !== 10) return false;
    const vlen = readLine(buf, kq + klen + 2, 36);
    if (vlen < 0) return false;
    const vq = lineNext;
    if (vq + vlen + 2 > buf.length || buf[vq + vlen] !== 13 || buf[vq + vlen + 1] !== 10) return false;
    this.setKey = this.text.str(kq, klen);
    this.setValue = vlen <= PACK_MAX ? this.text.str(vq, vlen) : storedArg(buf, vq, vq + vlen);
    this.pos = vq + vlen + 2;
    return true;
  }

  /** The next command, null at a clean end; throws AofError (at the command's start) otherwise. */
  next(): Buffer[] | null {
    const buf = this.buf;
    const pos = this.pos;
    if (pos >= buf.length) return null;
    let argc = readLine(buf, pos, 42 /* * */);
    if (argc === BAD || argc === 0) throw new AofError('Bad file format', false, pos);
    if (argc === TRUNCATED) throw new AofError('Unexpected end of file', true, pos);
    let p = lineNext;
    const argv: Buffer[] = [];
    while (argc-- > 0) {
      const len = readLine(buf, p, 36 /* $ */);
      if (len === BAD) throw new AofError('Bad file format', false, pos);
      if (len === TRUNCATED) throw new AofError('Unexpected end of file', true, pos);
      const q = lineNext;
      if (q + len + 2 > buf.length) throw new AofError('Unexpected end of file', true, pos);
      if (buf[q + len] !== 13 || buf[q + len + 1] !== 10) throw new AofError('Bad file format', false, pos);
      argv.push(argv.length === 0 ? this.names.copy(buf, q, len) : copyOut(buf, q, len));
      p = q + len + 2;
    }
    this.pos = p;
    return argv;
  }
}

export interface ReplayResult {
  commands: number;
  /** Offset after the last command that was applied (the file is valid up to here). */
  validEnd: number;
  truncated: boolean;
}

/**
 * Runs the commands of `buf` from `start`, resumable: step() runs about `budget` bytes of commands
 * and returns null when more are left (the start-up load yields to the event loop in between). A
 * truncated tail is returned (truncated: true) when allowed, else thrown; malformed data and unknown
 * commands always throw.
 */
export class AofReplay {
  private readonly c: ReturnType<Server['createFakeClient']>;
  private readonly reader: AofCommandReader;
  private pos: number;
  private commands = 0;
  private multi: Buffer[][] | null = null;
  private multiStart: number;

  constructor(private readonly srv: Server, buf: Buffer, start: number, private readonly allowTruncated: boolean) {
    this.c = srv.createFakeClient();
    this.c.reply.muted = true;
    this.pos = start;
    this.multiStart = start;
    this.reader = new AofCommandReader(buf, start);
  }

  /** Offset of the next command (INFO's loading progress). */
  get offset(): number {
    return this.pos;
  }

  private run(argv: Buffer[], name: string): void {
    const { srv, c } = this;
    if (name === 'select') {
      const id = Number(argv[1]?.toString());
      if (!Number.isInteger(id) || id < 0 || id >= srv.dbs.length) throw new AofError(`Invalid SELECT ${argv[1]?.toString()}`, false, this.pos);
      c.db = srv.dbs[id];
      c.dbIndex = id;
      return;
    }
    const cmd = srv.dispatch.resolve(argv);
    if (typeof cmd === 'string') throw new AofError(`Unknown command '${argv[0].toString()}' reading the append only file`, false, this.pos);
    const ctx: CommandContext = { srv, client: c, db: c.db, reply: c.reply, argv, cmd, propagate: null };
    (cmd.handler as NonNullable<typeof cmd.handler>)(ctx);
  }

  step(budget: number): ReplayResult | null {
    const { srv, c, reader } = this;
    const stop = this.pos + budget;
    // A plain SET outside MULTI is applied as setCommand would, without dispatch; not while keyspace
    // events are on (setCommand's notification wants the key as a Buffer).
    const fastSet = !keyspaceEventsOn(srv);
    while (this.pos < stop) {
      if (fastSet && !this.multi && reader.plainSet()) {
        c.db.set(reader.setKey, reader.setValue);
        srv.dirty++;
        this.commands++;
        this.pos = reader.pos;
        continue;
      }
      let argv: Buffer[] | null;
      try {
        argv = reader.next();
      } catch (e) {
        if (e instanceof AofError && e.truncated && this.allowTruncated) return { commands: this.commands, validEnd: this.multi ? this.multiStart : this.pos, truncated: true };
        throw e;
      }
      if (!argv) return this.finish();
      // Only MULTI (5), EXEC (4) and SELECT (6) are handled here: other names are not lowercased.
      const n0 = argv[0].length;
      const name = n0 >= 4 && n0 <= 6 ? argv[0].latin1Slice(0, n0).toLowerCase() : '';
      if (name === 'multi') {
        this.multi = [];
        this.multiStart = this.pos;
      } else if (name === 'exec' && this.multi) {
        for (const a of this.multi) this.run(a, a[0].latin1Slice(0, a[0].length).toLowerCase());
        this.multi = null;
      } else if (this.multi) {
        this.multi.push(argv);
      } else {
        this.run(argv, name);
      }
      this.commands++;
      this.pos = reader.pos;
    }
    return null;
  }

  private finish(): ReplayResult {
    if (this.multi) {
      // Redis reverts a MULTI without EXEC at the end of the file.
      if (!this.allowTruncated) throw new AofError('Unexpected end of file', true, this.multiStart);
      return { commands: this.commands, validEnd: this.multiStart, truncated: true };
    }
    return { commands: this.commands, validEnd: this.pos, truncated: false };
  }
}

/** All the commands of `buf` from `start`, at once (see AofReplay). */
export function replayCommands(srv: Server, buf: Buffer, start: number, allowTruncated: boolean): ReplayResult {
  return new AofReplay(srv, buf, start, allowTruncated).step(Infinity) as ReplayResult;
}
