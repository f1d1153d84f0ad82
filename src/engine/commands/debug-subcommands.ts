// DEBUG subcommands that client libraries' and Redis's own test suites call: ERROR, LOG, POPULATE,
// PROTOCOL (one reply of each RESP3 type), CHANGE-REPL-ID, QUICKLIST-PACKED-THRESHOLD, DIGEST, DIGEST-VALUE,
// PAUSE-CRON, REPLYBUFFER, SET-DISABLE-DENY-SCRIPTS, LISTPACK. Registered in debug.ts's table.
import type { CommandContext, Handler } from './table.js';
import { keyStr } from '../store/types.js';
import { storedCopy } from '../store/compact.js';
import { parseDouble, parseInt64 } from './args.js';
import { repl } from '../replication/state.js';
import { parseMemory } from '../config.js';
import { debugDigest, debugDigestValue } from './debug-digest.js';
import { debugObject } from './debug-object.js';
import { globMatch } from '../util/glob.js';

/**
 * Redis 7.0 DEBUG subcommands the engine does not have: crashes and restarts (SEGFAULT, PANIC, OOM,
 * CRASH-AND-RECOVER, RESTART, LEAK), allocator and C-structure internals (MALLCTL, MALLCTL-STR, HTSTATS,
 * HTSTATS-KEY, SDSLEN, QUICKLIST, CLIENT-EVICTION), and test hooks of subsystems built differently here
 * (AOF-FLUSH-SLEEP, LOADAOF, REPLICATE, CONFIG-REWRITE-FORCE-ALL, SET-SKIP-CHECKSUM-VALIDATION,
 * DROP-CLUSTER-PACKET-FILTER, CLUSTERLINK). They answer a clear error instead of Redis's "unknown".
 */
export const DEBUG_UNSUPPORTED = new Set([
  'segfault', 'panic', 'oom', 'crash-and-recover', 'restart', 'leak', 'mallctl', 'mallctl-str', 'htstats', 'htstats-key',
  'sdslen', 'quicklist', 'client-eviction', 'aof-flush-sleep', 'loadaof', 'replicate', 'config-rewrite-force-all',
  'set-skip-checksum-validation', 'drop-cluster-packet-filter', 'clusterlink',
]);

/** Blocks the whole process, like Redis's DEBUG SLEEP (it is meant to stall every client). */
function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** C's atoi: optional blanks and sign, then the leading digits (0 when there are none). */
export function atoi(b: Buffer): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(b.toString('latin1'));
  return m ? Number.parseInt(m[1], 10) | 0 : 0;
}

/** `debug <sub> ...`: handlers by lower-case name with the argc each accepts (Redis matches on both). */
export const DEBUG_EXTRA: [name: string, argc: (n: number) => boolean, handler: Handler][] = [
  ['error', (n) => n === 3, (ctx) => ctx.reply.error(ctx.argv[2].toString('latin1'))],
  ['log', (n) => n === 3, (ctx) => {
    ctx.srv.log.warning(`DEBUG LOG: ${ctx.argv[2].toString()}`);
    ctx.reply.ok();
  }],
  ['populate', (n) => n >= 3 && n <= 5, populate],
  ['protocol', (n) => n === 3, protocol],
  ['change-repl-id', (n) => n === 2, (ctx) => {
    const st = repl(ctx.srv);
    st.changeReplid();
    st.clearReplid2();
    ctx.reply.ok();
  }],
  ['quicklist-packed-threshold', (n) => n === 3, (ctx) => {
    const v = parseMemory(ctx.argv[2].toString('latin1'));
    if (v === null || v < 0 || v > 2 ** 32 - 2 ** 20) return ctx.reply.error('ERR argument must be a memory value bigger than 1 and smaller than 4gb');
    ctx.reply.ok();
  }],
  ['object', (n) => n === 3, debugObject],
  ['digest', (n) => n === 2, debugDigest],
  ['digest-value', (n) => n >= 2, debugDigestValue],
  ['sleep', (n) => n === 3, (ctx) => {
    sleepSync(Math.max(0, (parseDouble(ctx.argv[2]) ?? 0) * 1000));
    ctx.reply.ok();
  }],
  ['set-active-expire', (n) => n === 3, (ctx) => {
    ctx.srv.activeExpireEnabled = atoi(ctx.argv[2]) !== 0;
    ctx.reply.ok();
  }],
  ['pause-cron', (n) => n === 3, (ctx) => {
    ctx.srv.cronPaused = atoi(ctx.argv[2]) !== 0;
    ctx.reply.ok();
  }],
  ['replybuffer', (n) => n === 4, (ctx) => ctx.reply.ok()],
  ['set-disable-deny-scripts', (n) => n === 3, (ctx) => {
    ctx.srv.scriptDenyDisabled = atoi(ctx.argv[2]) !== 0;
    ctx.reply.ok();
  }],
  // The sizes the engine's MEMORY USAGE model uses, which are redis-server's on 64-bit Linux.
  ['structsize', (n) => n === 2, (ctx) => ctx.reply.bulk('bits:64 robj:16 dictentry:24 sdshdr5:1 sdshdr8:3 sdshdr16:5 sdshdr32:9 sdshdr64:17 ')],
  ['stringmatch-test', (n) => n === 2, (ctx) => {
    stringmatchFuzz();
    ctx.reply.simple('Apparently Redis did not crash: test passed');
  }],
  ['listpack', (n) => n === 3, (ctx) => {
    const v = ctx.db.get(keyStr(ctx.argv[2]));
    if (v === undefined) return ctx.reply.error('ERR no such key');
    // Redis prints the listpack on its stdout; only listpack-encoded hashes and sorted sets have one.
    if (Buffer.isBuffer(v) || v.encoding() !== 'listpack') return ctx.reply.error('ERR Not a listpack encoded object.');
    ctx.reply.simple('Listpack structure printed on stdout');
  }],
];

/**
 * DEBUG STRINGMATCH-TEST: as Redis, a fuzz test of the glob matcher (KEYS, SCAN MATCH, PSUBSCRIBE...)
 * with random patterns of the special characters over random strings; a throw would surface as an
 * internal error instead of the reply.
 */
function stringmatchFuzz(): void {
  const chars = Buffer.from('*?[]^-\\ab');
  const random = (max: number): Buffer => {
    const b = Buffer.alloc(Math.floor(Math.random() * max));
    for (let i = 0; i < b.length; i++) b[i] = Math.random() < 0.7 ? chars[Math.floor(Math.random() * chars.length)] : Math.floor(Math.random() * 256);
    return b;
  };
  for (let i = 0; i < 1000; i++) globMatch(random(32), random(32), i % 2 === 1);
}

/** DEBUG POPULATE count [prefix] [size]: key:N = value:N for each missing key (size pads with NULs or cuts). */
function populate(ctx: CommandContext): void {
  const { argv, reply, db, srv } = ctx;
  const count = parseInt64(argv[2]);
  const size = argv.length === 5 ? parseInt64(argv[4]) : 0n;
  if (count === null || count < 0n || size === null || size < 0n) return reply.error('ERR value is out of range, must be positive');
  const prefix = argv.length >= 4 ? argv[3].toString('latin1') : 'key';
  for (let i = 0; i < Number(count); i++) {
    const key = `${prefix}:${i}`;
    if (db.has(key)) continue;
    let val = Buffer.from(`value:${i}`, 'latin1');
    if (size > 0n) {
      const b = Buffer.alloc(Number(size));
      val.copy(b, 0, 0, Math.min(b.length, val.length));
      val = b;
    }
    db.set(key, storedCopy(val));
    srv.dirty++;
  }
  reply.ok();
}

function protocol(ctx: CommandContext): void {
  const r = ctx.reply;
  const t = ctx.argv[2].toString('latin1').toLowerCase();
  const resp3 = r.resp === 3;
  switch (t) {
    case 'string': return r.bulk('Hello World');
    case 'integer': return r.int(12345);
    case 'double': return resp3 ? r.raw(',3.141\r\n') : r.bulk('3.141');
    case 'bignum': return resp3 ? r.raw('(1234567999999999999999999999999999999\r\n') : r.bulk('1234567999999999999999999999999999999');
    case 'null': return r.null();
    case 'array':
    case 'set':
      if (t === 'array') r.array(3);
      else r.set(3);
      for (let j = 0; j < 3; j++) r.int(j);
      return;
    case 'map':
      r.map(3);
      for (let j = 0; j < 3; j++) {
        r.int(j);
        r.bool(j === 1);
      }
      return;
    case 'attrib':
      if (resp3) {
        r.raw('|1\r\n');
        r.bulk('key-popularity');
        r.array(2);
        r.bulk('key:123');
        r.int(90);
      }
      return r.bulk('Some real reply following the attribute');
    case 'push':
      if (!resp3) return r.error('ERR RESP2 is not supported by this command');
      r.push(2);
      r.bulk('server-cpu-usage');
      r.int(42);
      return r.bulk('Some real reply following the push reply');
    case 'verbatim': return r.verbatim('This is a verbatim\nstring');
    case 'true': return r.bool(true);
    case 'false': return r.bool(false);
    default:
      r.error('ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false');
  }
}

