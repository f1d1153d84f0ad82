// The engine as a process, like redis-server: a bad config fails with Redis's text and exit 1,
// SIGTERM shuts down cleanly (pidfile removed, Redis's log lines), redis-cli talks to it.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PORTS } from '../helpers/ports.js';
import { ENGINE_MAIN, startEngine, stopAll, tmpDir } from '../helpers/procs.js';

const run = promisify(execFile);
const PORT = PORTS.core + 110;

function exitOf(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('engine process', () => {
  afterAll(stopAll);

  it('refuses a bad config exactly like redis-server', async () => {
    const dir = tmpDir();
    const conf = path.join(dir, 'bad.conf');
    writeFileSync(conf, `port ${PORT}\n# fine so far\nsave 900 1\nappendonly maybe\n`);
    const [engine, redis] = await Promise.all([exitOf(process.execPath, [ENGINE_MAIN, conf]), exitOf('redis-server', [conf])]);
    expect(engine.code).toBe(1);
    expect(redis.code).toBe(1);
    const fatal = (s: string) => s.slice(s.indexOf('*** FATAL')).trim();
    expect(fatal(engine.out)).toBe(fatal(redis.out));
    expect(fatal(engine.out)).toContain("at line 4\n>>> 'appendonly maybe'");
  });

  it('logs in Redis form, writes and removes its pidfile on SIGTERM', async () => {
    const dir = tmpDir();
    const pidfile = path.join(dir, 'e.pid');
    const logfile = path.join(dir, 'e.log');
    const p = await startEngine(PORT + 1, { dir, args: ['--pidfile', pidfile, '--logfile', logfile, '--loglevel', 'verbose'] });
    // The pidfile is written just after the port opens: poll, don't race.
    for (const end = Date.now() + 10_000; !existsSync(pidfile) && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
    expect(readFileSync(pidfile, 'utf8').trim()).toBe(String(p.pid));
    const exited = new Promise<number | null>((r) => p.child.once('exit', (code) => r(code)));
    process.kill(p.pid, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(pidfile)).toBe(false);
    const log = readFileSync(logfile, 'utf8');
    expect(log).toMatch(/^\d+:M \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} \* Ready to accept connections$/m);
    expect(log).toMatch(/# Received SIGTERM scheduling shutdown\.\.\./);
    expect(log).toMatch(/# Redis is now ready to exit, bye bye\.\.\./);
  });

  it('a SIGTERM while it starts is a clean shutdown, not a kill', async () => {
    const dir = tmpDir();
    const child = spawn(process.execPath, [ENGINE_MAIN, '--port', String(PORT + 3), '--dir', dir, '--save', '', '--pidfile', path.join(dir, 'e.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // The first log line: the process runs its start-up, long before "Ready to accept connections".
    child.stdout.once('data', () => child.kill('SIGTERM'));
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    expect(await exited, out).toBe(0);
    expect(existsSync(path.join(dir, 'e.pid'))).toBe(false);
  });

  it('serves redis-cli (RESP2 and RESP3)', async () => {
    await startEngine(PORT + 2);
    const cli = (...args: string[]) => run('redis-cli', ['-p', String(PORT + 2), ...args]).then((r) => r.stdout);
    expect(await cli('SET', 'greeting', 'hello world')).toBe('OK\n');
    expect(await cli('GET', 'greeting')).toBe('hello world\n');
    expect(await cli('-3', 'HELLO', '3')).toContain('proto');
    expect(await cli('INCRBYFLOAT', 'f', '0.1')).toBe('0.1\n');
    expect(await cli('DBSIZE')).toBe('2\n');
    expect(await cli('CONFIG', 'GET', 'port')).toBe(`port\n${PORT + 2}\n`);
  });
});
