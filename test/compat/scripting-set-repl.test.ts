import net from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import { PORTS } from '../helpers/ports.js';

// redis.set_repl: REPL_AOF writes reach the AOF only, REPL_REPLICA writes the replication stream only,
// REPL_NONE neither; a script's MULTI/EXEC wrapper reaches both whenever it holds several writes (even
// when one side gets nothing inside it), as redis-server 7.0 does. Each server's AOF and its
// replication stream (read by a raw SYNC client) are compared with redis-server's.
const CASES = script(`
  EVAL "redis.set_repl(redis.REPL_AOF) redis.call('set','aofonly',1) redis.set_repl(redis.REPL_REPLICA) redis.call('set','replonly',2) redis.set_repl(redis.REPL_ALL) return redis.call('set','both',3)" 0
  EVAL "redis.set_repl(redis.REPL_AOF) redis.call('set','aofonly1',1) return 1" 0
  EVAL "redis.set_repl(redis.REPL_REPLICA) redis.call('set','r1',1) return 1" 0
  EVAL "redis.set_repl(redis.REPL_REPLICA) redis.call('set','r1',1) redis.call('set','r2',1) redis.set_repl(redis.REPL_AOF) redis.call('set','a1',1) return 1" 0
  EVAL "redis.set_repl(redis.REPL_AOF) redis.call('set','x1',1) redis.call('set','x2',1) return 1" 0
  EVAL "redis.set_repl(redis.REPL_REPLICA) redis.call('set','y1',1) redis.call('set','y2',1) return 1" 0
  EVAL "redis.call('set','z1',1) redis.set_repl(redis.REPL_NONE) redis.call('set','z2',1) return 1" 0
  EVAL "redis.set_repl(redis.REPL_AOF) redis.call('publish','ch','m') redis.call('set','p1',1) return 1" 0
  EVAL "redis.call('publish','ch','m') redis.call('publish','ch','m') return 1" 0
  MULTI
  PUBLISH ch m
  PUBLISH ch m
  EXEC
  FUNCTION LOAD "#!lua name=lib\\nredis.register_function('f', function(k, a) redis.set_repl(redis.REPL_AOF) redis.call('set', k[1], a[1]) return 1 end)"
  FCALL f 1 fk fv
  SET after 1
`);

/** A raw replica: SYNC, skip the RDB payload, keep the command stream as text. */
function syncStream(port: number): { text: () => string | null; close: () => void } {
  const sock = net.connect(port, '127.0.0.1');
  let buf = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => (buf = Buffer.concat([buf, d])));
  sock.write('SYNC\r\n');
  return {
    text() {
      let i = 0;
      while (buf[i] === 10) i++; // newlines keep the link alive while the snapshot is made
      const eol = buf.indexOf('\r\n', i);
      if (buf[i] !== 36 || eol < 0) return null;
      const start = eol + 2 + Number(buf.subarray(i + 1, eol).toString());
      return start > buf.length ? null : buf.subarray(start).toString('latin1');
    },
    close: () => sock.destroy(),
  };
}

function incrAof(dir: string): string {
  const aofDir = path.join(dir, 'appendonlydir');
  const file = readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'));
  if (!file) throw new Error(`no incr AOF in ${aofDir}`);
  return readFileSync(path.join(aofDir, file), 'latin1');
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (const t = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() - t > 10_000) throw new Error(`timed out waiting for ${what}`);
  }
}

/** RESP commands as one line each, PINGs (the master's heartbeat) left out. */
const commands = (resp: string): string[] =>
  resp.split(/(?=\*\d+\r\n\$)/).map((c) => c.split('\r\n').filter((p, i) => i % 2 === 0 && i > 0).join(' ')).filter((c) => c !== '' && c !== 'PING');

describe('redis.set_repl sends each write to the sinks it names', () => {
  const pair = usePair(PORTS.scripting + 70, ['--appendonly', 'yes', '--appendfsync', 'always']);
  const streams: { close: () => void }[] = [];
  afterAll(() => streams.forEach((s) => s.close()));

  it('AOF and replication stream as redis-server writes them', async () => {
    const [rs, es] = [syncStream(pair.redisProc.port), syncStream(pair.engineProc.port)];
    streams.push(rs, es);
    // Both snapshots sent: the stream that follows holds only the cases' effects.
    await until('the SYNC payloads', () => rs.text() !== null && es.text() !== null);
    const aofBefore = [incrAof(pair.redisProc.dir).length, incrAof(pair.engineProc.dir).length];
    expect(await diff(pair, CASES)).toEqual([]);
    await until('both streams carry the last write', () => [rs, es].every((s) => s.text()?.includes('after')));
    const [redisStream, engineStream] = [commands(rs.text() ?? ''), commands(es.text() ?? '')];
    const [redisAof, engineAof] = [commands(incrAof(pair.redisProc.dir).slice(aofBefore[0])), commands(incrAof(pair.engineProc.dir).slice(aofBefore[1]))];
    expect(engineStream).toEqual(redisStream);
    expect(engineAof).toEqual(redisAof);
    // What the comparison covers: each sink got its own writes and not the other's.
    expect(redisAof).toContain('set aofonly 1');
    expect(redisAof).not.toContain('set replonly 2');
    expect(redisStream).toContain('set replonly 2');
    expect(redisStream).not.toContain('set aofonly 1');
    expect(redisAof).toContain('set fk fv');
    expect(redisStream).not.toContain('set fk fv');
  });
});
