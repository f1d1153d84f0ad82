// Active expiry, like Redis's activeExpireCycle: each cron tick walks a slice of every db's expires
// map with a persistent iterator, deleting keys whose time has passed, within a time budget
// (25% of the tick at active-expire-effort 1, more with higher effort).
import type { Server } from '../server.js';
import type { Db } from './db.js';

const cursors = new WeakMap<Db, Iterator<[string, number]>>();
const KEYS_PER_LOOP = 20;

export function activeExpireCycle(srv: Server): void {
  if (srv.isReplica) return; // replicas wait for the master's DELs
  const hz = Math.max(1, srv.config.int('hz'));
  const effort = srv.config.int('active-expire-effort');
  const budgetMs = (1000 / hz) * (0.25 + (effort - 1) * 0.05);
  const deadline = performance.now() + budgetMs;
  const now = Date.now();
  for (const db of srv.dbs) {
    if (db.expires.size === 0) continue;
    let it = cursors.get(db) ?? db.expires.entries();
    for (;;) {
      let expired = 0;
      let sampled = 0;
      for (; sampled < KEYS_PER_LOOP; sampled++) {
        const n = it.next();
        if (n.done) {
          it = db.expires.entries();
          break;
        }
        const [key, at] = n.value;
        if (at <= now) {
          db.expireIfNeeded(key);
          expired++;
        }
      }
      // Like Redis: keep going while a quarter of the sample was stale and time remains.
      if (sampled === 0 || expired < sampled / 4 || performance.now() > deadline) break;
    }
    cursors.set(db, it);
    if (performance.now() > deadline) break;
  }
}
