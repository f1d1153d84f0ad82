// Keyspace notifications (`notify-keyspace-events`): families report what happened to a key with
// notifyKeyspaceEvent(srv, class, event, key, dbId); when the class is enabled it is published on
// `__keyspace@<db>__:<key>` (message: the event) and/or `__keyevent@<db>__:<event>` (message: the key).
import type { Server } from '../server.js';
import { pubsubOf } from './registry.js';

/** Event classes: g generic, $ string, l list, s set, h hash, z zset, x expired, e evicted, t stream, d module, n new, m key miss. */
export type NotifyClass = 'g' | '$' | 'l' | 's' | 'h' | 'z' | 'x' | 'e' | 't' | 'd' | 'n' | 'm';

const KEYSPACE = 1 << 0;
const KEYEVENT = 1 << 1;
/** Classes in the order CONFIG GET lists them. */
const CLASSES = 'g$lshzxetdn';
const bit = (ch: string): number => 1 << (2 + 'g$lshzxetdnm'.indexOf(ch));
/** `A`: every class but n (new) and m (key miss). */
const ALL = [...'g$lshzxetd'].reduce((a, ch) => a | bit(ch), 0);

/** Parses a flags string; throws with Redis's message on an unknown character. */
export function parseNotifyFlags(s: string): number {
  let flags = 0;
  for (const ch of s) {
    if (ch === 'A') flags |= ALL;
    else if (ch === 'K') flags |= KEYSPACE;
    else if (ch === 'E') flags |= KEYEVENT;
    else if ('g$lshzxetdnm'.includes(ch)) flags |= bit(ch);
    else throw new Error("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  }
  return flags;
}

/** The canonical string CONFIG GET shows (as Redis: when `A` is printed, a set n is not shown). */
export function formatNotifyFlags(flags: number): string {
  let out = '';
  if ((flags & ALL) === ALL) out += 'A';
  else for (const ch of CLASSES) if (flags & bit(ch)) out += ch;
  if (flags & KEYSPACE) out += 'K';
  if (flags & KEYEVENT) out += 'E';
  if (flags & bit('m')) out += 'm';
  return out;
}

/** Config normaliser for the directive: validates and canonicalises one argument. */
export function normalizeNotifyFlags(args: string[]): string {
  if (args.length !== 1) throw new Error('wrong number of arguments');
  return formatNotifyFlags(parseNotifyFlags(args[0]));
}

const enabled = new WeakMap<Server, number>();
/** Set once any server in this process turns notifications on: until then (the usual case) a
 * notification costs one compare. */
let everEnabled = false;
/** bit() per class, precomputed (the hot path runs once per written key). */
const BITS: Record<string, number> = Object.fromEntries([...'g$lshzxetdnm'].map((ch) => [ch, bit(ch)]));

/** Tracks the directive's value (called by the pub/sub installer). */
export function installKeyspaceEvents(srv: Server): void {
  const set = (v: string) => {
    const flags = parseNotifyFlags(v);
    enabled.set(srv, flags);
    if (flags !== 0) everEnabled = true;
  };
  set(srv.config.get('notify-keyspace-events'));
  srv.config.onChange('notify-keyspace-events', set);
}

/**
 * notifyKeyspaceEvent for the key at ctx.argv[i], read only when events may fire: a handler that
 * runs on a read-buffer view (CommandArgs) would otherwise copy its arguments out for nothing.
 */
export function notifyKeyArg(srv: Server, type: NotifyClass, event: string, ctx: { readonly argv: Buffer[] }, i: number, dbId: number): void {
  if (everEnabled) notifyKeyspaceEvent(srv, type, event, ctx.argv[i], dbId);
}

/** Whether this server publishes any keyspace event (a bulk loader may then skip building their arguments). */
export function keyspaceEventsOn(srv: Server): boolean {
  return everEnabled && (enabled.get(srv) ?? 0) !== 0;
}

export function notifyKeyspaceEvent(srv: Server, type: NotifyClass, event: string, key: Buffer, dbId: number): void {
  if (!everEnabled) return;
  const flags = enabled.get(srv) ?? 0;
  if (!(flags & BITS[type]) || !(flags & (KEYSPACE | KEYEVENT))) return;
  const reg = pubsubOf(srv);
  const ev = Buffer.from(event);
  if (flags & KEYSPACE) reg.publish(Buffer.concat([Buffer.from(`__keyspace@${dbId}__:`), key]), ev);
  if (flags & KEYEVENT) reg.publish(Buffer.from(`__keyevent@${dbId}__:${event}`), key);
}
