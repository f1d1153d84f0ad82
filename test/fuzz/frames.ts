// The frame-level fuzzer: hostile connections send random, truncated and mutated RESP (negative and
// huge lengths, deep nesting, inline junk, frames trickled byte by byte, bursts of connections) while
// one well-behaved client keeps running commands and checks every reply. Failures: the engine exits,
// the good client gets a wrong reply or none within 5 s, or the engine counts an internal error.
// It also samples the engine's RSS: before, at the peak, and after the hostile clients are gone.
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { startEngine, internalErrorCount, type Proc } from '../helpers/procs.js';
import { RespClient, encodeCommand } from '../helpers/resp.js';
import { Rng, integer, string } from './values.js';

const VALID: (string | Buffer)[][] = [['PING'], ['SET', 'fz', 'v'], ['GET', 'fz'], ['INCR', 'fzn'], ['RPUSH', 'fzl', 'a'], ['HSET', 'fzh', 'f', 'v'], ['DEL', 'fzl'], ['ECHO', 'x'], ['EXISTS', 'fz'], ['MGET', 'a', 'b'], ['LRANGE', 'fzl', '0', '-1']];

/** One frame of hostile bytes. */
export function genFrame(r: Rng): Buffer {
  const valid = () => encodeCommand(r.pick(VALID));
  switch (r.int(12)) {
    case 0: return valid();
    case 1: { const f = valid(); return f.subarray(0, r.int(f.length)); } // truncated
    case 2: { // mutated bytes
      const f = Buffer.from(valid());
      for (let k = 0, n = 1 + r.int(3); k < n; k++) f[r.int(f.length)] = r.int(256);
      return f;
    }
    case 3: return Buffer.from(`*${r.pick(['-1', '-5', '0', '2147483647', '2147483648', '1048577', '99999999999999999999', '', 'x', '-9223372036854775808', '3\r\n$-1', '1\r\n$-2'])}\r\n`);
    case 4: return Buffer.from(`*1\r\n$${r.pick(['-1', '-2', '536870913', '4294967296', '9999999999', '0', 'abc', '', '1e3', '+1'])}\r\n${r.chance(0.5) ? 'x\r\n' : ''}`);
    case 5: return Buffer.from('*1\r\n'.repeat(1 + r.int(r.chance(0.2) ? 5000 : 20)) + '$4\r\nPING\r\n'); // nesting
    case 6: { // inline junk
      const parts = Array.from({ length: 1 + r.int(6) }, () => { const s = string(r); return Buffer.isBuffer(s) ? s.toString('latin1') : s; });
      return Buffer.from(parts.join(r.pick([' ', '  ', '\t', '"', "'"])) + r.pick(['\r\n', '\n', '']), 'latin1');
    }
    case 7: return Buffer.from(`${r.pick(['%', '~', '>', '_', ',', '#', '(', '=', '!', '|', ':', '+', '-'])}${integer(r)}\r\n`);
    case 8: return Buffer.from(Array.from({ length: 1 + r.int(64) }, () => r.int(256)));
    case 9: return encodeCommand([r.pick(['SET', 'GET', 'HSET', 'ZADD', 'LPUSH', 'SADD', 'APPEND', 'SETRANGE', 'GETRANGE', 'HRANDFIELD', 'SRANDMEMBER', 'BITCOUNT', 'KEYS']), ...Array.from({ length: r.int(5) }, () => (r.chance(0.5) ? integer(r) : string(r)))]);
    case 10: return Buffer.from('"' + 'a'.repeat(r.int(100)) + (r.chance(0.5) ? '\\x4' : "'") + '\r\n');
    default: return Buffer.from(`*2\r\n$3\r\nGET\r\n$${r.pick(['3', '2', '10'])}\r\nabc${r.pick(['\r\n', '\n', 'xx', ''])}`);
  }
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export interface FrameFuzzOptions {
  seed: number;
  frames: number;
  port: number;
  /** Hostile connections alive at once. */
  parallel?: number;
  /** Open this many idle connections at once, once, mid-run. */
  burst?: number;
  progress?: (line: string) => void;
}

export interface FrameFuzzReport {
  ok: boolean;
  frames: number;
  connections: number;
  goodReplies: number;
  goodFailures: string[];
  engineExited: boolean;
  internalErrors: number;
  rssMb: { before: number; peak: number; after: number };
  ms: number;
}

/** One hostile connection: writes frames (sometimes trickled), reads and drops whatever comes back. */
function hostile(r: Rng, port: number, frames: number, onFrame: () => void): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => resolve());
    const trickle = r.chance(0.05);
    s.on('connect', async () => {
      for (let i = 0; i < frames && !s.destroyed; i++) {
        const f = genFrame(r);
        onFrame();
        if (trickle) {
          for (let k = 0; k < f.length && !s.destroyed; k += 1 + r.int(4)) {
            s.write(f.subarray(k, k + 1 + r.int(4)));
            await new Promise((res) => setTimeout(res, r.int(5)));
          }
        } else if (!s.write(f)) {
          await new Promise((res) => s.once('drain', res));
        }
      }
      setTimeout(() => s.destroy(), r.int(50));
    });
  });
}

export async function runFrameFuzz(o: FrameFuzzOptions): Promise<FrameFuzzReport> {
  const t0 = Date.now();
  const r = new Rng(o.seed);
  const engine: Proc = await startEngine(o.port, { args: ['--maxclients', '10000'], expectInternalErrors: true });
  const rep: FrameFuzzReport = { ok: false, frames: 0, connections: 0, goodReplies: 0, goodFailures: [], engineExited: false, internalErrors: 0, rssMb: { before: 0, peak: 0, after: 0 }, ms: 0 };
  try {
    // Warm up like a real workload first, so "before" is a working engine, not a bare process.
    const good = await RespClient.connect(o.port);
    for (let i = 0; i < 2000; i++) await good.call(['SET', `warm:${i % 100}`, 'v'.repeat(100)]);
    await new Promise((res) => setTimeout(res, 500));
    rep.rssMb.before = rssKb(engine.pid) / 1024;
    let stop = false;
    const goodLoop = (async () => {
      let n = 0;
      while (!stop && rep.goodFailures.length < 5) {
        const v = `v${n++}`;
        try {
          const [a, b, c] = await Promise.all([good.call(['SET', 'good:k', v], 5000), good.call(['GET', 'good:k'], 5000), good.call(['INCR', 'good:n'], 5000)]);
          if (a.t !== 'simple' || a.v !== 'OK' || b.t !== 'bulk' || b.v !== v || c.t !== 'int' || Number(c.v) !== n) rep.goodFailures.push(`wrong replies ${JSON.stringify([a, b, c])} at ${n}`);
          else rep.goodReplies += 3;
        } catch (e) {
          rep.goodFailures.push(`good client: ${(e as Error).message} at ${n}`);
        }
      }
    })();
    const sampler = setInterval(() => (rep.rssMb.peak = Math.max(rep.rssMb.peak, rssKb(engine.pid) / 1024)), 200);
    const parallel = o.parallel ?? 20;
    let burstDone = false;
    const worker = async () => {
      while (rep.frames < o.frames && engine.child.exitCode === null) {
        rep.connections++;
        await hostile(r, o.port, 1 + r.int(200), () => rep.frames++);
        if (!burstDone && rep.frames > o.frames / 2) {
          burstDone = true;
          const socks = await Promise.all(Array.from({ length: o.burst ?? 2000 }, () => new Promise<net.Socket>((res) => {
            const s = net.connect(o.port, '127.0.0.1', () => res(s));
            s.on('error', () => res(s));
            s.on('connect', () => s.write('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nab'));
          })));
          rep.connections += socks.length;
          await new Promise((res) => setTimeout(res, 1000));
          for (const s of socks) s.destroy();
        }
      }
    };
    let lastReport = 0;
    const progress = setInterval(() => {
      if (o.progress && rep.frames - lastReport >= 50000) {
        lastReport = rep.frames;
        o.progress(`${rep.frames} frames, ${rep.connections} connections, good replies ${rep.goodReplies}, rss ${(rssKb(engine.pid) / 1024).toFixed(0)} MB`);
      }
    }, 1000);
    await Promise.all(Array.from({ length: parallel }, worker));
    clearInterval(progress);
    stop = true;
    await goodLoop;
    clearInterval(sampler);
    rep.engineExited = engine.child.exitCode !== null || engine.child.signalCode !== null;
    if (!rep.engineExited) {
      // The hostile clients are gone: give the engine the 5 s the issue measures after.
      await new Promise((res) => setTimeout(res, 5000));
      rep.rssMb.after = rssKb(engine.pid) / 1024;
      rep.internalErrors = (await internalErrorCount(o.port, '127.0.0.1', 5000)) ?? -1;
    }
    good.close();
    rep.ok = !rep.engineExited && rep.goodFailures.length === 0 && rep.internalErrors === 0;
  } finally {
    await engine.stop().catch(() => undefined);
    rep.ms = Date.now() - t0;
  }
  return rep;
}

export function formatFrameReport(rep: FrameFuzzReport): string {
  const f = (n: number) => n.toFixed(1);
  return [
    `frame fuzz: ${rep.frames} frames over ${rep.connections} connections in ${(rep.ms / 1000).toFixed(1)} s; engine exited: ${rep.engineExited}; internal errors ${rep.internalErrors}`,
    `well-behaved client: ${rep.goodReplies} replies checked, ${rep.goodFailures.length} failures${rep.goodFailures.length ? ': ' + rep.goodFailures.join('; ') : ''}`,
    `engine RSS MB: before ${f(rep.rssMb.before)}, peak ${f(rep.rssMb.peak)}, 5 s after the hostile clients left ${f(rep.rssMb.after)}`,
  ].join('\n');
}
