// Client socket I/O below net.Socket's stream layer. Replies go straight to the TCP handle's
// writeBuffer/writev (libuv tries the write at once; nearly always it completes there), so the
// reply buffer can be reused instead of copied, and no Writable bookkeeping, WriteWrap or callback
// tick is paid per flush. Reads land in one shared buffer (the handle's user buffer) passed to the
// parser from the handle's onread, instead of a fresh ArrayBuffer, a Readable push and a 'data'
// event per read. EOF and read errors still go through net.Socket (its 'end'/'close' events).
//
// Ordering: a direct write happens only while the Writable holds nothing of its own (writableLength
// 0), so bytes written with socket.write (replication streams, +FULLRESYNC) and direct writes reach
// libuv's queue in the order they were produced. Anything missing (another Node, no handle) falls
// back to socket.write.
import type { Socket } from 'node:net';

/** What a direct write did with the bytes it was given. */
export const WRITE_FALLBACK = 0;
/** Written (or failed and the client is being closed): the buffer may be reused. */
export const WRITE_DONE = 1;
/** Part is queued in libuv: the buffer must not be touched again. */
export const WRITE_HELD = 2;
export type WriteResult = typeof WRITE_FALLBACK | typeof WRITE_DONE | typeof WRITE_HELD;

interface WriteReq {
  handle: unknown;
  oncomplete: (status: number) => void;
  async: boolean;
  bytes: number;
  buffer: unknown;
  onError: (() => void) | null;
}

interface StreamBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
  kReadBytesOrError: number;
}

interface TcpHandle {
  writeBuffer(req: WriteReq, b: Uint8Array): number;
  writev(req: WriteReq, chunks: Uint8Array[], allBuffers: boolean): number;
  useUserBuffer(b: Uint8Array): void;
  onread: (this: TcpHandle, ab?: ArrayBuffer) => unknown;
}

function loadBinding(): StreamBinding | null {
  if (process.env.KVCTL_ENGINE_STREAM_IO === '1') return null;
  try {
    const b = (process as unknown as { binding(name: string): StreamBinding }).binding('stream_wrap');
    if (typeof b.WriteWrap !== 'function' || !(b.streamBaseState instanceof Int32Array)) return null;
    if (typeof b.kLastWriteWasAsync !== 'number' || typeof b.kReadBytesOrError !== 'number') return null;
    return b;
  } catch {
    return null;
  }
}

const binding = loadBinding();
const state = binding?.streamBaseState ?? new Int32Array(4);
const ASYNC = binding?.kLastWriteWasAsync ?? 0;
const NREAD = binding?.kReadBytesOrError ?? 0;

function onWriteComplete(this: WriteReq, status: number): void {
  this.buffer = null;
  const fail = this.onError;
  this.onError = null;
  if (status < 0 && fail) fail();
}

/**
 * A write request for the next direct write. libuv only keeps the request when the write goes
 * asynchronous (the try-write left bytes over); a request that was not kept serves the next write.
 */
let spare: WriteReq | null = null;

function takeReq(handle: unknown): WriteReq {
  const req = spare ?? new (binding as StreamBinding).WriteWrap();
  spare = null;
  req.handle = handle;
  req.oncomplete = onWriteComplete;
  req.async = false;
  req.bytes = 0;
  req.buffer = null;
  req.onError = null;
  return req;
}

function handleOf(sock: Socket): TcpHandle | null {
  const h = (sock as unknown as { _handle?: TcpHandle | null })._handle;
  return h && typeof h.writeBuffer === 'function' ? h : null;
}

/** Direct writes to one client's socket. */
export class DirectWriter {
  constructor(
    private readonly sock: Socket,
    /** Called once when a write fails (the peer went away): close the client. */
    private readonly onError: () => void,
  ) {}

  /** Writes one buffer or several (writev); see WriteResult. */
  write(data: Buffer | Buffer[]): WriteResult {
    const sock = this.sock;
    if (sock.writableLength !== 0 || sock.destroyed || !sock.writable) return WRITE_FALLBACK;
    const h = handleOf(sock);
    if (h === null) return WRITE_FALLBACK;
    const req = takeReq(h);
    const err = Array.isArray(data) ? h.writev(req, data, true) : h.writeBuffer(req, data);
    if (err !== 0) {
      // Not reused: the failed write may have had a request attached on the native side.
      this.onError();
      return WRITE_DONE;
    }
    if (state[ASYNC] === 0) {
      spare = req;
      return WRITE_DONE;
    }
    req.async = true;
    req.buffer = data;
    req.onError = this.onError;
    return WRITE_HELD;
  }
}

/** Creates the direct writer for a client socket, or null when this Node has no way to write directly. */
export function directWriter(sock: Socket, onError: () => void): DirectWriter | null {
  if (binding === null || handleOf(sock) === null) return null;
  return new DirectWriter(sock, onError);
}

/** One read buffer for every client: a read is parsed completely before the next read happens. */
const READ_BUF = Buffer.allocUnsafe(64 * 1024);
/** The last view of READ_BUF handed out: reads of one length (one request each, from many clients)
 * share it instead of making a Buffer per read. Nothing may keep a view past its call anyway. */
let readView = READ_BUF.subarray(0, 0);

/**
 * Routes a socket's reads to onChunk (a view of the shared read buffer, valid only during the call:
 * keep nothing that points into it). EOF and errors go on to net.Socket. Returns false (and changes
 * nothing) when not possible; the caller then listens to 'data'.
 */
export function readDirect(sock: Socket, onChunk: (chunk: Buffer) => void): boolean {
  const h = handleOf(sock);
  if (binding === null || h === null || typeof h.useUserBuffer !== 'function' || typeof h.onread !== 'function') return false;
  const streamRead = h.onread;
  h.useUserBuffer(READ_BUF);
  h.onread = function (ab) {
    const n = state[NREAD];
    if (n > 0) {
      if (readView.length !== n) readView = READ_BUF.subarray(0, n);
      onChunk(readView);
      return undefined;
    }
    return streamRead.call(this, ab);
  };
  return true;
}

/**
 * A socket's reads through the shared read buffer when possible (borrowed: a view valid only during
 * the call), else through 'data' events (a Buffer of its own).
 */
export function onReads(sock: Socket, onChunk: (chunk: Buffer, borrowed: boolean) => void): void {
  if (!readDirect(sock, (chunk) => onChunk(chunk, true))) sock.on('data', (chunk: Buffer) => onChunk(chunk, false));
}

/**
 * Writes bytes the caller will not touch again (a node-to-node link's frames, not a reused reply
 * buffer): directly when w can, else through sock.write, which keeps them in order behind its own.
 */
export function writeOwned(w: DirectWriter | null, sock: Socket, data: Buffer): void {
  if (w === null || w.write(data) === WRITE_FALLBACK) sock.write(data);
}
