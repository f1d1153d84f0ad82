// MONITOR's feed: clients in MONITOR mode receive every executed command as a status line
// (`+<unix time> [<db> <addr>] "arg" ...`). Dispatch calls feed() after each command that is
// neither admin nor flagged skip_monitor; the MONITOR command and its keyspace guard are in
// commands/monitor.ts.
import type { Client } from './client.js';

export class MonitorFeed {
  readonly clients = new Set<Client>();
  /** Called after a client starts or stops monitoring (the keyspace guard is armed while any does). */
  readonly onChange: (() => void)[] = [];

  /** `scheduleFlush`: the server's, so the lines leave at the end of the current turn. */
  constructor(private readonly scheduleFlush: (c: Client) => void) {}

  add(c: Client): void {
    c.monitor = true;
    this.clients.add(c);
    for (const f of this.onChange) f();
  }

  delete(c: Client): void {
    c.monitor = false;
    this.clients.delete(c);
    for (const f of this.onChange) f();
  }

  /** How many clients are monitoring (dispatch skips the feed at 0). */
  get size(): number {
    return this.clients.size;
  }

  feed(c: Client, argv: Buffer[]): void {
    const t = Date.now() / 1000;
    const who = c.socket ? `${c.dbIndex} ${c.addr}` : `${c.dbIndex} lua`;
    const args = argv.map((a) => `"${reprArg(a)}"`).join(' ');
    for (const m of this.clients) {
      m.reply.simple(`${t.toFixed(6)} [${who}] ${args}`);
      this.scheduleFlush(m);
    }
  }
}

/** MONITOR's argument quoting (sdscatrepr without the quotes). */
function reprArg(b: Buffer): string {
  let out = '';
  for (const c of b) {
    if (c === 0x5c || c === 0x22) out += '\\' + String.fromCharCode(c);
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c < 32 || c >= 127) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += String.fromCharCode(c);
  }
  return out;
}
