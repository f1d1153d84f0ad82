// Client connections from MIGRATE to a target instance: RESP commands out, one-line replies in
// (+OK / -ERR: all that AUTH, SELECT and RESTORE answer). Connections idle for 10 s are closed, as
// Redis closes its cached MIGRATE sockets. Unlike Redis, MIGRATE does not block the server, so a
// reshard's parallel workers have several MIGRATEs to one target in flight at once: they share one
// socket, their commands queued in a turn leave in one write (at setImmediate, the same point as the
// server's reply flush) and the replies come back in order. A socket per MIGRATE cost a write and a
// read on both nodes per MIGRATE. Reads and writes go below net.Socket's stream layer as the server's
// client sockets do (socket-io.ts): a reshard's source does one of each per MIGRATE round trip.
import net from 'node:net';
import { encodeCommand } from '../protocol/command-encoder.js';
import { directWriter, onReads, writeOwned, type DirectWriter } from '../socket-io.js';

const IDLE_MS = 10_000;

export class IoError extends Error {}

// What redis-server 7.0.15 answers when the target accepted but does not answer in time (compared in
// test/integration/migrate-shared-socket.test.ts; it was 'reading to target node').
const READ_ERROR = 'error or timeout reading to target instance';

interface Waiter {
  n: number;
  lines: string[];
  resolve: (lines: string[]) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** What the target answered to one MIGRATE's commands. */
export interface TargetReplies {
  auth: string | null;
  select: string | null;
  restores: string[];
}

class TargetConn {
  private buf = '';
  private dead = false;
  private readonly waiting: Waiter[] = [];
  private out: Buffer[] = [];
  /**
   * The db the target's session is in once what was written has run; -1 when not known. A new
   * session is in db 0, so a cluster's MIGRATEs (db 0 only) never SELECT and never wait for one.
   */
  db = 0;
  /** The request with a SELECT in flight: nothing is queued behind it until its answer is known. */
  selecting: Promise<string[]> | null = null;
  private lastUse = Date.now();
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly io: DirectWriter | null;

  constructor(readonly key: string, private readonly sock: net.Socket) {
    sock.setNoDelay(true);
    this.io = directWriter(sock, () => this.close());
    // A borrowed chunk is only valid during the call: onData copies it into its string.
    onReads(sock, (d) => this.onData(d.toString('latin1')));
    sock.on('error', () => this.close());
    sock.on('close', () => this.close());
  }

  static connect(host: string, port: number, timeoutMs: number): Promise<TargetConn> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      const t = setTimeout(() => {
        sock.destroy();
        reject(new IoError('error or timeout connecting to the client'));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(t);
        resolve(new TargetConn(`${host}:${port}`, sock));
      });
      sock.once('error', () => {
        clearTimeout(t);
        reject(new IoError('error or timeout connecting to the client'));
      });
    });
  }

  get alive(): boolean {
    return !this.dead;
  }

  get inFlight(): number {
    return this.waiting.length;
  }

  /** Queues commands for this turn's write; resolves with their n reply lines (errors keep their '-'). */
  request(cmds: Buffer[], n: number, timeoutMs: number): Promise<string[]> {
    // A closed connection would never answer, and its timeout's close() would be a no-op.
    if (this.dead) return Promise.reject(new IoError(READ_ERROR));
    if (this.out.length === 0) setImmediate(() => this.flush());
    this.out.push(...cmds);
    return new Promise((resolve, reject) => {
      // A timeout leaves the stream's position unknown: the socket is closed, as Redis closes it.
      const timer = setTimeout(() => this.close(), timeoutMs);
      this.waiting.push({ n, lines: [], resolve, reject, timer });
    });
  }

  private flush(): void {
    if (this.dead || this.out.length === 0) return;
    const data = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out);
    this.out = [];
    writeOwned(this.io, this.sock, data);
  }

  private onData(text: string): void {
    this.buf += text;
    let at = 0;
    for (;;) {
      const head = this.waiting[0];
      if (!head) break;
      const nl = this.buf.indexOf('\r\n', at);
      if (nl < 0) break;
      head.lines.push(this.buf.slice(at, nl));
      at = nl + 2;
      if (head.lines.length === head.n) {
        this.waiting.shift();
        clearTimeout(head.timer);
        head.resolve(head.lines);
      }
    }
    this.buf = at === 0 ? this.buf : this.buf.slice(at);
    if (this.waiting.length === 0) this.idle();
  }

  private idle(): void {
    this.lastUse = Date.now();
    if (this.idleTimer) return;
    const check = () => {
      // Busy again: the next idle() arms the timer anew.
      if (this.waiting.length > 0) return void (this.idleTimer = null);
      const left = this.lastUse + IDLE_MS - Date.now();
      if (left <= 0) return this.close();
      this.idleTimer = setTimeout(check, left);
      this.idleTimer.unref?.();
    };
    this.idleTimer = setTimeout(check, IDLE_MS);
    this.idleTimer.unref?.();
  }

  close(): void {
    if (this.dead) return;
    this.dead = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    forget(this);
    this.sock.destroy();
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new IoError(READ_ERROR));
    }
  }
}

/** Open connections per host:port. */
const CONNS = new Map<string, TargetConn[]>();

function forget(conn: TargetConn): void {
  const list = CONNS.get(conn.key);
  if (!list) return;
  const i = list.indexOf(conn);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) CONNS.delete(conn.key);
}

/** Connects in progress per host:port: MIGRATEs arriving meanwhile wait for it instead of opening their own. */
const CONNECTING = new Map<string, Promise<TargetConn>>();

/**
 * A connection for a MIGRATE into db, if one can take it now: one already in that db (whatever it has
 * in flight), else an idle one (it will SELECT). A SELECT is never pipelined behind: if it failed, the
 * commands queued after it would run in another db.
 */
function choose(key: string, db: number): TargetConn | undefined {
  const list = CONNS.get(key);
  if (!list) return undefined;
  return list.find((c) => c.alive && !c.selecting && c.db === db) ?? list.find((c) => c.alive && !c.selecting && c.inFlight === 0);
}

/**
 * Settles when choose() may find a connection: the SELECT of our db in flight is answered, or the
 * connection being opened is up. Rejects (IoError) when that connection cannot be opened.
 */
function connectionChange(host: string, port: number, db: number, timeoutMs: number): Promise<unknown> {
  const key = `${host}:${port}`;
  const selecting = CONNS.get(key)?.find((c) => c.alive && c.db === db && c.selecting);
  if (selecting) return selecting.selecting!.then(noop, noop);
  let connecting = CONNECTING.get(key);
  if (!connecting) {
    connecting = TargetConn.connect(host, port, timeoutMs).then((fresh) => {
      let list = CONNS.get(key);
      if (!list) CONNS.set(key, (list = []));
      list.push(fresh);
      return fresh;
    }).finally(() => CONNECTING.delete(key));
    CONNECTING.set(key, connecting);
  }
  return connecting;
}

function noop(): void {}

/**
 * Sends one MIGRATE's AUTH (if any), SELECT (when the connection is in another db) and RESTOREs.
 * IoError when the target cannot be reached or does not answer within timeoutMs. Concurrent MIGRATEs
 * to one target share its connection (a reshard opened one per MIGRATE in flight: 61 in one run).
 */
export async function sendToTarget(host: string, port: number, db: number, timeoutMs: number, auth: Buffer | null, restores: Buffer[]): Promise<TargetReplies> {
  const key = `${host}:${port}`;
  let conn: TargetConn | undefined;
  while (!(conn = choose(key, db))) await connectionChange(host, port, db, timeoutMs);
  // From choose() to request() nothing awaits, so no other MIGRATE can claim the same idle connection.
  const select = conn.db !== db;
  const cmds = [...(auth ? [auth] : []), ...(select ? [encodeCommand(['SELECT', String(db)])] : []), ...restores];
  const answered = conn.request(cmds, cmds.length, timeoutMs);
  if (select) {
    conn.db = db;
    conn.selecting = answered;
  }
  let lines: string[];
  try {
    lines = await answered;
  } finally {
    if (select) conn.selecting = null;
  }
  const authReply = auth ? lines.shift()! : null;
  const selectReply = select ? lines.shift()! : null;
  if (selectReply?.startsWith('-')) conn.db = -1;
  return { auth: authReply, select: selectReply, restores: lines };
}
