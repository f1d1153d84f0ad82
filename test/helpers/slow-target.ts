// A MIGRATE target that records what it is sent and answers only when a test tells it to, so a
// MIGRATE is reliably in flight while the test looks at the source.
import net from 'node:net';

/** The command names in `text` (RESP arrays of bulk strings, latin1), in order. */
function commandNames(text: string): string[] {
  const names: string[] = [];
  let at = 0;
  while (at < text.length) {
    const eol = text.indexOf('\r\n', at);
    if (text[at] !== '*' || eol < 0) break;
    const n = Number(text.slice(at + 1, eol));
    at = eol + 2;
    for (let i = 0; i < n; i++) {
      const headEnd = text.indexOf('\r\n', at);
      const len = Number(text.slice(at + 1, headEnd));
      if (i === 0) names.push(text.slice(headEnd + 2, headEnd + 2 + len));
      at = headEnd + 2 + len + 2;
    }
  }
  return names;
}

export class SlowTarget {
  private readonly server = net.createServer((s) => {
    const sock = { s, got: '' };
    this.socks.push(sock);
    s.on('error', () => undefined).on('data', (d) => {
      sock.got += d.toString('latin1');
      this.got += d.toString('latin1');
    });
  });
  private readonly socks: { s: net.Socket; got: string }[] = [];
  /** Everything received since the last answer, as latin1 text. */
  got = '';

  constructor(private readonly port: number) {}

  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(this.port, '127.0.0.1', r));
  }

  /** How many commands named `name` (RESTORE matches RESTORE-ASKING too) arrived since the last answer. */
  count(name: string): number {
    return this.got.split(`\r\n${name}`).length - 1;
  }

  /** Waits until `n` commands named `name` arrived (throws after ~2 s). */
  async received(name = 'RESTORE', n = 1): Promise<void> {
    for (let i = 0; this.count(name) < n; i++) {
      if (i > 200) throw new Error(`the target got ${this.count(name)} ${name}, not ${n}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Answers what each connection was sent since the last answer, connection by connection in the
   * order they connected: +OK for SELECT and AUTH, the next of `restoreReplies` for each RESTORE.
   */
  answer(...restoreReplies: string[]): void {
    for (const sock of this.socks) {
      if (sock.s.destroyed) continue;
      const lines = commandNames(sock.got).map((n) => (/^restore/i.test(n) ? restoreReplies.shift() ?? '+OK' : '+OK'));
      sock.got = '';
      if (lines.length > 0) sock.s.write(lines.map((l) => `${l}\r\n`).join(''));
    }
    this.got = '';
  }

  close(): void {
    for (const { s } of this.socks) s.destroy();
    this.server.close();
  }
}
