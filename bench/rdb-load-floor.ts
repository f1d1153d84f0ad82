// What a 1M-key RDB restart costs on V8 before any engine code runs, next to redis-server's whole
// restart (issue 20's "restart from a 1M-key RDB <= 1.3x"). Process CPU (user+sys) of:
//  - redis-server from spawn to the first PONG on the RDB of DEBUG POPULATE 1000000;
//  - a bare loop building 2M short strings (the keys and values) from the file's bytes;
//  - Map.set of 1M ready-made keys (no string work);
//  - the engine's parseRdb of the same file, in this process;
// then what those two floors are made of, each in a fresh node under the engine's flags (or others):
//  - the 2M strings kept (all survive, as a load's do) against the same strings dropped at once: the
//    difference is the young generation copying survivors (a scavenge copies each one twice: into the
//    to-space, then into the old generation);
//  - that survivor cost under larger young generations (V8 takes the size from the command line only);
//  - Map.set of 1M small integers, 500k and 1M: the table alone, without string keys, and whether its
//    growth (rehash on each doubling) makes it worse than linear.
// Run with: npx tsx bench/rdb-load-floor.ts   (needs npm run build; ports 12690-12691)
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stopAll, tmpDir } from '../test/helpers/procs.js';
import { RespClient } from '../test/helpers/resp.js';
import { parseRdb } from '../src/engine/persistence/rdb.js';
import { ENGINE_NODE_FLAGS } from '../src/engine/v8-flags.cjs';
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

// The probes below run in fresh nodes (no JIT or heap state from above), median of 3 each.
const offsFile = path.join(dir, 'offsets.bin');
writeFileSync(offsFile, new Int32Array(offs).subarray(0));
const PROBE = `
const fs = require('node:fs');
const text = fs.readFileSync(process.argv[1]).latin1Slice();
const offs = new Int32Array(new Uint8Array(fs.readFileSync(process.argv[2])).buffer);
const what = process.argv[3], n = offs.length / 2;
let keep = null, sink = 0;
const c0 = process.cpuUsage();
if (what === 'kept') { keep = new Array(n); for (let i = 0; i < n; i++) keep[i] = text.substring(offs[2 * i], offs[2 * i] + offs[2 * i + 1]); }
if (what === 'dropped') for (let i = 0; i < n; i++) sink += text.substring(offs[2 * i], offs[2 * i] + offs[2 * i + 1]).length;
if (what.startsWith('map-int')) { keep = new Map(); const k = Number(what.slice(8)); for (let i = 0; i < k; i++) keep.set(i, i); }
const c = process.cpuUsage(c0);
process.stdout.write(String((c.user + c.system) / 1000));
`;
const probe = (flags: readonly string[], what: string): number => {
  const ms: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, [...flags, '-e', PROBE, path.join(dir, 'dump.rdb'), offsFile, what], { encoding: 'utf8' });
    ms.push(Number(r.stdout));
  }
  return median(ms);
};
const flagsText = ENGINE_NODE_FLAGS.join(' ');
const kept = probe(ENGINE_NODE_FLAGS, 'kept');
const dropped = probe(ENGINE_NODE_FLAGS, 'dropped');
console.log(`2M strings kept / dropped (${flagsText}): ${kept.toFixed(0)} / ${dropped.toFixed(0)} ms: survivors cost ${(kept - dropped).toFixed(0)}`);
// max alone lets V8 grow the young generation from small (many scavenges early); min = max starts it there.
for (const flags of [['--max-semi-space-size=16'], ['--max-semi-space-size=64'], ['--min-semi-space-size=64', '--max-semi-space-size=64']]) {
  console.log(`2M strings kept, ${flags.join(' ')}: ${probe(flags, 'kept').toFixed(0)} ms`);
}
const half = probe(ENGINE_NODE_FLAGS, 'map-int:500000');
const whole = probe(ENGINE_NODE_FLAGS, 'map-int:1000000');
console.log(`Map.set of 500k / 1M small integers:      ${half.toFixed(0)} / ${whole.toFixed(0)} ms (linear would be ${(2 * half).toFixed(0)})`);
await stopAll(); // removes the RDB's temp dir
