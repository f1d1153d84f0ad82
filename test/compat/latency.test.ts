// LATENCY against redis-server 7.0: the same events recorded for the same slow commands (DEBUG
// SLEEP over latency-monitor-threshold), HISTORY/LATEST/RESET shapes, GRAPH and DOCTOR texts where
// they are deterministic, HISTOGRAM's commands, call counts and bucket labels, and the errors.
import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import type { Reply } from '../helpers/resp.js';

const P = 11780; // this file: 11780-11789

/** A reply with integers that are times or latencies replaced by their type. */
function shape(r: Reply): unknown {
  if (r.t === 'int') return 'int';
  if ((r.t === 'array' || r.t === 'set') && r.v) return r.v.map(shape);
  return r;
}

describe('LATENCY matches redis-server', () => {
  const pair = usePair(P, ['--enable-debug-command', 'yes']);

  it('events, history, reset, doctor and errors', async () => {
    expect(await diff(pair, script(`
      LATENCY RESET
      LATENCY LATEST
      LATENCY DOCTOR
      CONFIG SET latency-monitor-threshold 1000
      LATENCY DOCTOR
      LATENCY HISTORY command
      LATENCY GRAPH command
      LATENCY RESET nope
      LATENCY HELP
      LATENCY nope
      LATENCY HISTORY
      CONFIG SET latency-monitor-threshold 20
    `))).toEqual([]);
    await pair.both(['DEBUG', 'SLEEP', '0.05']);
    for (const c of [['LATENCY', 'LATEST'], ['LATENCY', 'HISTORY', 'command']]) {
      const { redis, engine } = await pair.both(c);
      expect(shape(engine)).toEqual(shape(redis));
    }
    const { redis, engine } = await pair.both(['LATENCY', 'LATEST']);
    for (const r of [redis, engine]) {
      const row = (r as { v: { v: string }[][] }).v[0] as unknown as { v: { v: string }[] };
      expect(Number(row.v[2].v)).toBeGreaterThanOrEqual(50); // the latest latency, in ms
    }
    expect(await diff(pair, script(`
      LATENCY RESET command nope
      LATENCY LATEST
      LATENCY DOCTOR
      CONFIG SET latency-monitor-threshold 0
    `))).toEqual([]);
  });

  it('HISTOGRAM: commands, calls and bucket labels', async () => {
    await pair.both(['CONFIG', 'RESETSTAT']);
    for (let i = 0; i < 20; i++) await pair.both(['SET', `k${i}`, 'v']);
    await pair.both(['CONFIG', 'GET', 'maxmemory']);
    const labels = new Set(['1', '2', '4', '8', '16', '33', '66', '132', '264', '528', '1056', '2113', '4227', '8454', '16908', '33816', '67633', '135266', '270532', '541065']);
    for (const c of [['LATENCY', 'HISTOGRAM', 'set'], ['LATENCY', 'HISTOGRAM', 'get', 'nope', 'set']]) {
      const { redis, engine } = await pair.both(c);
      const names = (r: Reply) => ((r as { v: Reply[] }).v.filter((_, i) => i % 2 === 0) as { v: string }[]).map((x) => x.v);
      expect(names(engine).sort()).toEqual(names(redis).sort()); // subcommands come in table order
      const body = (r: Reply) => (r as { v: Reply[] }).v[1] as { v: Reply[] };
      for (const r of [redis, engine]) {
        if (body(r) === undefined) continue;
        const hist = body(r).v[3] as { v: { v: string }[] };
        for (let i = 0; i < hist.v.length; i += 2) expect(labels.has(hist.v[i].v), `bucket ${hist.v[i].v}`).toBe(true);
      }
      expect(JSON.stringify(body(engine)?.v.slice(0, 2))).toEqual(JSON.stringify(body(redis)?.v.slice(0, 2)));
    }
  });
});
