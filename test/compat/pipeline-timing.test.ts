// Pipelines through dispatch's shared clock (engine/command-timing.ts) and armed guards, against
// redis-server 7.0: a pipeline is written at once, so a run of fast commands is timed as a whole and
// a guard armed by CONFIG SET must refuse the very next command of the same read.
import { describe, expect, it } from 'vitest';
import { usePair, type Pair } from './harness.js';
import { encodeCommand, type Reply, type RespClient } from '../helpers/resp.js';

const P = 12800; // this file: redis-server 12800, engine 12801; 12899 is a master nobody listens on

/** Writes every command in one write and returns the replies in order. */
async function pipeline(c: RespClient, cmds: string[][]): Promise<Reply[]> {
  c.writeRaw(Buffer.concat(cmds.map((a) => encodeCommand(a))));
  const out: Reply[] = [];
  for (let i = 0; i < cmds.length; i++) out.push(await c.next());
  return out;
}

/** The same pipeline on both servers. */
async function both(pair: Pair, cmds: string[][]): Promise<{ redis: Reply[]; engine: Reply[] }> {
  const [redis, engine] = await Promise.all([pipeline(pair.redis, cmds), pipeline(pair.engine, cmds)]);
  return { redis, engine };
}

function text(r: Reply): string {
  if (r.t === 'bulk' || r.t === 'verbatim' || r.t === 'simple' || r.t === 'error') return String(r.v);
  throw new Error(`not a string reply: ${JSON.stringify(r)}`);
}

/** INFO commandstats as name -> {calls, usec}. */
async function commandStats(c: RespClient): Promise<Map<string, { calls: number; usec: number }>> {
  const out = new Map<string, { calls: number; usec: number }>();
  for (const m of text(await c.call(['INFO', 'commandstats'])).matchAll(/^cmdstat_(\S+):calls=(\d+),usec=(\d+),/gm)) {
    out.set(m[1], { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return out;
}

interface SlowEntry {
  usec: number;
  args: string[];
  name: string;
}

/** SLOWLOG GET, oldest first. */
async function slowlog(c: RespClient): Promise<SlowEntry[]> {
  const r = await c.call(['SLOWLOG', 'GET', '-1']);
  if (r.t !== 'array' || !r.v) throw new Error(`SLOWLOG GET: ${JSON.stringify(r)}`);
  return r.v
    .map((e) => {
      const f = (e as { v: Reply[] }).v;
      return { usec: Number((f[2] as { v: string }).v), args: (f[3] as { v: Reply[] }).v.map(text), name: text(f[5]) };
    })
    .reverse();
}

/** Fast and non-fast commands interleaved, each distinct, one argument longer than the slow log keeps. */
function mixed(): string[][] {
  const cmds: string[][] = [];
  for (let i = 0; i < 40; i++) {
    cmds.push(['PING'], ['SET', `k${i}`, `v${i}`], ['GET', `k${i}`], ['INCR', 'n'], ['HSET', 'h', `f${i}`, 'x'], ['SADD', 's', `m${i}`]);
    if (i % 5 === 0) cmds.push(['LRANGE', 'l', '0', String(i)], ['KEYS', `k${i}`]);
    if (i % 13 === 0) cmds.push(['LPUSH', 'l', 'x'.repeat(200 + i)]);
  }
  return cmds;
}

describe('pipelines: timing shared by fast commands, guards armed mid-read', () => {
  const pair = usePair(P, ['--enable-debug-command', 'yes']);

  it('commandstats calls match redis-server and usec matches the slow log per command', async () => {
    await pair.both(['FLUSHALL']);
    await pair.both(['CONFIG', 'SET', 'slowlog-log-slower-than', '0', 'slowlog-max-len', '10000']);
    await pair.both(['CONFIG', 'RESETSTAT']);
    await pair.both(['SLOWLOG', 'RESET']);
    const cmds = mixed();
    const { redis, engine } = await both(pair, cmds);
    expect(engine).toEqual(redis);
    const [rs, es] = await Promise.all([commandStats(pair.redis), commandStats(pair.engine)]);
    const calls = (m: typeof rs) => [...m].filter(([k]) => k !== 'info').map(([k, v]) => [k, v.calls]).sort();
    expect(calls(es)).toEqual(calls(rs));
    // Every command was logged with the microseconds commandstats counted for it: the shares add up.
    const entries = await slowlog(pair.engine);
    const logged = new Map<string, number>();
    for (const e of entries) logged.set(e.args[0].toLowerCase(), (logged.get(e.args[0].toLowerCase()) ?? 0) + e.usec);
    for (const name of ['ping', 'set', 'get', 'incr', 'hset', 'sadd', 'lrange', 'keys', 'lpush']) {
      expect(es.get(name)?.calls, name).toBe(cmds.filter((a) => a[0].toLowerCase() === name).length);
      expect(logged.get(name), name).toBe(es.get(name)?.usec);
    }
    // 240 fast commands parsed and run take more than a microsecond in all.
    const fastUsec = ['ping', 'set', 'get', 'incr', 'hset', 'sadd'].reduce((s, n) => s + (es.get(n)?.usec ?? 0), 0);
    expect(fastUsec).toBeGreaterThan(0);
    await pair.both(['CONFIG', 'SET', 'slowlog-log-slower-than', '10000']);
  });

  it('the slow log records every command of a pipeline in order, with its arguments and client name', async () => {
    await pair.both(['FLUSHALL']);
    await pair.both(['CLIENT', 'SETNAME', 'before']);
    await pair.both(['CONFIG', 'SET', 'slowlog-log-slower-than', '0', 'slowlog-max-len', '10000']);
    await pair.both(['SLOWLOG', 'RESET']);
    // HELLO SETNAME and RESET are fast and change the name within a run of fast commands.
    const cmds = [['PING', 'a'], ['SET', 'x', '1'], ['HELLO', '2', 'SETNAME', 'during'], ['GET', 'x'], ...mixed(), ['RESET'], ['ECHO', 'after']];
    const { redis, engine } = await both(pair, cmds);
    // HELLO's reply holds the client id, which differs between the servers.
    expect(engine.filter((_, i) => i !== 2)).toEqual(redis.filter((_, i) => i !== 2));
    const [rl, el] = await Promise.all([slowlog(pair.redis), slowlog(pair.engine)]);
    const shown = (l: SlowEntry[]) => l.map((e) => [e.args, e.name]);
    expect(shown(el)).toEqual(shown(rl));
    // SLOWLOG RESET itself, then the pipeline, each argument as sent (cut at 128 bytes as Redis does).
    const sent = el.slice(1).map((e) => e.args);
    expect(sent).toHaveLength(cmds.length);
    expect(sent[5]).toEqual(cmds[5]);
    expect(el.find((e) => e.args[0] === 'LPUSH')?.args[2]).toBe('x'.repeat(128) + '... (72 more bytes)');
    await pair.both(['CONFIG', 'SET', 'slowlog-log-slower-than', '10000']);
  });

  it('latency: histograms count a pipeline’s calls and the monitor records a slow command in it', async () => {
    await pair.both(['CONFIG', 'RESETSTAT']);
    await pair.both(['LATENCY', 'RESET']);
    await pair.both(['CONFIG', 'SET', 'latency-monitor-threshold', '5']);
    const cmds = [...mixed(), ['DEBUG', 'SLEEP', '0.02'], ...mixed()];
    const { redis, engine } = await both(pair, cmds);
    expect(engine).toEqual(redis);
    const calls = (r: Reply) => JSON.stringify(r).replace(/"histogram_usec".*?\]\}\]\}/g, '');
    const h = await pair.both(['LATENCY', 'HISTOGRAM', 'ping', 'get', 'sadd', 'debug']);
    expect(calls(h.engine)).toEqual(calls(h.redis));
    expect(calls(h.engine)).toContain('"calls"},{"t":"int","v":"80"}');
    const latest = await pair.engine.call(['LATENCY', 'LATEST']);
    const row = (latest as { v: { v: Reply[] }[] }).v.find((e) => text(e.v[0]) === 'command');
    expect(row, JSON.stringify(latest)).toBeDefined();
    expect(Number((row?.v[3] as { v: string }).v)).toBeGreaterThanOrEqual(20);
    await pair.both(['CONFIG', 'SET', 'latency-monitor-threshold', '0']);
  });

  it('a guard armed by CONFIG SET or REPLICAOF refuses the next command of the same read', async () => {
    await pair.both(['FLUSHALL']);
    const cmds = [
      ['SET', 'a', '1'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction', 'maxmemory', '1'],
      ['SET', 'b', '1'],
      ['GET', 'a'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
      ['SET', 'b', '2'],
      ['CONFIG', 'SET', 'min-replicas-to-write', '1'],
      ['SET', 'c', '1'],
      ['INCR', 'n'],
      ['GET', 'a'],
      ['CONFIG', 'SET', 'min-replicas-to-write', '0'],
      ['SET', 'c', '2'],
      ['REPLICAOF', '127.0.0.1', String(P + 99)],
      ['SET', 'd', '1'],
      ['GET', 'a'],
      ['CONFIG', 'SET', 'replica-read-only', 'no'],
      ['SET', 'd', '2'],
      ['CONFIG', 'SET', 'replica-read-only', 'yes', 'replica-serve-stale-data', 'no'],
      ['GET', 'a'],
      ['PING'],
      ['CONFIG', 'SET', 'replica-serve-stale-data', 'yes'],
      ['REPLICAOF', 'NO', 'ONE'],
      ['SET', 'e', '1'],
      ['MGET', 'a', 'b', 'c', 'd', 'e'],
    ];
    const { redis, engine } = await both(pair, cmds);
    expect(engine).toEqual(redis);
    const errors = engine.map((r, i) => (r.t === 'error' ? `${cmds[i].join(' ')}: ${r.v.split(' ')[0]}` : null)).filter(Boolean);
    expect(errors).toEqual(['SET b 1: OOM', 'SET c 1: NOREPLICAS', 'INCR n: NOREPLICAS', 'SET d 1: READONLY', 'GET a: MASTERDOWN', 'PING: MASTERDOWN']);
  });

  it('a client that turns MONITOR is refused keyspace commands in the same read', async () => {
    const { redis, engine } = await pair.connect();
    const cmds = [['GET', 'a'], ['MONITOR'], ['GET', 'a'], ['PING']];
    const [r, e] = await Promise.all([pipeline(redis, cmds), pipeline(engine, cmds)]);
    expect(e).toEqual(r);
    expect(e[2]).toEqual({ t: 'error', v: "ERR Replica can't interact with the keyspace" });
    redis.close();
    engine.close();
    // The guard disarms when the monitor goes: another client still reads.
    await new Promise((res) => setTimeout(res, 100));
    expect(await pair.engine.call(['GET', 'a'])).toEqual(await pair.redis.call(['GET', 'a']));
  });
});
