// Client-side caching (Redis 7.0's tracking.c behaviour): which client read which key, and the
// invalidation messages when a key changes — RESP3 `invalidate` pushes, or `__redis__:invalidate`
// messages on a RESP2 redirect connection in pub/sub mode. BCAST clients get every key under their
// prefixes once per event-loop turn. Keys are tracked by name across databases, as Redis does.
import type { Client } from '../client.js';
import type { Command } from '../commands/table.js';
import type { Server } from '../server.js';
import { keyStr } from '../store/types.js';

export interface ClientTracking {
  /** Client id that receives the invalidations (0: the client itself). */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING yes/no was given for the next command. */
  caching: boolean;
  brokenRedirect: boolean;
  /** BCAST prefixes (latin1), sorted as Redis's radix tree lists them. */
  prefixes: string[];
}

interface Prefix {
  clients: Set<Client>;
  /** Keys changed under the prefix since the last broadcast, with the client that changed them first. */
  keys: Map<string, Client | null>;
}

const CHANNEL = '__redis__:invalidate';

export class Tracker {
  /** key -> ids of the clients that may cache it. */
  readonly table = new Map<string, Set<number>>();
  items = 0;
  readonly prefixes = new Map<string, Prefix>();
  clients = 0;
  /** The client whose command is running (its own invalidations wait until its reply is written). */
  private current: Client | null = null;
  private pending: (string | null)[] = [];
  private hooked = false;
  private broadcastHooked = false;

  constructor(private readonly srv: Server) {}

  /** Keys, flushes and commands reach the tracker only once some client turned tracking on (no cost before). */
  private hook(): void {
    if (this.hooked) return;
    this.hooked = true;
    const srv = this.srv;
    for (const db of srv.dbs) {
      db.onModified = (key) => this.invalidate(key);
      db.onFlushed = () => this.flushed();
    }
    srv.hooks.beforeCall.push((c) => {
      if (srv.dispatch.depth === 1) this.begin(c);
    });
    srv.hooks.afterCommand.push((c, cmd, call) => {
      if (c.tracking !== null && cmd.flags.has('readonly')) this.remember(c, cmd, call.argv);
      if (srv.dispatch.depth !== 0) return;
      if (c.tracking !== null && !c.multi && (cmd.parent ?? cmd).name !== 'client') c.tracking.caching = false;
      this.end(c);
    });
  }

  enable(c: Client, redirect: number, opts: { bcast: boolean; optin: boolean; optout: boolean; noloop: boolean }, prefixes: string[]): void {
    this.hook();
    if (!c.tracking) {
      this.clients++;
      c.tracking = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, caching: false, brokenRedirect: false, prefixes: [] };
    }
    const t = c.tracking;
    Object.assign(t, { redirect, bcast: false, optin: opts.optin, optout: opts.optout, noloop: opts.noloop, brokenRedirect: false });
    if (opts.bcast) {
      t.bcast = true;
      if (!this.broadcastHooked) {
        this.broadcastHooked = true;
        this.srv.hooks.beforeFlush.push(() => this.broadcast());
      }
      for (const p of prefixes.length === 0 ? [''] : prefixes) {
        let entry = this.prefixes.get(p);
        if (!entry) this.prefixes.set(p, (entry = { clients: new Set(), keys: new Map() }));
        entry.clients.add(c);
        if (!t.prefixes.includes(p)) t.prefixes.push(p);
      }
      t.prefixes.sort();
    }
  }

  disable(c: Client): void {
    const t = c.tracking;
    if (!t) return;
    for (const p of t.prefixes) {
      const entry = this.prefixes.get(p);
      if (entry && entry.clients.delete(c) && entry.clients.size === 0) this.prefixes.delete(p);
    }
    c.tracking = null;
    this.clients--;
  }

  /** After a read-only command: remember that the client may now cache its keys. */
  remember(c: Client, cmd: Command, argv: Buffer[]): void {
    const t = c.tracking;
    if (!t || t.bcast) return;
    if ((t.optin && !t.caching) || (t.optout && t.caching)) return;
    if (cmd.flags.has('pubsub')) return;
    for (const pos of cmd.keyPositions(argv)) {
      const key = keyStr(argv[pos]);
      let ids = this.table.get(key);
      if (!ids) this.table.set(key, (ids = new Set()));
      if (!ids.has(c.id)) {
        ids.add(c.id);
        this.items++;
      }
    }
  }

  /** A key changed (Redis's trackingInvalidateKey): its trackers are told once, then forgotten. */
  invalidate(key: string, bcast = true): void {
    if (bcast && this.prefixes.size > 0) {
      for (const [p, entry] of this.prefixes) if (key.startsWith(p) && !entry.keys.has(key)) entry.keys.set(key, this.current);
    }
    const ids = this.table.get(key);
    if (!ids) return;
    for (const id of ids) {
      const target = this.srv.clients.get(id);
      if (!target || !target.tracking || target.tracking.bcast) continue;
      if (target.tracking.noloop && target === this.current) continue;
      if (target === this.current) this.pending.push(key);
      else this.send(target, key);
    }
    this.items -= ids.size;
    this.table.delete(key);
  }

  /** FLUSHDB / FLUSHALL / a full resync: every tracking client is told to drop everything (null). */
  private flushed(): void {
    // FLUSHALL empties every db: one message per command (or per turn for flushes outside commands).
    if (this.flushSent) return;
    this.flushSent = true;
    if (this.current === null) queueMicrotask(() => (this.flushSent = false));
    for (const c of this.srv.clients.values()) {
      if (!c.tracking) continue;
      if (c === this.current) this.pending.push(null);
      else this.send(c, null);
    }
    this.table.clear();
    this.items = 0;
  }

  private flushSent = false;

  /** Writes one invalidation (a key, or null for a flush) for the tracking client `c`. */
  send(c: Client, key: string | string[] | null): void {
    let to = c;
    const t = c.tracking;
    if (t && t.redirect !== 0) {
      const redir = this.srv.clients.get(t.redirect);
      if (!redir) {
        t.brokenRedirect = true;
        if (c.reply.resp === 3) {
          c.reply.push(2);
          c.reply.bulk('tracking-redir-broken');
          c.reply.int(t.redirect);
          this.srv.scheduleFlush(c);
        }
        return;
      }
      to = redir;
    }
    const r = to.reply;
    if (r.resp === 3) {
      r.push(2);
      r.bulk('invalidate');
    } else if (to !== c && to.subscriptionCount + to.shardChannels.size > 0) {
      r.push(3);
      r.bulk('message');
      r.bulk(CHANNEL);
    } else return;
    if (key === null) r.raw(c.reply.resp === 3 ? '_\r\n' : '$-1\r\n');
    else {
      const keys = typeof key === 'string' ? [key] : key;
      r.array(keys.length);
      for (const k of keys) r.bulkLatin1(k);
    }
    this.srv.scheduleFlush(to);
  }

  /** Around each top-level command: who runs, then its own pending invalidations after its reply. */
  begin(c: Client): void {
    this.current = c;
  }

  end(c: Client): void {
    this.current = null;
    this.flushSent = false;
    if (this.pending.length > 0) {
      const keys = this.pending;
      this.pending = [];
      for (const k of keys) this.send(c, k);
    }
    this.limit();
  }

  /** BCAST: every prefix's changed keys go to its clients (NOLOOP clients skip their own changes). */
  broadcast(): void {
    for (const p of [...this.prefixes.keys()].sort()) {
      const entry = this.prefixes.get(p) as Prefix;
      if (entry.keys.size === 0) continue;
      const all = [...entry.keys.keys()].sort();
      for (const c of entry.clients) {
        const keys = c.tracking?.noloop ? all.filter((k) => entry.keys.get(k) !== c) : all;
        if (keys.length > 0) this.send(c, keys);
      }
      entry.keys.clear();
    }
  }

  /** tracking-table-max-keys: the oldest tracked keys are invalidated until the table fits. */
  private limit(): void {
    const max = this.srv.config.int('tracking-table-max-keys');
    if (max === 0 || this.table.size <= max) return;
    for (const key of this.table.keys()) {
      if (this.table.size <= max) break;
      this.invalidate(key, false);
    }
  }
}

const trackers = new WeakMap<Server, Tracker>();

export function trackerOf(srv: Server): Tracker {
  let t = trackers.get(srv);
  if (!t) trackers.set(srv, (t = new Tracker(srv)));
  return t;
}

/** Tracking state goes with the client (close, RESET); the rest hooks in on the first CLIENT TRACKING ON. */
export function installTracking(srv: Server): void {
  const tr = trackerOf(srv);
  srv.hooks.clientClose.push((c) => tr.disable(c));
  srv.hooks.clientReset.push((c) => tr.disable(c));
}
