// The mechanics of one MIGRATE, shared by the command (migrate.ts) and the MIGRATEs started ahead of
// their turn (migrate-ahead.ts): parsing, the keys' DUMP payloads sent as RESTORE(-ASKING), and what
// the target's answer leaves here (the keys sent deleted, unless COPY).
import { is, parseIntArg } from '../commands/args.js';
import { SYNTAX } from '../commands/errors.js';
import { dumpValue } from '../persistence/dump.js';
import { encodeCommand } from '../protocol/command-encoder.js';
import type { Server } from '../server.js';
import type { Db } from '../store/db.js';
import { keyBuf, keyStr, unpack, type StoredValue } from '../store/types.js';
import { migratingKeys } from './migrating-keys.js';
import { IoError, sendToTarget, type TargetReplies } from './target-conn.js';

export interface Plan {
  host: string;
  port: number;
  db: number;
  timeout: number;
  copy: boolean;
  replace: boolean;
  auth: string[] | null;
  keys: Buffer[];
}

export interface Item {
  key: Buffer;
  value: StoredValue;
  ttl: number;
}

/** MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 user pw] [KEYS k...], or the error reply. */
export function parse(a: Buffer[]): Plan | string {
  const port = parseIntArg(a[2]);
  const db = parseIntArg(a[4]);
  let timeout = parseIntArg(a[5]);
  if (port === null || db === null || timeout === null) return 'ERR value is not an integer or out of range';
  if (timeout <= 0) timeout = 1000;
  const plan: Plan = { host: a[1].toString(), port, db, timeout, copy: false, replace: false, auth: null, keys: [a[3]] };
  for (let i = 6; i < a.length; i++) {
    const more = a.length - i - 1;
    if (is(a[i], 'copy')) plan.copy = true;
    else if (is(a[i], 'replace')) plan.replace = true;
    else if (is(a[i], 'auth') && more >= 1) plan.auth = [a[++i].toString()];
    else if (is(a[i], 'auth2') && more >= 2) plan.auth = [a[++i].toString(), a[++i].toString()];
    else if (is(a[i], 'keys')) {
      if (a[3].length !== 0) return 'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string';
      plan.keys = a.slice(i + 1);
      break;
    } else return SYNTAX;
  }
  return plan;
}

/** The plan's keys that exist in db, with their values and remaining TTLs. */
export function collect(db: Db, plan: Plan): Item[] {
  const now = Date.now();
  const items: Item[] = [];
  for (const key of plan.keys) {
    const value = db.getStored(keyStr(key));
    if (value === undefined) continue;
    const at = db.getExpire(keyStr(key));
    items.push({ key, value, ttl: at === undefined ? 0 : Math.max(1, at - now) });
  }
  return items;
}

/** The RESTORE (RESTORE-ASKING in cluster mode) command of each item, encoded. */
export function restoresOf(srv: Server, plan: Plan, items: Item[]): Buffer[] {
  const restore = srv.config.bool('cluster-enabled') ? 'RESTORE-ASKING' : 'RESTORE';
  return items.map((it) => {
    const args: (string | Buffer)[] = [restore, it.key, String(it.ttl), dumpValue(unpack(it.value))];
    if (plan.replace) args.push('REPLACE');
    return encodeCommand(args);
  });
}

/**
 * Sends the items to the target (as `restores`, when the caller encoded them already). Resolves, once
 * the target answered and what it took is deleted here, with the error reply, or null for +OK. Other
 * clients' commands on these keys wait meanwhile (migrating-keys.ts). db: the client's db when the
 * MIGRATE ran.
 */
export function start(srv: Server, db: Db, plan: Plan, items: Item[], restores = restoresOf(srv, plan, items)): Promise<string | null> {
  const auth = plan.auth ? encodeCommand(['AUTH', ...plan.auth]) : null;
  const inFlight = migratingKeys(srv);
  const ids = items.map((it) => keyStr(it.key));
  inFlight.add(db.id, ids);
  return sendToTarget(plan.host, plan.port, plan.db, plan.timeout, auth, restores).then(
    (replies) => finish(srv, db, plan, items, replies),
    (e: Error) => (e instanceof IoError ? `IOERR ${e.message}` : `ERR ${e.message}`),
  ).finally(() => inFlight.remove(db.id, ids));
}

function finish(srv: Server, db: Db, plan: Plan, items: Item[], replies: TargetReplies): string | null {
  // An AUTH or SELECT error is the answer, and nothing is deleted: the RESTOREs may have run in
  // another db or not at all (Redis 7.0 answers the same, and keeps the keys here).
  const early = [replies.auth, replies.select].find((r) => r?.startsWith('-'));
  if (early) return `ERR Target instance replied with error: ${early.slice(1)}`;
  const deleted: Buffer[] = [];
  let error: string | null = null;
  replies.restores.forEach((r, i) => {
    if (r.startsWith('-')) {
      error ??= r.slice(1);
      return;
    }
    // Only delete what was sent: a key rewritten meanwhile stays here.
    const k = keyStr(items[i].key);
    if (!plan.copy && db.data.get(k) === items[i].value && db.delete(k)) deleted.push(keyBuf(k));
  });
  if (deleted.length > 0) {
    srv.dirty += deleted.length;
    srv.propagate(db.id, [Buffer.from('DEL'), ...deleted], false);
  }
  return error === null ? null : `ERR Target instance replied with error: ${error}`;
}
