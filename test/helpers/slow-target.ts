// A MIGRATE target that records what it is sent and answers only when a test tells it to, so a
// MIGRATE is reliably in flight while the test looks at the source.
import net from 'node:net';

/**
 * The names of the whole commands at the start of `text` (RESP arrays of bulk strings, latin1), in
 * order, and how many characters they take: a command still arriving is left for later.
 */
function wholeCommands(text: string): { names: string[]; used: number } {
  const names: string[] = [];
  let used = 0;
  for (;;) {
    let at = used;
    const eol = text.indexOf('\r\n', at);
    if (text[at] !== '*' || eol < 0) break;
    const n = Number(text.slice(at + 1, eol));
    at = eol + 2;
    let name = '';
    for (let i = 0; i < n && at >= 0; i++) {
      const headEnd = text.indexOf('\r\n', at);
      const len = Number(text.slice(at + 1, headEnd));
      if (headEnd < 0 || headEnd + 2 + len + 2 > text.length) at = -1;
      else {
        if (i === 0) name = text.slice(headEnd + 2, headEnd + 2 + len);
        at = headEnd + 2 + len + 2;
      }
    }
    if (at < 0) break;
    names.push(name);
    used = at;
  }
  return { names, used };
}

export class SlowTarget {
  private readonly server = net.createServer((s) => {
    const sock = { s, got: '' };
    this.socks.push(sock);
    s.on('error', () => undefined).on('data', (d) => {
      sock.got += d.toString('latin1');
    });
  });
  /** Each connection, with what it was sent since the last answer (latin1 text). */
  private readonly socks: { s: net.Socket; got: string }[] = [];

  constructor(private readonly port: number) {}

  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(this.port, '127.0.0.1', r));
  }

  /** How many whole commands named `name` (RESTORE matches RESTORE-ASKING too) arrived since the last answer. */
  count(name: string): number {
    const prefix = name.toLowerCase();
    let n = 0;
    for (const sock of this.socks) n += wholeCommands(sock.got).names.filter((x) => x.toLowerCase().startsWith(prefix)).length;
    return n;
  }

  /** Waits until `n` commands named `name` arrived (throws after ~2 s). */
  async received(name = 'RESTORE', n = 1): Promise<void> {
    for (let i = 0; this.count(name) < n; i++) {
      if (i > 200) throw new Error(`the target got ${this.count(name)} ${name}, not ${n}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Answers the whole commands each connection was sent since the last answer (one still arriving
   * waits for the next answer), connection by connection in the order they connected: +OK for SELECT and AUTH, the next of `restoreReplies` for each RESTORE.
   */
  answer(...restoreReplies: string[]): void {
    for (const sock of this.socks) {
      if (sock.s.destroyed) continue;
      const { names, used } = wholeCommands(sock.got);
      const lines = names.map((n) => (/^restore/i.test(n) ? restoreReplies.shift() ?? '+OK' : '+OK'));
      sock.got = sock.got.slice(used);
      if (lines.length > 0) sock.s.write(lines.map((l) => `${l}\r\n`).join(''));
    }
  }

  close(): void {
    for (const { s } of this.socks) s.destroy();
    this.server.close();
  }
}
