// The command-aware differential fuzzer: command sequences generated from redis-server's own command
// docs (argument kinds, tokens, optional/multiple parts) with hostile values and mutations (dropped,
// repeated, swapped arguments), sent to the engine and to redis-server. An engine exit, a reply not
// back within 5 s or an internal error is a failure; reply differences are collected per command.
import { internalErrorCount, startEngine, startRedis, type Proc } from '../helpers/procs.js';
import { RespClient, encodeCommand, type Reply } from '../helpers/resp.js';
import { loadSpecs, type ArgSpec, type CommandSpec } from './spec.js';
import { Rng, double, integer, pattern, string } from './values.js';
import { LIBRARIES, MULTI_REPLY, boundedValue, finishArgv, pipelineFor } from './bounded.js';

const KEYS = ['k:str', 'k:int', 'k:list', 'k:hash', 'k:set', 'k:iset', 'k:zset', 'k:ttl', 'k:miss', 'k:dst', 'k:stream', 'k:geo', 'k:hll'];

const PRELUDE: string[][] = [
  ['FLUSHALL'], ['CLIENT', 'UNPAUSE'], ['FUNCTION', 'FLUSH'], ['SCRIPT', 'FLUSH'], ['ACL', 'DELUSER', 'fz1', 'fz2'],
  ['SET', 'k:str', 'hello'], ['SET', 'k:int', '42'], ['RPUSH', 'k:list', 'a', 'b', 'c', '1', '2'],
  ['HSET', 'k:hash', 'f1', 'v1', 'f2', '2'], ['SADD', 'k:set', 'a', 'b', 'c'], ['SADD', 'k:iset', '1', '2', '3'],
  ['ZADD', 'k:zset', '1', 'a', '2', 'b', '3', 'c'], ['SET', 'k:ttl', 'v', 'EX', '1000'],
  ['XADD', 'k:stream', '1-1', 'f', 'v'], ['XADD', 'k:stream', '2-1', 'g', 'w'], ['XGROUP', 'CREATE', 'k:stream', 'grp', '0'],
  ['GEOADD', 'k:geo', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'], ['PFADD', 'k:hll', 'a', 'b', 'c'],
  ['FUNCTION', 'LOAD', LIBRARIES[0]], ['FUNCTION', 'LOAD', LIBRARIES[1]],
];

/**
 * Left out: commands that end the server or turn the connection into another protocol (SHUTDOWN,
 * MONITOR, SYNC/PSYNC/REPLCONF, REPLICAOF, SENTINEL), reach other hosts (MIGRATE), are off in
 * redis-server by default (DEBUG), run in the background with timing-dependent replies (BGSAVE,
 * BGREWRITEAOF), write randomly (SPOP: both servers would then hold different data) or start Lua's
 * debugger (SCRIPT DEBUG: the engine has none, and redis-server's later EVALSHAs then differ). Commands
 * that block, pause or run code go through bounded.ts instead of being left out.
 */
const EXCLUDED = new Set([
  'shutdown', 'debug', 'monitor', 'sync', 'psync', 'replconf', 'replicaof', 'slaveof', 'migrate', 'sentinel',
  'bgsave', 'bgrewriteaof', 'spop', 'pfdebug', 'pfselftest', 'script|debug',
]);

/** Replies that depend on time, memory layout or the implementation: compared by reply type only. */
const BY_TYPE = new Set([
  'ttl', 'pttl', 'expiretime', 'pexpiretime', 'object|idletime', 'object|freq', 'dump', 'time', 'lastsave', 'info', 'memory|usage',
  'memory|stats', 'memory|doctor', 'memory|malloc-stats', 'client|list', 'client|info', 'client|id', 'config|get', 'slowlog|get', 'slowlog|len',
  'command', 'command|count', 'command|list', 'command|docs', 'command|info', 'latency|doctor', 'latency|latest', 'latency|history', 'latency|graph',
  'role', 'acl|list', 'acl|users', 'acl|getuser', 'acl|log', 'acl|genpass', 'memory|purge', 'randomkey',
  'hello', 'lolwut', 'latency|reset', 'function|stats', 'function|dump', 'xinfo|stream', 'xinfo|consumers', 'client|trackinginfo', 'module|list',
]);

/** Commands whose timeout arguments bounded.ts draws: a mutation could turn one into 0 (forever). */
const NO_MUTATION = new Set(['wait', 'client|pause', 'failover', 'xread', 'xreadgroup']);

/** Generated arguments that would make redis-server allocate without bound (issue 12 says leave them out). */
function unbounded(spec: CommandSpec, argv: (string | Buffer)[]): boolean {
  const nums = argv.slice(spec.prefix.length).map((a) => Number(String(a))).filter((n) => Number.isFinite(n));
  if (['hrandfield', 'srandmember', 'zrandmember'].includes(spec.fullName)) return nums.some((n) => n < -1000);
  if (['setrange', 'setbit', 'bitfield', 'bitfield_ro', 'getrange', 'lpos'].includes(spec.fullName)) return nums.some((n) => Math.abs(n) > 1 << 20);
  return false;
}

function tokenCase(r: Rng, t: string): string {
  return r.chance(0.2) ? t.toLowerCase() : t;
}

function genArg(r: Rng, spec: CommandSpec, a: ArgSpec, out: (string | Buffer)[]): void {
  const bounded = a.kind === 'oneof' || a.kind === 'block' || a.kind === 'pure-token' ? undefined : boundedValue(r, spec, a);
  if (bounded !== undefined) {
    out.push(bounded);
    return;
  }
  switch (a.kind) {
    case 'key': out.push(r.chance(0.9) ? r.pick(KEYS) : string(r)); break;
    case 'integer': case 'unix-time': out.push(integer(r)); break;
    case 'double': out.push(double(r)); break;
    case 'pattern': out.push(pattern(r)); break;
    case 'string': out.push(r.chance(0.1) ? r.pick(KEYS) : string(r)); break;
    case 'pure-token': break;
    case 'oneof': if (a.args.length) genOne(r, spec, r.pick(a.args), out); break;
    case 'block': for (const c of a.args) genOne(r, spec, c, out); break;
  }
}

function genOne(r: Rng, spec: CommandSpec, a: ArgSpec, out: (string | Buffer)[]): void {
  if (a.optional && r.chance(0.5)) return;
  const times = a.multiple ? 1 + r.int(r.chance(0.1) ? 6 : 3) : 1;
  for (let i = 0; i < times; i++) {
    if (a.token && (i === 0 || a.multipleToken)) out.push(tokenCase(r, a.token));
    genArg(r, spec, a, out);
  }
}

/** One command: its documented shape, then sometimes a mutation (drop, repeat, swap, junk). */
export function genCommand(r: Rng, spec: CommandSpec): (string | Buffer)[] {
  const body: (string | Buffer)[] = [];
  for (const a of spec.args) genOne(r, spec, a, body);
  if (r.chance(0.25) && body.length > 0 && !spec.flags.has('blocking') && !NO_MUTATION.has(spec.fullName)) {
    const i = r.int(body.length);
    switch (r.int(5)) {
      case 0: body.splice(i, 1); break;
      case 1: body.splice(i, 0, body[i]); break;
      case 2: { const j = r.int(body.length); [body[i], body[j]] = [body[j], body[i]]; break; }
      case 3: body[i] = integer(r); break;
      default: body.push(...body.slice(i)); break; // options repeated, out of order
    }
  }
  return finishArgv(spec, [...spec.prefix, ...body]);
}

function typeOf(r: Reply): string {
  return r.t === 'bulk' && r.v === null ? 'null' : r.t === 'array' && r.v === null ? 'null-array' : r.t;
}

/** Replies Redis builds by walking a dict (its order follows the process's random hash seed), without the tip that says so. */
const DICT_ORDER = new Set(['function|list']);
/** The same for a binary payload: FUNCTION DUMP's libraries come in dict order, so only its length compares. */
const DICT_ORDER_PAYLOAD = new Set(['function|dump']);
const UNSUBSCRIBE_ALL = new Set(['unsubscribe', 'punsubscribe', 'sunsubscribe']);
const sortedDeep = (r: Reply): unknown => (r.t === 'array' && r.v ? r.v.map((x) => JSON.stringify(sortedDeep(x))).sort() : r);

/** EXEC's reply compared item by item as each queued command's own reply would be (ACL LOG's ages,
 * CLIENT LIST's ids...), when the queue is known and matches the reply's length. */
function comparableExec(queued: CommandSpec[] | null, r: Reply): string {
  if (!queued || r.t !== 'array' || !r.v || r.v.length !== queued.length) return JSON.stringify(r);
  return JSON.stringify(r.v.map((x, i) => comparable(queued[i], x)));
}

/** The MULTI queue after a command both servers answered: opened by MULTI, grown by QUEUED, ended otherwise. */
function nextQueue(queued: CommandSpec[] | null, spec: CommandSpec, redis: Reply, engine: Reply): CommandSpec[] | null {
  const ok = (r: Reply, v: string) => r.t === 'simple' && r.v === v;
  if (spec.fullName === 'multi') return ok(redis, 'OK') && ok(engine, 'OK') ? [] : queued;
  if (queued && ok(redis, 'QUEUED') && ok(engine, 'QUEUED')) return [...queued, spec];
  // An error inside MULTI (a wrong arity) leaves the transaction open but marked to abort; anything else ends it.
  return queued && redis.t === 'error' && engine.t === 'error' && !['exec', 'discard', 'reset'].includes(spec.fullName) ? queued : null;
}

/** 300 characters of a compared reply around where it first differs from the other's (long replies differ late). */
function around(x: string, other: string): string {
  let i = 0;
  while (i < x.length && x[i] === other[i]) i++;
  const from = Math.max(0, Math.min(i - 100, x.length - 300));
  return (from > 0 ? '…' : '') + x.slice(from, from + 300);
}

/** The reply as compared: full, by type, or with order ignored, as the command's tips say. */
function comparable(spec: CommandSpec, r: Reply): string {
  if (r.t === 'error') return JSON.stringify(r);
  if (DICT_ORDER.has(spec.fullName)) return JSON.stringify(sortedDeep(r));
  if (DICT_ORDER_PAYLOAD.has(spec.fullName) && r.t === 'bulk' && r.v !== null) return JSON.stringify({ t: r.t, length: r.v.length });
  if (UNSUBSCRIBE_ALL.has(spec.fullName) && r.t === 'array' && r.v) {
    // Without arguments Redis walks the client's channel dict: the names come in any order, the counts count down.
    const items = r.v.map((x) => (x.t === 'array' && x.v ? x.v : [x]));
    return JSON.stringify({ names: items.map((x) => JSON.stringify(x.slice(0, 2))).sort(), counts: items.map((x) => JSON.stringify(x[2])) });
  }
  if (BY_TYPE.has(spec.fullName) || spec.tips.has('nondeterministic_output')) return typeOf(r);
  if (spec.tips.has('nondeterministic_output_order') && (r.t === 'array' || r.t === 'set') && r.v) {
    return JSON.stringify({ t: r.t, v: r.v.map((x) => JSON.stringify(x)).sort() });
  }
  return JSON.stringify(r);
}

export interface CommandFuzzOptions {
  seed: number;
  sequences: number;
  commandsPerSequence: number;
  redisPort: number;
  enginePort: number;
  /** Stop starting sequences after this many ms (0: no limit). */
  budgetMs?: number;
  progress?: (line: string) => void;
}

export interface DiffGroup {
  count: number;
  examples: string[];
}

export interface CommandFuzzReport {
  sequences: number;
  commands: number;
  engineExits: string[];
  hangs: string[];
  internalErrors: string[];
  redisTimeouts: string[];
  diffs: Map<string, DiffGroup>;
  /** Commands the engine does not implement (skipped). */
  unknown: Set<string>;
}

const show = (argv: (string | Buffer)[]) => argv.map((a) => (Buffer.isBuffer(a) ? `<${a.toString('hex')}>` : JSON.stringify(a).slice(0, 60))).join(' ');

function addDiff(report: CommandFuzzReport, name: string, example: string): void {
  const g = report.diffs.get(name) ?? { count: 0, examples: [] };
  g.count++;
  if (g.examples.length < 3) g.examples.push(example);
  report.diffs.set(name, g);
}

/** Sends a pipeline then PING <marker>; every reply up to the marker's, as one array reply. */
async function exchange(c: RespClient, argvs: (string | Buffer)[][], marker: string): Promise<Reply> {
  for (const a of argvs) c.writeRaw(encodeCommand(a));
  c.writeRaw(encodeCommand(['PING', marker]));
  const out: Reply[] = [];
  for (;;) {
    const r = await c.next(5000);
    if (JSON.stringify(r).includes(marker)) return { t: 'array', v: out };
    out.push(r);
    // Inside MULTI every command answers once (QUEUED or an error), the marker's PING too.
    if (out.length === argvs.length + 1 && out.every((x) => x.t === 'error' || (x.t === 'simple' && x.v === 'QUEUED'))) return { t: 'array', v: out };
  }
}

export async function runCommandFuzz(o: CommandFuzzOptions): Promise<CommandFuzzReport> {
  const report: CommandFuzzReport = { sequences: 0, commands: 0, engineExits: [], hangs: [], internalErrors: [], redisTimeouts: [], diffs: new Map(), unknown: new Set() };
  const r = new Rng(o.seed);
  const engineArgs = ['--enable-debug-command', 'yes'];
  let redis: Proc = await startRedis(o.redisPort);
  let engine: Proc = await startEngine(o.enginePort, { args: engineArgs, expectInternalErrors: true });
  const specsClient = await RespClient.connect(o.redisPort);
  // FUZZ_ONLY=zadd,zrange,object,...: only these commands (and their subcommands), to aim a run at a change.
  const only = process.env.FUZZ_ONLY ? new Set(process.env.FUZZ_ONLY.toLowerCase().split(',')) : null;
  const specs = (await loadSpecs(specsClient)).filter((s) => !EXCLUDED.has(s.fullName) && !EXCLUDED.has(s.prefix[0].toLowerCase()) && (!only || only.has(s.prefix[0].toLowerCase())));
  specsClient.close();
  const started = Date.now();
  let seenInternal = 0;
  try {
    for (let seq = 0; seq < o.sequences; seq++) {
      if (o.budgetMs && Date.now() - started > o.budgetMs) break;
      const rc = await RespClient.connect(o.redisPort);
      const ec = await RespClient.connect(o.enginePort);
      const history: string[] = [];
      /** The commands queued since MULTI (both servers answered alike), to compare EXEC's replies by their rules. */
      let queued: CommandSpec[] | null = null;
      let restartEngine = false;
      let restartRedis = false;
      try {
        for (const argv of PRELUDE) await Promise.all([rc.call(argv, 5000), ec.call(argv, 5000)]);
        for (let n = 0; n < o.commandsPerSequence; n++) {
          const spec = r.pick(specs);
          if (report.unknown.has(spec.fullName)) continue;
          const argv = genCommand(r, spec);
          if (unbounded(spec, argv)) continue;
          history.push(show(argv));
          report.commands++;
          const marker = `fz-marker-${seq}-${n}`;
          // Inside MULTI every command (the marker PING too) answers one QUEUED: no exchange to wait out.
          const multiReply = MULTI_REPLY.has(spec.fullName) && queued === null;
          const send = (c: RespClient) => (multiReply ? exchange(c, pipelineFor(spec, argv), marker) : c.call(argv, 5000));
          const [rr, er] = await Promise.allSettled([send(rc), send(ec)]);
          if (er.status === 'rejected' && rr.status === 'rejected') {
            // Both blocked or both closed the connection: the input, not the engine (a generator to bound).
            if (!(rc.closed && ec.closed)) report.redisTimeouts.push(`${show(argv)} (both servers)`);
            break;
          }
          if (er.status === 'rejected') {
            const exited = engine.child.exitCode !== null || engine.child.signalCode !== null;
            const what = `${show(argv)}\n    after: ${history.slice(-6, -1).join(' | ')}`;
            (exited ? report.engineExits : report.hangs).push(what);
            restartEngine = true;
            break;
          }
          if (rr.status === 'rejected') {
            report.redisTimeouts.push(show(argv));
            restartRedis = true;
            break;
          }
          // QUIT (or a kill) answers, then closes: wait for the close before comparing who closed.
          if (argv[0] === 'QUIT' || spec.fullName === 'client|kill') await Promise.all([rc.waitClosed(200).catch(() => undefined), ec.waitClosed(200).catch(() => undefined)]);
          const e = er.value;
          if (e.t === 'error' && /^ERR unknown (command|subcommand) '/.test(e.v) && !(rr.value.t === 'error' && rr.value.v === e.v)) {
            report.unknown.add(spec.fullName);
            continue;
          }
          const a = spec.fullName === 'exec' ? comparableExec(queued, rr.value) : comparable(spec, rr.value);
          const b = spec.fullName === 'exec' ? comparableExec(queued, e) : comparable(spec, e);
          queued = nextQueue(queued, spec, rr.value, e);
          // FUZZ_FULL_HISTORY=1 shows the whole sequence before a difference (to replay it by hand).
          const before = process.env.FUZZ_FULL_HISTORY ? history.slice(0, -1) : history.slice(-9, -1);
          if (a !== b) addDiff(report, spec.fullName, `${show(argv)}\n      redis:  ${around(a, b)}\n      engine: ${around(b, a)}\n      after:  ${before.join(' | ')}`);
          if (rc.closed !== ec.closed) addDiff(report, spec.fullName, `${show(argv)}: connection closed by ${rc.closed ? 'redis-server' : 'the engine'} only`);
          if (rc.closed || ec.closed) break;
        }
        if (!restartEngine) {
          // A fresh connection: this one may be subscribed, paused, closed or logged in as a fuzzed ACL user.
          const count = (await internalErrorCount(o.enginePort, '127.0.0.1', 5000).catch(() => null)) ?? seenInternal;
          if (count > seenInternal) {
            report.internalErrors.push(`sequence ${seq} (seed ${o.seed}): ${count - seenInternal} internal error(s); last commands: ${history.slice(-5).join(' | ')}\n${engine.output().split('\n').filter((l) => l.includes('Internal error')).slice(-1).join('\n')}`);
            seenInternal = count;
          }
        }
      } finally {
        rc.close();
        ec.close();
      }
      report.sequences++;
      if (restartEngine) {
        await engine.stop().catch(() => undefined);
        engine = await startEngine(o.enginePort, { args: engineArgs, expectInternalErrors: true });
        seenInternal = 0;
      }
      if (restartRedis) {
        await redis.stop();
        redis = await startRedis(o.redisPort);
      }
      if (o.progress && seq % 50 === 49) o.progress(`${seq + 1} sequences, ${report.commands} commands, ${report.diffs.size} commands differ, exits ${report.engineExits.length}, hangs ${report.hangs.length}, internal ${report.internalErrors.length}`);
    }
  } finally {
    await engine.stop().catch(() => undefined);
    await redis.stop();
  }
  return report;
}

/** The report as text, differences grouped by command (most first). */
export function formatCommandReport(rep: CommandFuzzReport): string {
  const lines = [`command fuzz: ${rep.sequences} sequences, ${rep.commands} commands; engine exits ${rep.engineExits.length}, hangs ${rep.hangs.length}, internal errors ${rep.internalErrors.length}, redis-server timeouts ${rep.redisTimeouts.length}`];
  for (const [k, xs] of [['engine exits', rep.engineExits], ['hangs', rep.hangs], ['internal errors', rep.internalErrors], ['redis-server timeouts (excluded inputs?)', rep.redisTimeouts]] as const) {
    if (xs.length) lines.push(`${k}:`, ...xs.slice(0, 10).map((x) => `  ${x}`));
  }
  const groups = [...rep.diffs].sort((a, b) => b[1].count - a[1].count);
  lines.push(`reply differences in ${groups.length} commands:`);
  for (const [name, g] of groups) lines.push(`  ${name} (${g.count})`, ...g.examples.map((e) => `    ${e}`));
  if (rep.unknown.size) lines.push(`not implemented by the engine (skipped): ${[...rep.unknown].sort().join(' ')}`);
  return lines.join('\n');
}
