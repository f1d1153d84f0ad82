// keyspace_hits / keyspace_misses as Redis counts them: every key a read command looks up (Redis's
// lookupKeyRead) is a hit or a miss, counted by Db.getStored while the command runs; write commands'
// lookups (lookupKeyWrite) are not counted, except those Redis reads with lookupKeyRead. Also
// used_memory falling as soon as DEL/UNLINK drop a value, and lazyfreed_objects.
import type { Server } from './server.js';
import type { Command } from './commands/table.js';
import type { StoredValue } from './store/types.js';
import { keyStr } from './store/types.js';
import { memoryMeter } from './eviction/meter.js';

/** Write commands whose source lookups are reads in Redis. */
const WRITE_READERS = new Set(['sort', 'getdel', 'getex', 'pfmerge', 'bitop', 'georadius', 'georadiusbymember', 'geosearchstore', 'xreadgroup', 'xclaim', 'xautoclaim', 'xack']);
/** Read commands that look keys up without touching the statistics. */
const NO_STATS = new Set(['memory|usage', 'debug', 'scan', 'keys', 'randomkey', 'dbsize']);
/** Redis frees values with more than this many elements in the background (LAZYFREE_THRESHOLD). */
const LAZYFREE_THRESHOLD = 64;

export interface LazyfreeStats {
  lazyfreed: number;
}
const LAZY = new WeakMap<Server, LazyfreeStats>();
export const lazyfreeStats = (srv: Server): LazyfreeStats => LAZY.get(srv) ?? { lazyfreed: 0 };

/** Per command, decided once (this runs before every call): does it count hits/misses, is it DEL/UNLINK. */
interface CmdStats {
  counts: boolean;
  deletes: boolean;
}
const BY_CMD = new WeakMap<Command, CmdStats>();
function statsOf(cmd: Command): CmdStats {
  let s = BY_CMD.get(cmd);
  if (s === undefined) {
    s = {
      counts: !NO_STATS.has(cmd.fullName) && (!cmd.isWrite || WRITE_READERS.has(cmd.fullName)),
      deletes: cmd.fullName === 'del' || cmd.fullName === 'unlink',
    };
    BY_CMD.set(cmd, s);
  }
  return s;
}

function elements(v: StoredValue): number {
  if (typeof v === 'string' || Buffer.isBuffer(v)) return 1;
  const x = v as unknown as { size?: number; length?: number };
  return x.size ?? x.length ?? 1;
}

function bytes(v: StoredValue): number {
  return typeof v === 'string' || Buffer.isBuffer(v) ? v.length : v.memoryUsage();
}

export function installKeyspaceStats(srv: Server): void {
  const lazy: LazyfreeStats = { lazyfreed: 0 };
  LAZY.set(srv, lazy);
  // Dbs flagged to count lookups since the last command ended (a pipeline repeats one command: its
  // flags are looked up once, not per call). Nearly always one db: it is held apart from the array
  // (a push and a length reset per read command showed at -P 16).
  let flaggedOne: Server['dbs'][number] | null = null;
  const flagged: Server['dbs'][number][] = [];
  let lastCmd: Command | null = null;
  let lastSt: CmdStats = { counts: false, deletes: false };
  srv.hooks.beforeCall.push((c, cmd, call) => {
    if (cmd !== lastCmd) {
      lastCmd = cmd;
      lastSt = statsOf(cmd);
    }
    const st = lastSt;
    c.db.countLookups = st.counts;
    if (st.counts) {
      if (flaggedOne === null) flaggedOne = c.db;
      else if (flaggedOne !== c.db) flagged.push(c.db);
    }
    if (!st.deletes) return;
    // The values about to be dropped: used_memory must fall now, not at V8's next major GC.
    const lazyDel = cmd.fullName === 'unlink' || srv.config.bool('lazyfree-lazy-user-del');
    let freed = 0;
    const argv = call.argv;
    for (let i = 1; i < argv.length; i++) {
      const v = c.db.data.get(keyStr(argv[i]));
      if (v === undefined) continue;
      freed += bytes(v);
      if (lazyDel && elements(v) > LAZYFREE_THRESHOLD) lazy.lazyfreed++;
    }
    if (freed > 0) memoryMeter.noteFreed(freed);
  });
  srv.hooks.afterCommand.push((c) => {
    // SELECT inside the command may have moved the client: reset every db flagged since.
    c.db.countLookups = false;
    if (flaggedOne === null) return;
    flaggedOne.countLookups = false;
    flaggedOne = null;
    if (flagged.length === 0) return;
    for (const db of flagged) db.countLookups = false;
    flagged.length = 0;
  });
  // Fields Redis tools parse that the engine has no other owner for (values as a server with no
  // background work pending would show them).
  srv.info.extend('memory', () => [['lazyfree_pending_objects', 0]]);
  srv.info.extend('stats', () => [['migrate_cached_sockets', 0], ['lazyfreed_objects', lazy.lazyfreed], ['expired_stale_perc', '0.00'], ['expired_time_cap_reached_count', 0], ['total_forks', 0], ['unexpected_error_replies', 0], ['dump_payload_sanitizations', 0]]);
}
