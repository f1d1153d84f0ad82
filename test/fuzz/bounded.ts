// Generators for commands a blind generator would let block, pause, switch the connection's mode or
// run arbitrary code: their timeouts are drawn small, scripts and libraries come from a pool both
// servers run alike, ACL users and CONFIG parameters from lists that cannot lock the fuzzer out,
// and commands that answer more or less than once are sent as a pipeline closed by a marker PING.
import { createHash } from 'node:crypto';
import type { ArgSpec, CommandSpec } from './spec.js';
import { Rng, integer, string } from './values.js';

/** Timeouts in the units each command reads (seconds or ms): never 0 (forever) unless invalid. */
const SECONDS = ['0.01', '0.02', '0.001', '-1', '-0.5', 'nan', 'abc', '', '1e-3', '0x1p-6', ' 1', '9223372036854775807', '1e308', '1e5000', 'inf', '-inf'];
const MILLIS = ['1', '5', '20', '-1', 'abc', '', '1.5', '-9223372036854775808', '9223372036854775808'];

/** Lua scripts: replies of every type, errors, keys and args, redis.* helpers; none loops long. */
export const SCRIPTS = [
  'return 1', 'return "s"', 'return {1,2,{3,"x"}}', 'return nil', 'return true', 'return false', 'return 3.99', 'return {}',
  "return redis.call('GET', KEYS[1])", "return redis.call('SET', KEYS[1], ARGV[1])", "return redis.pcall('INCR', KEYS[1])",
  "return redis.call('HGETALL', KEYS[1])", "return redis.call('LRANGE', KEYS[1], 0, -1)", "return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')",
  "return redis.error_reply('my error')", "return redis.status_reply('FINE')", "return {err='bad'}", "return {ok='good'}",
  "error('raised')", "return redis.call('nosuchcommand')", "return redis.call()", 'return tonumber(ARGV[1])', 'return #KEYS + #ARGV',
  "redis.setresp(3); return redis.call('HGETALL', KEYS[1])", "return redis.sha1hex(ARGV[1] or '')", 'return ARGV',
  "local s = 0 for i = 1, 1000 do s = s + i end return s", 'return 1 +', "return redis.call('EVAL', 'return 1', 0)",
  "return redis.call('BLPOP', KEYS[1], 0)", "return redis.call('SUBSCRIBE', 'x')", "return redis.call('SPOP', KEYS[1])",
  "#!lua flags=no-writes\nreturn redis.call('SET', KEYS[1], 'v')", "#!lua flags=allow-oom,no-cluster\nreturn 2", '#!lua name=x\nreturn 1',
  '#!notlua\nreturn 1', "return redis.call('OBJECT', 'ENCODING', KEYS[1])", 'return {1, nil, 3}', 'return 2^53 + 1', 'return -0.5',
];

/** Function libraries: valid ones (the prelude loads `fzlib`) and broken ones. */
export const LIBRARIES = [
  "#!lua name=fzlib\nredis.register_function('f1', function(keys, args) return keys end)\nredis.register_function{function_name='f2', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}}",
  "#!lua name=fzlib2\nredis.register_function('g1', function(keys, args) return redis.call('INCR', keys[1]) end)",
  "#!lua name=fzlib\nredis.register_function('f1', function() return 1 end)",
  '#!lua name=bad\nreturn 1', '#!lua\nredis.register_function("x", function() end)', "#!lua name=bad2\nredis.register_function('f1', function() end)",
  "#!lua name=bad3\nredis.call('SET', 'a', 'b')", '#!lua name=bad4\nerror("boom")', 'no shebang', "#!lua name=bad5\nredis.register_function('z', 42)",
  "#!lua name=bad6\nredis.register_function{function_name='h', callback=function() end, flags={'nosuchflag'}}", '#!lua name=a b\n', '#!lua name=bad7 foo=bar\n',
];

const FUNCTIONS = ['f1', 'f2', 'g1', 'nosuch', 'F1', ''];
const USERS = ['fz1', 'fz2', 'default', 'nosuch'];
const RULES = ['on', 'off', 'nopass', '>pw', '<pw', 'resetpass', '#' + 'a'.repeat(64), '+@all', '-@all', '~*', '%R~k*', '%W~k:*', '&*', 'allchannels', 'resetchannels',
  'resetkeys', 'reset', '+get', '-set', '+config|get', '-config|set', '(~k* +get)', '(+set ~x)', 'clearselectors', 'allkeys', 'allcommands', 'nocommands', '+@read', '-@dangerous',
  'sanitize-payload', 'skip-sanitize-payload', '+nosuch', '+@nosuch', '~', '>', '#zz', '(', 'resetkeys ~a', 'on\x00'];
/** CONFIG SET parameters safe to change mid-run (no port, dir, timeout, maxmemory, password...). */
const CONFIG_PARAMS = ['hash-max-listpack-entries', 'hash-max-ziplist-value', 'list-max-listpack-size', 'zset-max-listpack-entries', 'set-max-intset-entries',
  'slowlog-log-slower-than', 'slowlog-max-len', 'latency-monitor-threshold', 'notify-keyspace-events', 'maxmemory-policy', 'hz', 'activerehashing',
  'lazyfree-lazy-user-del', 'client-query-buffer-limit', 'busy-reply-threshold', 'lua-time-limit', 'stream-node-max-entries',
  'list-compress-depth', 'lfu-log-factor', 'lfu-decay-time', 'maxmemory-samples', 'tracking-table-max-keys', 'nosuch-param', 'save', 'appendonly'];
const CONFIG_VALUES = ['0', '1', '128', '-1', '-2', 'yes', 'no', 'allkeys-lru', 'volatile-lfu', 'nosuch', 'KEA', 'Ex', 'x', '', '10%', '101%', '1gb', '5mb', '2147483648',
  '9223372036854775808', '1e3', '"', '3600 1', '3600', 'yes no'];

function pick(r: Rng, xs: readonly string[]): string {
  return r.chance(0.9) ? r.pick(xs) : String(string(r));
}

/** A value for this argument of this command, when the blind one would be unsafe or pointless. */
export function boundedValue(r: Rng, spec: CommandSpec, a: ArgSpec): string | Buffer | undefined {
  const name = spec.fullName;
  if (a.name === 'timeout' && (spec.flags.has('blocking') || name === 'wait' || name === 'client|pause')) {
    return name === 'wait' || name === 'client|pause' ? r.pick(MILLIS) : r.pick(SECONDS);
  }
  if (a.name === 'milliseconds') return r.pick(MILLIS);
  switch (`${name}.${a.name}`) {
    case 'eval.script': case 'eval_ro.script': case 'script|load.script': return pick(r, SCRIPTS);
    case 'evalsha.sha1': case 'evalsha_ro.sha1': return r.chance(0.8) ? sha1(r.pick(SCRIPTS)) : String(string(r));
    case 'script|exists.sha1': return r.chance(0.5) ? sha1(r.pick(SCRIPTS)) : String(string(r));
    case 'fcall.function': case 'fcall_ro.function': return pick(r, FUNCTIONS);
    case 'function|load.function-code': return pick(r, LIBRARIES);
    case 'function|delete.library-name': return pick(r, ['fzlib', 'fzlib2', 'nosuch']);
    case 'acl|setuser.username': case 'acl|deluser.username': return r.pick(USERS.filter((u) => u !== 'default' || name === 'acl|deluser'));
    case 'acl|getuser.username': case 'acl|dryrun.username': return pick(r, USERS);
    case 'acl|setuser.rule': return pick(r, RULES);
    case 'auth.username': return pick(r, USERS);
    case 'auth.password': return pick(r, ['pw', 'wrong', '']);
    case 'config|set.parameter': return r.pick(CONFIG_PARAMS);
    case 'config|set.value': return pick(r, CONFIG_VALUES);
  }
  if (a.name === 'numkeys' && (name.startsWith('eval') || name.startsWith('fcall'))) return r.chance(0.8) ? String(r.int(3)) : integer(r);
  return undefined;
}

function sha1(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

/** Commands whose reply count is not one (pub/sub modes, CLIENT REPLY): sent with a marker PING. */
export const MULTI_REPLY = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe', 'client|reply']);

/** The pipeline to send for a MULTI_REPLY command: CLIENT REPLY OFF/SKIP get a command to swallow and ON after. */
export function pipelineFor(spec: CommandSpec, argv: (string | Buffer)[]): (string | Buffer)[][] {
  if (spec.fullName === 'client|reply') return [argv, ['INCR', 'k:int'], ['GET', 'k:int'], ['CLIENT', 'REPLY', 'ON']];
  return [argv];
}

/** CLIENT KILL with filters must not kill the fuzzer's own connection (both servers would, but the sequence ends). */
export function finishArgv(spec: CommandSpec, argv: (string | Buffer)[]): (string | Buffer)[] {
  if (spec.fullName === 'client|kill' && argv.length > 3 && !argv.some((x) => String(x).toUpperCase() === 'SKIPME')) return [...argv, 'SKIPME', 'yes'];
  return argv;
}
