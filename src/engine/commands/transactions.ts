// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. Dispatch queues commands while client.multi is
// set and flags the transaction when a queued command is rejected; EXEC re-checks the guards, runs the
// queue and hands the writes to AOF/replicas as one MULTI ... EXEC unit.
import { execAclError } from '../acl/check.js';
import type { Client } from '../client.js';
import type { Db } from '../store/db.js';
import type { Server } from '../server.js';
import type { CommandDef } from './table.js';
import { keyStr } from '../store/types.js';

const EXECABORT_PREVIOUS = 'EXECABORT Transaction discarded because of previous errors.';

/** The reply for a transaction rejected at EXEC time (Redis drops the "ERR " of the cause). */
export function execAbortError(err: string): string {
  return 'EXECABORT Transaction discarded because of: ' + (err.startsWith('ERR ') ? err.slice(4) : err);
}

function watchKey(c: Client, key: string): void {
  const db = c.db;
  if (c.watching.some((w) => w.db === db && w.key === key)) return;
  let watchers = db.watched.get(key);
  if (!watchers) db.watched.set(key, (watchers = new Set()));
  watchers.add(c.watchFlag);
  c.watching.push({ db, key, live: isLive(db, key) });
}

/** In the keyspace and not past its TTL (without deleting it: WATCH and EXEC only look). */
function isLive(db: Db, key: string): boolean {
  if (!db.data.has(key)) return false;
  const at = db.expires.get(key);
  return at === undefined || at > Date.now();
}

/**
 * Redis 7.0 aborts EXEC when a key that was live at WATCH time has expired since, whether or not
 * anything touched it (an expiry deletes without dirtying watchers here, so a live key that is
 * gone without a touch also went by expiry).
 */
function watchedKeyExpired(c: Client): boolean {
  return c.watching.some((w) => w.live === true && !isLive(w.db, w.key));
}

function unwatchAll(c: Client): void {
  for (const { db, key } of c.watching) {
    const watchers = db.watched.get(key);
    if (!watchers) continue;
    watchers.delete(c.watchFlag);
    if (watchers.size === 0) db.watched.delete(key);
  }
  c.watching.length = 0;
  c.watchFlag.dirtyCas = false;
}

/** Leaves MULTI and forgets WATCHed keys (EXEC, DISCARD, an aborted EXEC, RESET, disconnect). */
export function discardTransaction(c: Client): void {
  c.multi = null;
  unwatchAll(c);
}

/** Client cleanup on disconnect and RESET. */
export function installTransactions(srv: Server): void {
  srv.hooks.clientClose.push(discardTransaction);
  srv.hooks.clientReset.push(discardTransaction);
}

/**
 * Like Redis's processCommand for EXEC, which checks OOM/READONLY/MISCONF... against the flags of the
 * queued commands: a guard that now refuses one of them aborts the whole transaction. The cluster guard
 * (order 10) already ran at queue time and is not repeated (it may consume ASKING).
 */
function guardError(srv: Server, c: Client): string | null {
  for (const { cmd, argv } of c.multi?.queue ?? []) {
    for (const g of srv.dispatch.guards) {
      if (g.order <= 10) continue;
      const err = g.guard(c, cmd, argv);
      if (err !== null) return err;
    }
  }
  return null;
}

export const transactionCommands: CommandDef[] = [
  {
    name: 'multi',
    handler({ client: c, reply }) {
      if (c.multi) return reply.error('ERR MULTI calls can not be nested');
      c.multi = { queue: [], error: false };
      reply.ok();
    },
  },
  {
    name: 'exec',
    handler(ctx) {
      const { srv, client: c, reply } = ctx;
      ctx.propagate = []; // the queued commands propagate themselves, wrapped below
      const m = c.multi;
      if (!m) return reply.error('ERR EXEC without MULTI');
      const refused = guardError(srv, c);
      if (refused !== null) {
        discardTransaction(c);
        srv.stats.rejectedCalls++;
        return reply.error(execAbortError(refused));
      }
      if (m.error || c.watchFlag.dirtyCas || watchedKeyExpired(c)) {
        discardTransaction(c);
        return m.error ? reply.error(EXECABORT_PREVIOUS) : reply.nullArray();
      }
      unwatchAll(c);
      reply.array(m.queue.length);
      // c.multi stays set while the queue runs: blocking commands see it and do not block.
      srv.propagation.beginBatch();
      try {
        for (const { cmd, argv } of m.queue) {
          const denied = execAclError(srv, c, cmd, argv);
          if (denied !== null) reply.error(denied);
          else srv.dispatch.call(c, cmd, argv);
        }
      } finally {
        c.multi = null;
        srv.propagation.endBatch();
      }
    },
  },
  {
    name: 'discard',
    handler({ client: c, reply }) {
      if (!c.multi) return reply.error('ERR DISCARD without MULTI');
      discardTransaction(c);
      reply.ok();
    },
  },
  {
    name: 'watch',
    handler({ client: c, reply, argv }) {
      if (c.multi) return reply.error('ERR WATCH inside MULTI is not allowed');
      for (let i = 1; i < argv.length; i++) watchKey(c, keyStr(argv[i]));
      reply.ok();
    },
  },
  {
    name: 'unwatch',
    handler({ client: c, reply }) {
      unwatchAll(c);
      reply.ok();
    },
  },
];
