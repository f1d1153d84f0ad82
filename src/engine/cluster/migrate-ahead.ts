// A reshard pipelines MIGRATEs on one connection: kvctl and redis-cli send a batch of slots' MIGRATEs,
// each followed by that slot's next GETKEYSINSLOT. redis-server runs each MIGRATE synchronously; the
// engine holds the client while the target answers, so every MIGRATE behind it waited a round trip of
// its own. While a MIGRATE holds its client, a MIGRATE queued behind it starts at once when nothing
// can tell it apart from one run in its turn: dispatch would run it now (no MULTI, no other armed
// guard, an unrestricted user, in cluster mode its slot served here), its keys all exist and none is in flight, and
// what is queued before it is only GETKEYSINSLOT / COUNTKEYSINSLOT of other slots or MIGRATEs that
// started early too. It answers in its turn (migrate.ts), so replies keep the client's order. The
// first command that does not qualify ends the look-ahead until the next MIGRATE holds the client,
// and so do EARLY_BYTES of payloads sent early and not answered yet: redis-server holds one MIGRATE's
// payloads at a time, and a reshard of big keys must not hold a whole batch's.
import type { Client } from '../client.js';
import { is, parseIntArg } from '../commands/args.js';
import type { Server } from '../server.js';
import { keyStr } from '../store/types.js';
import { clusterOf } from './cluster.js';
import { keyHashSlot } from './crc16.js';
import { servedHere } from './guard.js';
import { collect, parse, restoresOf, start } from './migrate-send.js';
import { migratingKeys } from './migrating-keys.js';

/** A MIGRATE started ahead of its turn. err: its reply once the target answered (null: +OK). */
export interface Early {
  err: string | null | undefined;
  /** Set when its turn came before the answer. */
  then: ((err: string | null) => void) | null;
}

/** Payload bytes of a client's early MIGRATEs in flight past which no other starts early. */
export const EARLY_BYTES = 8 << 20;

class Ahead {
  open = true;
  /** Payload bytes of the early MIGRATEs not answered yet. */
  bytes = 0;
  /** Slots read by commands queued so far: a later MIGRATE of their keys must wait its turn. */
  readonly read = new Set<number>();
  readonly started = new Map<Buffer[], Early>();
}

const AHEAD = new WeakMap<Client, Ahead>();

/** The client's turn for a MIGRATE that started early: its record, taken. */
export function takeEarly(c: Client, argv: Buffer[]): Early | undefined {
  const a = AHEAD.get(c);
  const e = a?.started.get(argv);
  if (e !== undefined) a!.started.delete(argv);
  return e;
}

/** A MIGRATE now holds the client: what is already queued behind it is looked at, in order. */
export function lookAhead(srv: Server, c: Client): void {
  let a = AHEAD.get(c);
  if (a === undefined) AHEAD.set(c, (a = new Ahead()));
  // Every early MIGRATE was queued before the first command that closed the look-ahead, so none is
  // left when a MIGRATE runs in its own turn.
  a.open = true;
  a.read.clear();
  for (const argv of c.pending) {
    consider(srv, c, a, argv);
    if (!a.open) break;
  }
}

/** For the hold: each command queued while the client is held is looked at as it arrives. */
export function queuedBehind(srv: Server, c: Client): (argv: Buffer[]) => void {
  return (argv) => {
    const a = AHEAD.get(c);
    if (a?.open) consider(srv, c, a, argv);
  };
}

function consider(srv: Server, c: Client, a: Ahead, argv: Buffer[]): void {
  if (is(argv[0], 'cluster') && argv.length >= 3) {
    const sub = argv[1];
    if ((is(sub, 'getkeysinslot') && argv.length === 4) || (is(sub, 'countkeysinslot') && argv.length === 3)) {
      const slot = parseIntArg(argv[2]);
      if (slot !== null && slot >= 0 && slot < 16384) {
        a.read.add(slot);
        return;
      }
    }
  }
  if (!is(argv[0], 'migrate') || !startEarly(srv, c, a, argv)) a.open = false;
}

function startEarly(srv: Server, c: Client, a: Ahead, argv: Buffer[]): boolean {
  if (a.bytes >= EARLY_BYTES) return false;
  const d = srv.dispatch;
  const cmd = d.resolve(argv);
  if (typeof cmd === 'string' || c.closed || c.multi !== null || !c.authenticated || c.inPubSubContext) return false;
  if (d.aclCheck !== null && !d.aclUnrestricted(c)) return false;
  if (!d.armedGuards(cmd).every((g) => g.name === 'cluster' || g.name === 'migrating-keys')) return false;
  // Without cluster mode there is no slot to check (and no cluster guard among the armed ones).
  const cl = clusterOf(srv);
  if (cl !== undefined && !servedHere(cl, c, cmd, argv)) return false;
  const plan = parse(argv);
  if (typeof plan === 'string' || plan.keys.length === 0) return false;
  const inFlight = migratingKeys(srv);
  for (const key of plan.keys) if (a.read.has(keyHashSlot(key)) || inFlight.has(c.db.id, keyStr(key))) return false;
  const items = collect(c.db, plan);
  if (items.length !== plan.keys.length) return false;
  const restores = restoresOf(srv, plan, items);
  let bytes = 0;
  for (const r of restores) bytes += r.length;
  a.bytes += bytes;
  const early: Early = { err: undefined, then: null };
  a.started.set(argv, early);
  (c.early ??= new Map()).set(argv, cmd);
  void start(srv, c.db, plan, items, restores).then((err) => {
    a.bytes -= bytes;
    early.err = err;
    early.then?.(err);
  });
  return true;
}
