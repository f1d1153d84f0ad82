// A command as a client sends it (a RESP array of bulk strings): the AOF writer and rewrite, MIGRATE's
// and Sentinel's links, and kvctl's own client (orchestrator/resp.ts) all encode with this one.

/** Encodes argv as `*N\r\n$len\r\narg\r\n...`; strings as UTF-8, numbers in decimal. */
export function encodeCommand(args: ReadonlyArray<string | number | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, CRLF);
  }
  return Buffer.concat(parts);
}

const CRLF = Buffer.from('\r\n');
