import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool, RespClient, type Reply } from '../helpers/resp.js';
import { startEngine, startRedis, stopAll } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';

const BASE = PORTS.scripting + 60;
const BUSY_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
const BUSY_FUNCTION = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `c` answers BUSY (the script passed busy-reply-threshold). */
async function untilBusy(c: RespClient): Promise<Reply> {
  for (let i = 0; i < 200; i++) {
    const r = await c.call(['GET', 'x']);
    if (r.t === 'error' && r.v.startsWith('BUSY')) return r;
    await sleep(20);
  }
  throw new Error('never busy');
}

/**
 * Runaway scripts on the engine and on redis-server side by side: other clients get BUSY, SCRIPT KILL
 * / FUNCTION KILL stop scripts that have not written (also a loop inside pcall), UNKILLABLE for one
 * that wrote, SHUTDOWN NOSAVE ends the node; after a kill the node serves again.
 */
describe.each([
  ['engine', 0],
  ['redis-server', 1],
])('busy scripts on %s', (name, offset) => {
  const port = BASE + offset * 5;
  const pool = new ClientPool();
  const connect = () => pool.connect(port);
  beforeAll(async () => {
    const args = ['--busy-reply-threshold', '100'];
    await (name === 'engine' ? startEngine(port, { args }) : startRedis(port, { args }));
  });
  afterAll(async () => {
    pool.closeAll();
    await stopAll();
  });

  it('a runaway loop: BUSY to others, SCRIPT KILL, serving again', async () => {
    const [a, b] = [await connect(), await connect()];
    expect(await b.call(['SCRIPT', 'KILL'])).toEqual({ t: 'error', v: 'NOTBUSY No scripts in execution right now.' });
    const running = a.call(['EVAL', 'local i = 0 while true do i = i + 1 end', '0']);
    expect(await untilBusy(b)).toEqual({ t: 'error', v: BUSY_EVAL });
    expect(await b.call(['PING'])).toEqual({ t: 'error', v: BUSY_EVAL });
    expect(await b.call(['FUNCTION', 'KILL'])).toEqual({ t: 'error', v: BUSY_EVAL });
    expect(await b.call(['SCRIPT', 'KILL'])).toEqual({ t: 'simple', v: 'OK' });
    const r = await running;
    expect(r.t).toBe('error');
    expect((r as { v: string }).v).toMatch(/^ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.$/);
    expect(await b.call(['SET', 'x', 'after'])).toEqual({ t: 'simple', v: 'OK' });
    expect(await a.call(['GET', 'x'])).toEqual({ t: 'bulk', v: 'after' });
  });

  it('a loop inside pcall is killed too', async () => {
    const [a, b] = [await connect(), await connect()];
    const running = a.call(['EVAL', "local ok, e = pcall(function() while true do end end) return {tostring(ok), e}", '0']);
    await untilBusy(b);
    expect(await b.call(['SCRIPT', 'KILL'])).toEqual({ t: 'simple', v: 'OK' });
    const r = await running;
    // Redis's pcall catches the first kill error; the script then returns it.
    expect(JSON.stringify(r)).toContain('Script killed by user with SCRIPT KILL...');
    expect(await b.call(['PING'])).toEqual({ t: 'simple', v: 'PONG' });
  });

  it('a busy function: FUNCTION KILL', async () => {
    const [a, b] = [await connect(), await connect()];
    expect(await a.call(['FUNCTION', 'LOAD', 'REPLACE', "#!lua name=busy\nredis.register_function('spin', function() while true do end end)"])).toEqual({ t: 'bulk', v: 'busy' });
    const running = a.call(['FCALL', 'spin', '0']);
    expect(await untilBusy(b)).toEqual({ t: 'error', v: BUSY_FUNCTION });
    expect(await b.call(['SCRIPT', 'KILL'])).toEqual({ t: 'error', v: BUSY_FUNCTION });
    expect(await b.call(['FUNCTION', 'KILL'])).toEqual({ t: 'simple', v: 'OK' });
    expect(await running).toEqual({ t: 'error', v: 'ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.' });
    expect(await b.call(['FCALL', 'nosuch', '0'])).toEqual({ t: 'error', v: 'ERR Function not found' });
  });

  it('runaway scripts inside MULTI: each killed in turn, the rest of the transaction runs', async () => {
    const [a, b] = [await connect(), await connect()];
    for (const argv of [['MULTI'], ['SET', 'm1', '1'], ['EVAL', 'while true do end', '0'], ['INCR', 'm1'], ['EVAL', 'local t = {} while true do t[1] = 1 end', '0'], ['SET', 'm3', '3']]) {
      await a.call(argv);
    }
    const running = a.call(['EXEC']);
    let done = false;
    void running.finally(() => (done = true));
    expect(await untilBusy(b)).toEqual({ t: 'error', v: BUSY_EVAL });
    // Kill until EXEC answers: a kill reaches a script at its next check, so the next one may still
    // meet the first script (no way to tell which script a BUSY reply came from).
    while (!done) {
      const k = await b.call(['SCRIPT', 'KILL']);
      expect([{ t: 'simple', v: 'OK' }, { t: 'error', v: 'NOTBUSY No scripts in execution right now.' }]).toContainEqual(k);
      await sleep(20);
    }
    const r = await running;
    const killed = /^ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.$/;
    expect(r.t).toBe('array');
    const items = (r as { v: Reply[] }).v;
    expect(items.map((x) => x.t)).toEqual(['simple', 'error', 'int', 'error', 'simple']);
    expect([items[1], items[3]].every((x) => x.t === 'error' && killed.test(x.v))).toBe(true);
    expect(await b.call(['MGET', 'm1', 'm3'])).toEqual({ t: 'array', v: [{ t: 'bulk', v: '2' }, { t: 'bulk', v: '3' }] });
    expect(await a.call(['PING'])).toEqual({ t: 'simple', v: 'PONG' });
  });

  it('a script that wrote is UNKILLABLE; SHUTDOWN NOSAVE still ends the node', async () => {
    const [a, b] = [await connect(), await connect()];
    const running = a.call(['EVAL', "redis.call('set', 'w', '1') while true do end", '0']);
    await untilBusy(b);
    expect(await b.call(['SCRIPT', 'KILL'])).toEqual({
      t: 'error',
      v: 'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
    });
    void running.catch(() => undefined);
    // The node exits without replying: watch the port close instead of waiting for a reply.
    void b.call(['SHUTDOWN', 'NOSAVE']).catch(() => undefined);
    let refused = false;
    for (let i = 0; i < 100 && !refused; i++) {
      await sleep(50);
      refused = await RespClient.connect(port).then((c) => (c.close(), false), () => true);
    }
    expect(refused).toBe(true);
  });
});
