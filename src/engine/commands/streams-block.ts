// XREADGROUP clients blocked on a stream whose key or group goes away are unblocked with Redis's
// errors. Deletions don't signal keys as ready, so after every top-level command the (usually
// empty) set of blocked group readers is checked.
import type { Client } from '../client.js';
import type { Db } from '../store/db.js';
import type { Server } from '../server.js';
import { StreamValue } from '../store/stream.js';
import { keyStr } from '../store/types.js';
import { blockingOf } from '../blocking/registry.js';

interface Watch {
  db: Db;
  keys: string[];
  group: Buffer;
}

const watched = new WeakMap<Server, Map<Client, Watch>>();

function check(srv: Server, all: Map<Client, Watch>): void {
  for (const [c, w] of all) {
    if (c.closed || !c.blocked) {
      all.delete(c);
      continue;
    }
    let error: string | null = null;
    for (const k of w.keys) {
      const v = w.db.get(k);
      if (!(v instanceof StreamValue)) error = 'UNBLOCKED the stream key no longer exists';
      else if (!v.group(w.group)) error = 'NOGROUP the consumer group this client was blocked on no longer exists';
      if (error) break;
    }
    if (!error) continue;
    all.delete(c);
    c.reply.error(error);
    blockingOf(srv).unblock(c);
  }
}

export function watchGroupReader(srv: Server, c: Client, db: Db, keys: Buffer[], group: Buffer): void {
  let all = watched.get(srv);
  if (!all) {
    const m = new Map<Client, Watch>();
    all = m;
    watched.set(srv, m);
    srv.hooks.afterCommand.push(() => {
      if (m.size > 0 && srv.dispatch.depth === 0) check(srv, m);
    });
  }
  all.set(c, { db, keys: keys.map(keyStr), group: Buffer.from(group) });
}
