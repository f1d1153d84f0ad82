// Fault isolation: an exception escaping a handler (DEBUG ASSERT stands in for an engine bug) becomes
// one error reply, is counted in INFO and logged with its stack, and the node keeps serving the rest
// of the pipeline and every other client. The test harness (procs.ts) fails a file whose engine
// counted one; this file opts out because it provokes them.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTS } from '../helpers/ports.js';
import { internalErrorCount, startEngine, stopAll, type Proc } from '../helpers/procs.js';
import { RespClient, encodeCommand } from '../helpers/resp.js';

const PORT = PORTS.core + 600;

describe('fault isolation', () => {
  let engine: Proc;
  beforeAll(async () => {
    engine = await startEngine(PORT, { args: ['--enable-debug-command', 'yes'], expectInternalErrors: true });
  });
  afterAll(stopAll);

  it('answers an internal error in place of a half-written reply and keeps serving the pipeline', async () => {
    const raw = await new Promise<string>((resolve) => {
      const s = net.connect(PORT, '127.0.0.1');
      let got = '';
      s.on('data', (d) => {
        got += d.toString('latin1');
        if (got.endsWith('+PONG\r\n')) {
          s.destroy();
          resolve(got);
        }
      });
      s.on('connect', () => s.write(Buffer.concat([encodeCommand(['SET', 'k', 'v']), encodeCommand(['DEBUG', 'ASSERT']), encodeCommand(['GET', 'k']), encodeCommand(['PING'])])));
    });
    expect(raw).toBe("+OK\r\n-ERR internal error in 'debug', the command was not completed (see the server log)\r\n$1\r\nv\r\n+PONG\r\n");
  });

  it('counts internal errors in INFO stats and logs the command and stack', async () => {
    const c = await RespClient.connect(PORT);
    expect(await c.call(['DEBUG', 'ASSERT'])).toEqual({ t: 'error', v: "ERR internal error in 'debug', the command was not completed (see the server log)" });
    // Inside MULTI the failing command answers the error and EXEC goes on with the next one.
    await c.call(['MULTI']);
    await c.call(['DEBUG', 'ASSERT']);
    await c.call(['INCR', 'n']);
    const exec = await c.call(['EXEC']);
    expect(exec).toEqual({ t: 'array', v: [{ t: 'error', v: "ERR internal error in 'debug', the command was not completed (see the server log)" }, { t: 'int', v: '1' }] });
    c.close();
    expect(await internalErrorCount(PORT)).toBe(3);
    expect(engine.output()).toMatch(/# Internal error in 'debug' \(the node keeps serving\): Error: DEBUG ASSERT\n\s+at /);
    expect(engine.child.exitCode).toBeNull();
  });

  it('rate-limits the stack traces it logs', async () => {
    const c = await RespClient.connect(PORT);
    for (let i = 0; i < 20; i++) await c.call(['DEBUG', 'ASSERT']);
    c.close();
    expect(await internalErrorCount(PORT)).toBe(23);
    // 5 stacks per 10 s window: the first test's assert, two here, then two more.
    const stacks = engine.output().split('\n').filter((l) => l.includes("Internal error in 'debug'"));
    expect(stacks.length).toBe(5);
  });
});
