// A client connection from MIGRATE to the target instance: RESP commands out, one-line replies in
// (+OK / -ERR: all that AUTH, SELECT and RESTORE answer). Idle connections are cached for 10 s per
// host:port as Redis does, so a reshard's many MIGRATE calls reuse one socket. Unlike Redis, MIGRATE
// does not block the server, so several clients' MIGRATEs to one target can be in flight at once:
// each takes an idle socket of that target or opens one, and every socket goes back to the cache.
import net from 'node:net';

const IDLE_MS = 10_000;

export class IoError extends Error {}

export class TargetConn {
  private buf = '';
  private waiter: (() => void) | null = null;
  private dead = false;
  busy = false;
  lastDb = -1;
  private idleTimer: NodeJS.Timeout | null = null;

  private constructor(readonly key: string, private readonly sock: net.Socket) {
    sock.setNoDelay(true);
    sock.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      this.waiter?.();
    });
    const die = () => {
      this.dead = true;
      forget(this);
      this.waiter?.();
    };
    sock.on('error', die);
    sock.on('close', die);
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

  send(data: Buffer): void {
    this.sock.write(data);
  }

  /** The next n reply lines (error lines keep their '-'), or IoError on timeout or a closed socket. */
  async replies(n: number, timeoutMs: number): Promise<string[]> {
    const out: string[] = [];
    const deadline = Date.now() + timeoutMs;
    while (out.length < n) {
      const nl = this.buf.indexOf('\r\n');
      if (nl >= 0) {
        out.push(this.buf.slice(0, nl));
        this.buf = this.buf.slice(nl + 2);
        continue;
      }
      if (this.dead || Date.now() >= deadline) {
        this.close();
        throw new IoError('error or timeout reading to target node');
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deadline - Date.now());
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = null;
    }
    return out;
  }

  /** Back to the cache for reuse. */
  release(): void {
    this.busy = false;
    if (this.dead) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close(), IDLE_MS);
    this.idleTimer.unref?.();
    let idle = IDLE.get(this.key);
    if (!idle) IDLE.set(this.key, (idle = []));
    if (!idle.includes(this)) idle.push(this);
  }

  close(): void {
    this.dead = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    forget(this);
    this.sock.destroy();
  }
}

/** Idle connections per host:port, the most recently released last. */
const IDLE = new Map<string, TargetConn[]>();

function forget(conn: TargetConn): void {
  const idle = IDLE.get(conn.key);
  if (!idle) return;
  const i = idle.indexOf(conn);
  if (i >= 0) idle.splice(i, 1);
  if (idle.length === 0) IDLE.delete(conn.key);
}

/** An idle cached connection to host:port, or a new one. */
export async function targetConn(host: string, port: number, timeoutMs: number): Promise<TargetConn> {
  const key = `${host}:${port}`;
  const idle = IDLE.get(key);
  while (idle && idle.length > 0) {
    const cached = idle.pop() as TargetConn;
    if (idle.length === 0) IDLE.delete(key);
    if (!cached.alive) continue;
    cached.busy = true;
    return cached;
  }
  const conn = await TargetConn.connect(host, port, timeoutMs);
  conn.busy = true;
  return conn;
}
