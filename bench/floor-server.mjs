// The floor of a Node server for redis-benchmark's pipelined rows: the engine's own socket I/O
// (dist/engine/socket-io.js: reads into one shared buffer, direct writes of a reused reply buffer),
// RESP framing that allocates nothing, and a canned reply per command (PING +PONG, GET a 3-byte bulk,
// anything else +OK). No keyspace, no dispatch, no argv: what is left is Node, libuv and the kernel,
// so no engine built on this stack can spend less CPU per request than this.
// Started by bench/cpu-per-request.ts as a third server: --base-main bench/floor-server.mjs
// (it takes the same `--port N ...` arguments as the engine and ignores the rest).
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const io = await import(pathToFileURL(path.join(here, '..', 'dist', 'engine', 'socket-io.js')).href);

const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
const PONG = Buffer.from('+PONG\r\n');
const OK = Buffer.from('+OK\r\n');
const BULK = Buffer.from('$3\r\nxxx\r\n');
const EMPTY_ARRAY = Buffer.from('*0\r\n');

/** Skips one `<prefix>digits\r\n` line at i; returns [value, next index] or null when incomplete. */
function line(buf, i) {
  let n = 0;
  let j = i + 1;
  while (j < buf.length && buf[j] !== 13) n = n * 10 + (buf[j++] - 48);
  return j + 1 < buf.length ? [n, j + 2] : null;
}

function serve(sock) {
  sock.setNoDelay(true);
  let out = Buffer.allocUnsafe(64 * 1024);
  let held = Buffer.alloc(0);
  const writer = io.directWriter(sock, () => sock.destroy());
  const onChunk = (chunk) => {
    const buf = held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
    let i = 0;
    let o = 0;
    for (;;) {
      const start = i;
      if (i >= buf.length) break;
      if (buf[i] !== 42) {
        // Inline (PING_INLINE, SHUTDOWN from the bench's stop()).
        const nl = buf.indexOf(10, i);
        if (nl === -1) break;
        if (buf[i] === 83 || buf[i] === 115) process.exit(0); // SHUTDOWN
        i = nl + 1;
        o += PONG.copy(out, o);
        continue;
      }
      const head = line(buf, i);
      if (head === null) break;
      let [argc, j] = head;
      let first = -1;
      let ok = true;
      for (; argc > 0; argc--) {
        const len = j < buf.length ? line(buf, j) : null;
        if (len === null || len[1] + len[0] + 2 > buf.length) { ok = false; break; }
        if (first === -1) first = buf[len[1]] | 32;
        j = len[1] + len[0] + 2;
      }
      if (!ok) { i = start; break; }
      i = j;
      const r = first === 112 ? PONG : first === 103 ? BULK : first === 99 ? EMPTY_ARRAY : OK; // ping, get, config
      o += r.copy(out, o);
    }
    held = i < buf.length ? Buffer.from(buf.subarray(i)) : Buffer.alloc(0);
    if (o === 0) return;
    const data = out.subarray(0, o);
    const res = writer === null ? io.WRITE_FALLBACK : writer.write(data);
    if (res === io.WRITE_FALLBACK) sock.write(Buffer.from(data));
    else if (res === io.WRITE_HELD) out = Buffer.allocUnsafe(64 * 1024); // libuv keeps the old one
  };
  if (!io.readDirect(sock, onChunk)) sock.on('data', onChunk);
  sock.on('error', () => sock.destroy());
}

net.createServer(serve).listen(port, '127.0.0.1');
