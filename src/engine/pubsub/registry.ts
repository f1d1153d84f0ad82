// The server's pub/sub state: who listens to which channel, pattern and shard channel, and delivery
// of messages to them (RESP3 clients get `>` pushes, RESP2 clients arrays). Each client mirrors its own
// subscriptions in client.channels / patterns / shardChannels (latin1 strings, like keys).
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import { keyBuf, keyStr } from '../store/types.js';
import { globMatch } from '../util/glob.js';
import { installKeyspaceEvents } from './notify.js';

export type SubKind = 'channel' | 'pattern' | 'shard';

export class PubSubRegistry {
  readonly channels = new Map<string, Set<Client>>();
  /** Pattern -> subscribers; the pattern's bytes are kept beside it for matching. */
  readonly patterns = new Map<string, { bytes: Buffer; clients: Set<Client> }>();
  readonly shardChannels = new Map<string, Set<Client>>();

  constructor(private readonly srv: Server) {}

  /** Adds a subscription; false when the client already had it. */
  add(kind: SubKind, c: Client, name: string): boolean {
    const own = ownSet(c, kind);
    if (own.has(name)) return false;
    own.add(name);
    if (kind === 'pattern') {
      let p = this.patterns.get(name);
      if (!p) this.patterns.set(name, (p = { bytes: keyBuf(name), clients: new Set() }));
      p.clients.add(c);
    } else {
      const map = kind === 'channel' ? this.channels : this.shardChannels;
      let subs = map.get(name);
      if (!subs) map.set(name, (subs = new Set()));
      subs.add(c);
    }
    return true;
  }

  /** Removes a subscription; false when the client did not have it. */
  remove(kind: SubKind, c: Client, name: string): boolean {
    const own = ownSet(c, kind);
    if (!own.delete(name)) return false;
    if (kind === 'pattern') {
      const p = this.patterns.get(name);
      if (p && p.clients.delete(c) && p.clients.size === 0) this.patterns.delete(name);
    } else {
      const map = kind === 'channel' ? this.channels : this.shardChannels;
      const subs = map.get(name);
      if (subs && subs.delete(c) && subs.size === 0) map.delete(name);
    }
    return true;
  }

  /** Forgets every subscription of a client, silently (disconnect, RESET). */
  dropClient(c: Client): void {
    for (const kind of ['channel', 'pattern', 'shard'] as const) {
      for (const name of [...ownSet(c, kind)]) this.remove(kind, c, name);
    }
  }

  /** PUBLISH: channel subscribers get `message`, matching patterns `pmessage`; returns receivers. */
  publish(channel: Buffer, message: Buffer): number {
    let n = 0;
    const subs = this.channels.get(keyStr(channel));
    if (subs) {
      for (const s of subs) this.deliver(s, 'message', [channel, message]);
      n += subs.size;
    }
    for (const p of this.patterns.values()) {
      if (!globMatch(p.bytes, channel)) continue;
      for (const s of p.clients) this.deliver(s, 'pmessage', [p.bytes, channel, message]);
      n += p.clients.size;
    }
    return n;
  }

  /** SPUBLISH: shard channel subscribers get `smessage`. */
  spublish(channel: Buffer, message: Buffer): number {
    const subs = this.shardChannels.get(keyStr(channel));
    if (!subs) return 0;
    for (const s of subs) this.deliver(s, 'smessage', [channel, message]);
    return subs.size;
  }

  private deliver(s: Client, label: string, parts: Buffer[]): void {
    s.reply.pushing(() => {
      s.reply.push(parts.length + 1);
      s.reply.bulk(label);
      for (const p of parts) s.reply.bulk(p);
    });
    this.srv.scheduleFlush(s);
  }
}

export function ownSet(c: Client, kind: SubKind): Set<string> {
  return kind === 'channel' ? c.channels : kind === 'pattern' ? c.patterns : c.shardChannels;
}

const registries = new WeakMap<Server, PubSubRegistry>();

/** The server's registry, created on first use. */
export function pubsubOf(srv: Server): PubSubRegistry {
  let r = registries.get(srv);
  if (!r) registries.set(srv, (r = new PubSubRegistry(srv)));
  return r;
}

/** Drops a client's subscriptions when it disconnects or sends RESET; tracks notify-keyspace-events. */
export function installPubSub(srv: Server): void {
  installKeyspaceEvents(srv);
  const reg = pubsubOf(srv);
  srv.hooks.clientClose.push((c) => reg.dropClient(c));
  srv.hooks.clientReset.push((c) => reg.dropClient(c));
}
