// A throwaway server taken through the way to its first PONG, in the process that makes the start-up
// snapshot (snapshot.cts): config, Server, subsystems, listen, a few commands over a real socket,
// shutdown. The snapshot then holds what that compiled (V8 keeps the functions' bytecode) and loaded
// (Node's lazily loaded built-ins: dns and cluster for listen, crypto), so a node started from it
// runs its start instead of compiling it. Everything a server changes lives on the Server or in
// WeakMaps keyed by it; nothing here touches process-wide settings (no signal handlers, no V8
// flags, no process.on): the snapshot carries no trace of this server but warm code.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadServerConfig } from './config.js';
import { startServer } from './start.js';

/**
 * What a fresh node is asked first: kvctl's readiness probe and the usual first commands. No command
 * that frees memory: the memory meter (eviction/meter.ts, one per process) would start observing GC
 * here, and a PerformanceObserver does not survive into a snapshot's nodes.
 */
const COMMANDS = [['PING'], ['INFO', 'replication'], ['SET', 'k', 'v'], ['GET', 'k'], ['CLIENT', 'SETNAME', 'warm']];

function encode(argv: string[]): string {
  return `*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** A port nobody listens on right now (the engine's port 0 means "no TCP", as redis-server's). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Sends the commands on one connection and resolves after the last reply line arrives. */
function exchange(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    sock.once('error', reject);
    sock.once('connect', () => sock.write(COMMANDS.map(encode).join('')));
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      // The last command (CLIENT SETNAME) answers +OK: everything before it has been answered.
      if (got.endsWith('+OK\r\n') && got.split('\r\n').length > COMMANDS.length) {
        sock.destroy();
        resolve();
      }
    });
  });
}

/** Starts, exercises and shuts down one server in a scratch folder; resolves once all is closed. */
export async function warmUp(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kvctl-warm-'));
  const cwd = process.cwd(); // startServer changes into the server's dir
  try {
    const port = await freePort();
    const cfg = loadServerConfig(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', path.join(dir, 'log')]);
    const srv = await startServer(cfg, { embedded: true });
    try {
      await exchange(port);
    } finally {
      await srv.shutdown(false);
    }
    // One timer run with nothing else pending: Node's timer queue is empty and its next expiry reset
    // in the heap the snapshot saves (shutdown leaves no timer: memory-hygiene.ts).
    await new Promise((r) => setTimeout(r, 5));
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
}
