// What a 1M-key RDB restart costs on V8 before any engine code runs, next to redis-server's whole
// restart (issue 20's "restart from a 1M-key RDB <= 1.3x"). Process CPU (user+sys) of:
//  - redis-server from spawn to the first PONG on the RDB of DEBUG POPULATE 1000000;
//  - a bare loop building 2M short strings (the keys and values) from the file's bytes;
//  - Map.set of 1M ready-made keys (no string work);
//  - the engine's parseRdb of the same file, in this process.
// Run with: npx tsx bench/rdb-load-floor.ts   (needs npm run build; ports 12690-12691)
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stopAll, tmpDir } from '../test/helpers/procs.js';
import { RespClient } from '../test/helpers/resp.js';
import { parseRdb } from '../src/engine/persistence/rdb.js';
import { median } from './lib.js';

const PORT = 12690;
const KEYS = 1_000_000;

function cpuMs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

async function waitPong(port: number): Promise<void> {
  while (spawnSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8' }).stdout.trim() !== 'PONG') {
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** CPU ms of a child from its start to the first PONG (utime+stime from /proc). */
async function redisRestartCpu(dir: string): Promise<number> {
  const child = spawn('redis-server', ['--port', String(PORT + 1), '--bind', '127.0.0.1', '--dir', dir, '--save', ''], { stdio: 'ignore' });
  try {
    await waitPong(PORT + 1);
    const st = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(st[11]) + Number(st[12])) * 1000) / 100; // utime, stime in clock ticks (100 Hz)
  } finally {
    child.kill('SIGKILL');
  }
}

const dir = tmpDir('kvctl-floor-');
const maker = spawn('redis-server', ['--port', String(PORT), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--enable-debug-command', 'yes'], { stdio: 'ignore' });
await waitPong(PORT);
const c = await RespClient.connect(PORT);
await c.call(['DEBUG', 'POPULATE', String(KEYS)], 60_000);
await c.call(['SAVE'], 60_000);
c.close();
maker.kill('SIGKILL');
const file = readFileSync(path.join(dir, 'dump.rdb'));

const redis: number[] = [];
for (let i = 0; i < 3; i++) redis.push(await redisRestartCpu(dir));

// The key/value string offsets, found once (DEBUG POPULATE: plain strings, no TTL, 1-byte lengths).
const lenSize = (b: number) => (b >> 6 === 0 ? 1 : b >> 6 === 1 ? 2 : b === 0x80 ? 5 : 9);
let pos = file.indexOf(Buffer.from([0xfe, 0x00, 0xfb])) + 3; // SELECTDB 0, RESIZEDB
pos += lenSize(file[pos]);
pos += lenSize(file[pos]);
const offs: number[] = [];
for (let i = 0; i < KEYS && pos < file.length; i++) {
  pos += 1; // type
  for (let s = 0; s < 2; s++) {
    const n = file[pos++] & 0x3f;
    offs.push(pos, n);
    pos += n;
  }
}
const text = file.latin1Slice(0, file.length);
const strings = cpuMs(() => {
  const out = new Array<string>(offs.length / 2);
  for (let i = 0; i < offs.length; i += 2) out[i / 2] = text.substring(offs[i], offs[i] + offs[i + 1]);
});
const keys = Array.from({ length: KEYS }, (_, i) => `key:${i}`);
const mapSet = cpuMs(() => {
  const m = new Map<string, number>();
  for (let i = 0; i < KEYS; i++) m.set(keys[i], i);
});
const parse = cpuMs(() => parseRdb(file, { databases: 16, dropExpired: true, now: Date.now() }));
console.log(`redis-server restart (spawn to PONG), CPU ms: ${median(redis).toFixed(0)}  (${redis.join(' ')})`);
console.log(`2M key/value strings cut from the file:   ${strings.toFixed(0)}`);
console.log(`Map.set of 1M ready-made string keys:      ${mapSet.toFixed(0)}`);
console.log(`engine parseRdb of the file (in process):  ${parse.toFixed(0)}`);
console.log(`floor (strings + Map) / redis restart:     ${((strings + mapSet) / median(redis)).toFixed(2)}x`);
await stopAll(); // removes the RDB's temp dir
