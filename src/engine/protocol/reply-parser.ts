// Parses RESP2 replies (a client's side of the protocol): Sentinel's links to the instances it watches
// and kvctl's readiness probes both read replies with it.

/** A `-ERR ...` reply: returned as a value (callers look at the text), an Error so it can be thrown. */
export class RespError extends Error {}

export type Reply = string | number | null | RespError | Buffer | Reply[];

/**
 * Parses one reply at buf[pos]; returns [value, next position], or undefined when more bytes are needed.
 * Bulk strings come as UTF-8 strings, or as Buffers (copies) with `buffers` (keys, DUMP payloads).
 */
export function parseReply(buf: Buffer, pos: number, buffers = false): [Reply, number] | undefined {
  if (pos >= buf.length) return undefined;
  const eol = buf.indexOf(0x0a, pos);
  if (eol < 0) return undefined;
  const line = buf.toString('utf8', pos + 1, eol - 1);
  const next = eol + 1;
  switch (buf[pos]) {
    case 0x2b: // +
      return [line, next];
    case 0x2d: // -
      return [new RespError(line), next];
    case 0x3a: // :
      return [Number(line), next];
    case 0x24: { // $
      const len = Number(line);
      if (len < 0) return [null, next];
      if (buf.length < next + len + 2) return undefined;
      return [buffers ? Buffer.from(buf.subarray(next, next + len)) : buf.toString('utf8', next, next + len), next + len + 2];
    }
    case 0x2a: { // *
      const n = Number(line);
      if (n < 0) return [null, next];
      const out: Reply[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p, buffers);
        if (!r) return undefined;
        out.push(r[0]);
        p = r[1];
      }
      return [out, p];
    }
    default:
      throw new RespError(`protocol error: unexpected byte 0x${buf[pos].toString(16)}`);
  }
}
