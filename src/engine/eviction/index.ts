// maxmemory: before each command (dispatch guard, order 20) evict keys by maxmemory-policy while
// used memory is over the limit, and refuse denyoom commands with Redis's OOM error when nothing
// more can be evicted (or the policy is noeviction). Candidates are sampled maxmemory-samples at a
// time from a rotating live iterator per db, as Redis samples its dict.
import type { GuardEntry } from '../dispatch.js';
import type { CommandHook } from '../hooks.js';
import type { Server } from '../server.js';
import type { Db } from '../store/db.js';
import { keyBuf, unpack, type RedisValue } from '../store/types.js';
import { AccessTracker } from './access.js';
import { memoryMeter } from './meter.js';
import { notifyKeyspaceEvent } from '../pubsub/notify.js';

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
/** Keys evicted per command at most, so one command never stalls the loop (Redis's tenacity). */
const MAX_EVICT_PER_CALL = 2000;
const KEY_OVERHEAD = 80;

type Policy = 'noeviction' | 'allkeys-lru' | 'volatile-lru' | 'allkeys-lfu' | 'volatile-lfu' | 'allkeys-random' | 'volatile-random' | 'volatile-ttl';

function valueSize(v: unknown): number {
  if (typeof v === 'string' || Buffer.isBuffer(v)) return v.length;
  return (v as { memoryUsage(): number }).memoryUsage();
}

export function installEviction(srv: Server): void {
  memoryMeter.resetBaseline();
  const access = new AccessTracker();
  let maxmemory = srv.config.int('maxmemory');
  let policy = srv.config.get('maxmemory-policy') as Policy;
  srv.config.onChange('maxmemory', (v) => {
    maxmemory = Number(v);
    srv.dispatch.arm(oomGuard, maxmemory !== 0);
    syncTouchHook();
  });
  srv.config.onChange('maxmemory-policy', (v) => {
    policy = v as Policy;
    access.clear();
    syncTouchHook();
  });
  const bindInt = (name: string, set: (n: number) => void) => {
    set(srv.config.int(name));
    srv.config.onChange(name, (v) => set(Number(v)));
  };
  bindInt('lfu-log-factor', (n) => (access.logFactor = n));
  bindInt('lfu-decay-time', (n) => (access.decayMinutes = n));

  const cursors = new WeakMap<Db, { all?: Iterator<string>; vol?: Iterator<string> }>();
  /** Up to n keys from a rotating iterator over the db's keys (or only those with a TTL). */
  const sample = (db: Db, volatile: boolean, n: number): string[] => {
    let c = cursors.get(db);
    if (!c) cursors.set(db, (c = {}));
    const source = volatile ? db.expires : db.data;
    const out: string[] = [];
    let restarted = false;
    while (out.length < n && source.size > 0) {
      const it = (volatile ? c.vol : c.all) ?? source.keys();
      const r = it.next();
      if (r.done) {
        if (restarted) break;
        restarted = true;
        if (volatile) c.vol = undefined;
        else c.all = undefined;
        continue;
      }
      if (volatile) c.vol = it;
      else c.all = it;
      out.push(r.value);
    }
    return out;
  };

  /**
   * The object a key's LRU/LFU metadata hangs on. The WeakMap needs an object, so a packed string
   * (store/types.ts) is unpacked in place the first time it is tracked.
   */
  const tracked = (db: Db, key: string): RedisValue | undefined => {
    const v = db.data.get(key);
    if (typeof v !== 'string') return v;
    const obj = unpack(v);
    db.data.set(key, obj);
    return obj;
  };

  /** Higher is a better victim. */
  const rank = (db: Db, key: string, now: number): number => {
    const v = tracked(db, key) as RedisValue;
    if (policy.endsWith('lru')) return access.idle(v, now);
    if (policy.endsWith('lfu')) return 255 - access.frequency(v, now);
    if (policy === 'volatile-ttl') return -(db.expires.get(key) ?? Infinity);
    return 0;
  };

  const evictOne = (): boolean => {
    const volatile = policy.startsWith('volatile');
    const n = Math.max(1, srv.config.int('maxmemory-samples'));
    const now = Date.now();
    let best: { db: Db; key: string; score: number } | null = null;
    for (const db of srv.dbs) {
      for (const key of sample(db, volatile, n)) {
        if (!db.data.has(key)) continue;
        const score = rank(db, key, now);
        if (!best || score > best.score) best = { db, key, score };
      }
      if (best && policy.endsWith('random')) break;
    }
    if (!best) return false;
    const { db, key } = best;
    const size = key.length + valueSize(db.data.get(key)) + KEY_OVERHEAD;
    db.delete(key);
    srv.stats.evictedKeys++;
    notifyKeyspaceEvent(srv, 'e', 'evicted', keyBuf(key), db.id);
    memoryMeter.noteFreed(size);
    srv.propagate(db.id, [Buffer.from('DEL'), keyBuf(key)], false);
    srv.signalKeyAsReady(db, key);
    return true;
  };

  /** True when memory is within the limit (after evicting what the policy allows). */
  const performEvictions = (): boolean => {
    if (maxmemory === 0) return true;
    if (srv.isReplica && srv.config.bool('replica-ignore-maxmemory')) return true;
    if (srv.writesPaused) return true; // CLIENT PAUSE: nothing is evicted (Redis skips eviction while paused)
    if (memoryMeter.used() <= maxmemory) return true;
    if (memoryMeter.collect(Date.now()) && memoryMeter.used() <= maxmemory) return true;
    if (policy === 'noeviction') return false;
    for (let i = 0; i < MAX_EVICT_PER_CALL; i++) {
      if (!evictOne()) return false;
      if (memoryMeter.used() <= maxmemory) return true;
    }
    return true;
  };

  // Armed only with a maxmemory: without one it refuses nothing and evicts nothing.
  const oomGuard: GuardEntry = {
    order: 20,
    name: 'oom',
    guard: (c, cmd) => {
      if (maxmemory === 0 || c.isMaster) return null;
      const ok = performEvictions();
      return !ok && cmd.denyOom ? OOM : null;
    },
    armed: maxmemory !== 0,
  };
  srv.dispatch.addGuard(oomGuard);

  // The LRU/LFU stamps eviction reads: on the afterCommand list only while maxmemory is set with an
  // LRU or LFU policy (a hook that returns at once still cost a call per command).
  const touchKeys: CommandHook = (c, cmd, call) => {
    const lru = policy.endsWith('lru');
    const now = Date.now();
    const argv = call.argv;
    for (const p of cmd.keyPositions(argv)) {
      const v = tracked(c.db, argv[p].latin1Slice(0, argv[p].length));
      if (v === undefined) continue;
      if (lru) access.touchLru(v, now);
      else access.touchLfu(v, now);
    }
  };
  let touching = false;
  function syncTouchHook(): void {
    const want = maxmemory !== 0 && (policy.endsWith('lru') || policy.endsWith('lfu'));
    if (want === touching) return;
    touching = want;
    const hooks = srv.hooks.afterCommand;
    if (want) hooks.push(touchKeys);
    else hooks.splice(hooks.indexOf(touchKeys), 1);
  }
  syncTouchHook();
}
