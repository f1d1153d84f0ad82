// MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 user pw] [KEYS k...]: DUMP
// payloads sent as RESTORE(-ASKING) to the target, then the keys deleted here (unless COPY). The
// client waits (blocked) while the target answers, so its later commands keep their order.
import type { Client } from '../client.js';
import type { CommandContext, CommandDef } from '../commands/table.js';
import { is, parseIntArg } from '../commands/args.js';
import { SYNTAX } from '../commands/errors.js';
import { dumpValue } from '../persistence/dump.js';
import type { Server } from '../server.js';
import { keyBuf, keyStr, unpack, type StoredValue } from '../store/types.js';
import { IoError, sendToTarget, type TargetReplies } from './target-conn.js';
import { encodeCommand } from '../protocol/command-encoder.js';
import { hold, release as unblock } from './hold.js';
import { migratingKeys } from './migrating-keys.js';

interface Plan {
  host: string;
  port: number;
  db: number;
  timeout: number;
  copy: boolean;
  replace: boolean;
  auth: string[] | null;
  keys: Buffer[];
}

function parse(ctx: CommandContext): Plan | string {
  const a = ctx.argv;
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

/** MIGRATE's keys as Redis finds them: argv[3], or what follows KEYS (none if argv[3] is not empty then). */
export function migrateKeys(argv: Buffer[]): number[] {
  for (let i = 6; i < argv.length; i++) {
    if (is(argv[i], 'keys')) {
      if (argv[3].length !== 0) return [];
      return Array.from({ length: argv.length - i - 1 }, (_, j) => i + 1 + j);
    }
    if (is(argv[i], 'auth')) i++;
    else if (is(argv[i], 'auth2')) i += 2;
  }
  return [3];
}

function migrate(ctx: CommandContext): void {
  const plan = parse(ctx);
  if (typeof plan === 'string') return ctx.reply.error(plan);
  const { srv, client: c, db } = ctx;
  const now = Date.now();
  const items: { key: Buffer; value: StoredValue; ttl: number }[] = [];
  for (const key of plan.keys) {
    const value = db.getStored(keyStr(key));
    if (value === undefined) continue;
    const at = db.getExpire(keyStr(key));
    items.push({ key, value, ttl: at === undefined ? 0 : Math.max(1, at - now) });
  }
  if (items.length === 0) return ctx.reply.simple('NOKEY');
  const restore = srv.config.bool('cluster-enabled') ? 'RESTORE-ASKING' : 'RESTORE';
  const auth = plan.auth ? encodeCommand(['AUTH', ...plan.auth]) : null;
  const restores = items.map((it) => {
    const args: (string | Buffer)[] = [restore, it.key, String(it.ttl), dumpValue(unpack(it.value))];
    if (plan.replace) args.push('REPLACE');
    return encodeCommand(args);
  });
  hold(c); // the client's next commands wait for the target's answer, as with Redis's synchronous MIGRATE
  // So do other clients' commands on these keys (migrating-keys.ts), until the keys are deleted or kept.
  const inFlight = migratingKeys(srv);
  const ids = items.map((it) => keyStr(it.key));
  inFlight.add(db.id, ids);
  void sendToTarget(plan.host, plan.port, plan.db, plan.timeout, auth, restores).then(
    (replies) => finish(srv, c, plan, items, replies),
    (e: Error) => {
      c.reply.error(e instanceof IoError ? `IOERR ${e.message}` : `ERR ${e.message}`);
      unblock(srv, c);
    },
  ).finally(() => inFlight.remove(db.id, ids));
}

function finish(srv: Server, c: Client, plan: Plan, items: { key: Buffer; value: StoredValue }[], replies: TargetReplies): void {
  // An AUTH or SELECT error is the answer, and nothing is deleted: the RESTOREs may have run in
  // another db or not at all (Redis 7.0 answers the same, and keeps the keys here).
  const early = [replies.auth, replies.select].find((r) => r?.startsWith('-'));
  if (early) {
    c.reply.error(`ERR Target instance replied with error: ${early.slice(1)}`);
    return unblock(srv, c);
  }
  const db = c.db;
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
  if (error !== null) c.reply.error(`ERR Target instance replied with error: ${error}`);
  else c.reply.ok();
  unblock(srv, c);
}

export const migrateCommand: CommandDef = { name: 'migrate', handler: migrate, getKeys: migrateKeys };
