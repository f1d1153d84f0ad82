// XADD `*` and XREADGROUP build their propagated form (the chosen ID, one XCLAIM per delivered entry)
// only while something takes propagated writes. An engine that starts without AOF or replicas and
// then turns appendonly on at run time must log every later delivery: restarted from its AOF it holds
// the same groups, pending entries and delivery counts as before the restart.
import { afterAll, describe, expect, it } from 'vitest';
import { startEngine, stopAll, tmpDir } from '../helpers/procs.js';
import { RespClient, type Reply } from '../helpers/resp.js';

const P = 11470; // this file: 11470-11471

afterAll(stopAll);

async function calls(port: number, cmds: string[][]): Promise<Reply[]> {
  const c = await RespClient.connect(port);
  try {
    const out: Reply[] = [];
    for (const cmd of cmds) {
      const r = await c.call(cmd);
      if (r.t === 'error') throw new Error(`${cmd.join(' ')}: ${r.v}`);
      out.push(r);
    }
    return out;
  } finally {
    c.close();
  }
}

/** The streams' state; seen-time and the idle column are clocks (XCLAIM on replay resets them). */
async function state(port: number): Promise<string> {
  const rs = await calls(port, [['XINFO', 'STREAM', 's', 'FULL'], ['XPENDING', 's', 'g', '-', '+', '100']]);
  return JSON.stringify(rs)
    .replace(/"(seen-time|active-time)"\},\{"t":"int","v":"\d+"/g, '"$1"},"T"')
    .replace(/\{"t":"int","v":"\d+"\},\{"t":"int","v":"(\d+)"\}\]\}/g, '"I",{"t":"int","v":"$1"}]}');
}

async function aofOn(port: number): Promise<void> {
  await calls(port, [['CONFIG', 'SET', 'appendonly', 'yes']]);
  for (let i = 0; i < 200; i++) {
    const [info] = await calls(port, [['INFO', 'persistence']]);
    const text = info.t === 'bulk' ? String(info.v) : '';
    if (/aof_rewrite_in_progress:0/.test(text) && /aof_rewrite_scheduled:0/.test(text)) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('AOF rewrite did not finish');
}

describe('stream writes reach an AOF turned on at run time', () => {
  it('XADD * and XREADGROUP after CONFIG SET appendonly yes replay to the same state', async () => {
    const dir = tmpDir('kvctl-streams-aof-');
    const e = await startEngine(P, { dir, args: ['--appendonly', 'no'] });
    // Nothing takes propagated writes yet: these run on the quiet path.
    await calls(P, [
      ['XADD', 's', '*', 'f', '1'],
      ['XADD', 's', '*', 'f', '2'],
      ['XGROUP', 'CREATE', 's', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '>'],
    ]);
    await aofOn(P);
    await calls(P, [
      ['XADD', 's', '*', 'f', '3'],
      ['XADD', 's', 'MAXLEN', '~', '100', '*', 'f', '4'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '2', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'carol', 'NOACK', 'STREAMS', 's', '>'],
    ]);
    const want = await state(P);
    expect(want).toContain('"bob"');
    await e.stop();
    await startEngine(P + 1, { dir, args: ['--appendonly', 'yes'] });
    expect(await state(P + 1)).toEqual(want);
  });
});
