// The bench framework: a section measures something on the engine and on redis-server side by side
// and returns rows (engine value, redis value, unit); bench/run.ts prints them as one table of ratios
// and writes bench/results/latest.json. Helpers here start both servers, drive redis-benchmark, read
// RSS and time a cold start. Ports: the bench block 19000-19999 (each section takes its own range).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { ENGINE_MAIN, startEngine, startRedis, type Proc } from '../test/helpers/procs.js';

export interface Row {
  metric: string;
  engine: number;
  redis: number;
  unit: string;
  /** Throughput: true; times and memory: false (the ratio reads the other way). */
  higherIsBetter: boolean;
}

export interface BenchOptions {
  /** `--quick`: a tenth of the requests, for a smoke run. */
  quick: boolean;
  log(msg: string): void;
  /** Attaches free text to the section's entry in latest.json (a script section's output). */
  note(text: string): void;
}

export interface BenchSection {
  name: string;
  description: string;
  run(opts: BenchOptions): Promise<Row[]>;
}

export interface ServerPair {
  engine: Proc;
  redis: Proc;
  stop(): Promise<void>;
}

/** Starts redis-server on `port` and the engine on `port + 1` with the same directives. */
export async function startPair(port: number, args: string[] = []): Promise<ServerPair> {
  if (!existsSync(ENGINE_MAIN)) throw new Error(`${ENGINE_MAIN} is missing: run npm run build first`);
  const redis = await startRedis(port, { args });
  const engine = await startEngine(port + 1, { args }).catch(async (e: Error) => {
    await redis.stop();
    throw e;
  });
  return { engine, redis, stop: async () => void (await Promise.all([engine.stop(), redis.stop()])) };
}

/** Runs redis-benchmark with `--csv` (first, so args may end in a custom command) against a port; returns test name -> requests per second. */
export function redisBenchmark(port: number, args: string[]): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    // --csv before args: redis-benchmark reads everything after a command name as that command's arguments.
    const child = spawn('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '--csv', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`redis-benchmark ${args.join(' ')} exited ${code}: ${err.trim()}`));
      resolve(parseBenchmarkCsv(out));
    });
  });
}

/**
 * redisBenchmark, and the server's CPU microseconds per request over the run (all its threads, from
 * schedstat): a figure that moves far less with a shared box's load than requests per second do.
 * `requests` is the run's -n.
 */
export async function redisBenchmarkCpu(server: { port: number; pid: number }, args: string[], requests: number): Promise<{ results: Map<string, number>; cpuUs: number }> {
  const cpu0 = cpuNs(server.pid);
  const results = await redisBenchmark(server.port, args);
  return { results, cpuUs: (cpuNs(server.pid) - cpu0) / 1000 / requests };
}

/** `"test","rps",...` header then one quoted row per test. */
export function parseBenchmarkCsv(csv: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const line of csv.split('\n')) {
    const f = line.split('","').map((x) => x.replace(/"/g, '').trim());
    if (f.length < 2 || f[0] === 'test') continue;
    const rps = Number(f[1]);
    if (Number.isFinite(rps)) rows.set(f[0], rps);
  }
  return rows;
}

/** CPU nanoseconds a live process has used, summed over its threads (/proc/<pid>/task/<tid>/schedstat). */
export function cpuNs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* the thread has exited */
    }
  }
  return ns;
}

/** A process's scheduler counters: see schedOf. */
export interface Sched {
  /** On-CPU time of all its threads. */
  cpuNs: number;
  /** Time its main thread spent runnable but waiting for a CPU. */
  waitNs: number;
  /** Times its main thread was preempted (involuntary context switches). */
  nonvoluntary: number;
}

/** Scheduler counters of a live process (/proc/<pid>/schedstat and status, Linux). */
export function schedOf(pid: number): Sched {
  const waitNs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]);
  const m = /nonvoluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuNs: cpuNs(pid), waitNs, nonvoluntary: Number(m?.[1] ?? 0) };
}

/** The CPU a process's main thread last ran on (/proc/<pid>/stat field 39). */
export function lastCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[36]);
}

/** Resident set size of a live process, in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (USER_HZ 100). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * Milliseconds from spawning `cmd args` to the first +PONG on `port`; the process is then killed. A
 * fresh connection is tried every 2 ms (a refused connect costs microseconds), identically for every
 * server, so the poll adds at most ~2 ms to either; busier polling would take CPU from the server
 * being timed on a 2-core machine. `cpuMs`, when given, gets the CPU the process used until then (all
 * its threads, from /proc schedstat): a figure that moves far less than wall time on a busy box;
 * `ranOn`, the CPU its main thread was last on (lastCpu).
 */
export async function spawnToPong(cmd: string, args: string[], port: number, env?: NodeJS.ProcessEnv, cpuMs?: number[], ranOn?: number[]): Promise<number> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: 'ignore', env });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${cmd} exited with ${child.exitCode} before answering PING`);
      if (await pingOnce(port)) {
        const wall = performance.now() - t0;
        if (cpuMs && child.pid !== undefined) cpuMs.push(cpuNs(child.pid) / 1e6);
        if (ranOn && child.pid !== undefined) ranOn.push(lastCpu(child.pid));
        return wall;
      }
      if (performance.now() - t0 > 20_000) throw new Error(`${cmd} did not answer PING on ${port} within 20 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let buf = '';
    s.once('connect', () => s.write('PING\r\n'));
    s.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\r\n')) {
        s.destroy();
        resolve(buf.startsWith('+PONG'));
      }
    });
    s.once('error', () => resolve(false));
  });
}

/** One command in RESP. */
export const respCommand = (argv: string[]): string => `*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');

/**
 * Sends `count` commands built by `argvAt(i)` over one connection in pipelined batches, waiting for
 * each batch's replies (counted as lines: use commands with one-line replies such as SET).
 */
export async function pipelineLoad(port: number, count: number, argvAt: (i: number) => string[], batch = 10_000): Promise<void> {
  await pipelineBatches(port, Math.ceil(count / batch), (b) => {
    const n = Math.min(batch, count - b * batch);
    const parts: string[] = [];
    for (let j = b * batch; j < b * batch + n; j++) parts.push(respCommand(argvAt(j)));
    return { text: parts.join(''), lines: n };
  });
}

/**
 * Sends `batches` writes over one connection, each the RESP text `batchAt(b)` gives, and waits for
 * each one's replies before the next: `lines` of them (every reply must be single-line: +OK, :1,
 * +QUEUED, an array header of such replies...).
 */
export async function pipelineBatches(port: number, batches: number, batchAt: (b: number) => { text: string; lines: number }): Promise<void> {
  const s = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('error', reject);
  });
  let pendingLines = 0;
  let wake: (() => void) | null = null;
  s.on('data', (d: Buffer) => {
    for (const byte of d) if (byte === 10) pendingLines--;
    if (pendingLines <= 0 && wake) wake();
  });
  try {
    for (let b = 0; b < batches; b++) {
      const { text, lines } = batchAt(b);
      pendingLines += lines;
      await new Promise<void>((resolve) => {
        wake = resolve;
        s.write(text);
      });
      wake = null;
    }
  } finally {
    s.destroy();
  }
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The round whose engine/redis ratio is the median one. A round's two runs are seconds apart, so its
 * ratio sees one state of the box (disk, the other processes' load); each side's own median can come
 * from rounds minutes apart (one appendfsync run: per-round ratios 0.91 0.91 1.05 1.10 1.06 0.32 0.74,
 * the ratio of the two medians 0.35).
 */
export function medianRatioRound(engine: number[], redis: number[]): number {
  const order = engine.map((_, i) => i).sort((a, b) => engine[a] / redis[a] - engine[b] / redis[b]);
  return order[Math.floor(order.length / 2)];
}

/**
 * A section that is a standalone script (`npx tsx bench/<file>`, printing its own report): run as a
 * child with the extra args, its output shown and kept in latest.json; it contributes no table rows.
 */
export function scriptSection(name: string, file: string, description: string, args: string[] = []): BenchSection {
  return {
    name,
    description,
    run: ({ log, note }) =>
      new Promise((resolve, reject) => {
        const url = new URL(file, import.meta.url);
        log(`tsx ${url.pathname} ${args.join(' ')}`);
        const child = spawn(process.execPath, ['--import', 'tsx', url.pathname, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          process.stdout.write(d);
        });
        child.on('error', reject);
        child.on('exit', (code) => {
          note(out);
          if (code !== 0) reject(new Error(`${file} exited with ${code}`));
          else resolve([]);
        });
      }),
  };
}
