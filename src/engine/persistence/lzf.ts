// LZF (liblzf's format), the compression RDB uses for strings longer than 20 bytes. A control byte
// below 32 starts a literal run of ctrl+1 bytes; otherwise its top 3 bits are a match length - 2
// (7 = one more length byte follows) and the low 5 bits plus the next byte a back offset - 1.
const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);
const MAX_LIT = 1 << 5;

// Position table (-1 = empty). Matching liblzf's "very fast" hashing and its re-hashing after a
// match makes our output byte-identical to redis-server's for the same input, so DUMP payloads agree.
// Made on first use: 256 KB that the V8 start-up snapshot would otherwise carry into every node.
let table: Int32Array | null = null;
const idx = (h: number): number => ((h >>> 8) - Math.imul(h, 5)) & (HSIZE - 1);

/** Compresses `input` into at most `maxOut` bytes; null when it doesn't fit (store it raw then). */
export function lzfCompress(input: Buffer, maxOut: number): Buffer | null {
  const inEnd = input.length;
  if (inEnd < 3 || maxOut < 2) return null;
  const out = Buffer.allocUnsafe(maxOut + 4);
  const htab = (table ??= new Int32Array(HSIZE));
  htab.fill(-1);
  let ip = 0;
  let op = 1; // control byte of the first literal run
  let lit = 0;
  let h = ((input[0] << 8) | input[1]) >>> 0;
  while (ip < inEnd - 2) {
    h = ((h << 8) | input[ip + 2]) >>> 0;
    const slot = idx(h);
    const ref = htab[slot];
    htab[slot] = ip;
    const off = ip - ref - 1;
    if (ref > 0 && ref < ip && off < MAX_OFF && input[ref + 2] === input[ip + 2] && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
      let len = 2;
      const maxLen = Math.min(inEnd - ip - len, MAX_REF);
      if (op + 3 + 1 >= maxOut && op - (lit === 0 ? 1 : 0) + 3 + 1 >= maxOut) return null;
      out[op - lit - 1] = lit - 1; // close the literal run
      if (lit === 0) op--; // an empty run takes no byte
      do len++; while (len < maxLen && input[ref + len] === input[ip + len]);
      len -= 2;
      ip++;
      if (len < 7) out[op++] = (off >> 8) + (len << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      ip -= 2; // hash the last two positions of the match
      h = ((input[ip] << 8) | input[ip + 1]) >>> 0;
      h = ((h << 8) | input[ip + 2]) >>> 0;
      htab[idx(h)] = ip;
      ip++;
      h = ((h << 8) | input[ip + 2]) >>> 0;
      htab[idx(h)] = ip;
      ip++;
    } else {
      if (op >= maxOut) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > maxOut) return null;
  while (ip < inEnd) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return out.subarray(0, op);
}

export class LzfError extends Error {}

/** Decompresses into exactly `outLen` bytes; throws LzfError on malformed input. */
export function lzfDecompress(input: Buffer, outLen: number): Buffer {
  const out = Buffer.allocUnsafe(outLen);
  let ip = 0;
  let op = 0;
  const inLen = input.length;
  while (ip < inLen) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > outLen || ip + n > inLen) throw new LzfError('LZF literal run out of bounds');
      input.copy(out, op, ip, ip + n);
      op += n;
      ip += n;
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= inLen) throw new LzfError('LZF truncated');
        len += input[ip++];
      }
      len += 2;
      if (ip >= inLen) throw new LzfError('LZF truncated');
      const ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1;
      if (ref < 0 || op + len > outLen) throw new LzfError('LZF back reference out of bounds');
      for (let k = 0; k < len; k++) out[op++] = out[ref + k];
    }
  }
  if (op !== outLen) throw new LzfError(`LZF produced ${op} bytes, expected ${outLen}`);
  return out;
}
