// OBJECT IDLETIME / OBJECT FREQ for keys given an access history by RESTORE ... IDLETIME n / FREQ n.
// The engine keeps no access clock for every key (that would cost every command a map write), so
// an unstamped key reads as just used (idle 0). A stamped key keeps its stamp through commands that
// only look at it without "using" it (Redis's LOOKUP_NOTOUCH: TTL, TYPE, EXISTS, OBJECT ...); any
// other command naming the key makes it just used again (its LFU counter is kept).
// Stamps are keyed by db and key and remember the stored value they were made for: a key that was
// overwritten or deleted since no longer matches and reads as unstamped.
import type { Server } from '../server.js';
import type { Db } from '../store/db.js';

interface Stamp {
  /** The stored value (object, or packed string) the stamp belongs to. */
  value: unknown;
  /** Last access, ms since the epoch. */
  at: number;
  /** LFU counter given by RESTORE FREQ, or -1. */
  freq: number;
}

/** Commands that look a key up without counting as an access (Redis's LOOKUP_NOTOUCH callers). */
const NO_TOUCH = new Set(['restore', 'ttl', 'pttl', 'expiretime', 'pexpiretime', 'type', 'exists', 'object|idletime', 'object|freq', 'object|encoding', 'object|refcount', 'debug', 'dump']);

const stampsOf = new WeakMap<Server, Map<Db, Map<string, Stamp>>>();

function dbStamps(srv: Server, db: Db, create: boolean): Map<string, Stamp> | undefined {
  let all = stampsOf.get(srv);
  if (!all) {
    if (!create) return undefined;
    stampsOf.set(srv, (all = new Map()));
    installReset(srv, all);
  }
  let m = all.get(db);
  if (!m && create) all.set(db, (m = new Map()));
  return m;
}

/** Any command that uses a stamped key makes it just used again; stale stamps go. */
function installReset(srv: Server, all: Map<Db, Map<string, Stamp>>): void {
  srv.hooks.afterCommand.push((c, cmd, call) => {
    const m = all.get(c.db);
    if (!m || m.size === 0 || NO_TOUCH.has(cmd.fullName)) return;
    const now = Date.now();
    const argv = call.argv;
    for (const p of cmd.keyPositions(argv)) {
      const key = argv[p].latin1Slice(0, argv[p].length);
      const s = m.get(key);
      if (!s) continue;
      if (c.db.data.get(key) !== s.value) m.delete(key);
      else s.at = now;
    }
  });
}

/** RESTORE with IDLETIME (seconds) or FREQ (0..255): stamp the key just stored. */
export function stampRestored(srv: Server, db: Db, key: string, idleSeconds: number, freq: number): void {
  const m = dbStamps(srv, db, true) as Map<string, Stamp>;
  m.set(key, { value: db.data.get(key), at: Date.now() - Math.max(0, idleSeconds) * 1000, freq });
}

function current(srv: Server, db: Db, key: string): Stamp | undefined {
  const m = dbStamps(srv, db, false);
  const s = m?.get(key);
  if (!s) return undefined;
  if (db.data.get(key) !== s.value) {
    m?.delete(key);
    return undefined;
  }
  return s;
}

/** OBJECT IDLETIME in seconds (0 for keys without a stamp). */
export function idleSeconds(srv: Server, db: Db, key: string): number {
  const s = current(srv, db, key);
  return s ? Math.floor((Date.now() - s.at) / 1000) : 0;
}

/** OBJECT FREQ under an LFU policy (0 for keys without a FREQ stamp). */
export function lfuFrequency(srv: Server, db: Db, key: string): number {
  const s = current(srv, db, key);
  return s && s.freq >= 0 ? s.freq : 0;
}
