// MIGRATE: the client waits (held) while the target answers, so its later commands keep their order;
// the server goes on serving everyone else. A reshard's later MIGRATEs queued behind a held one may
// start early (migrate-ahead.ts); each still answers in its turn.
import type { CommandContext, CommandDef } from '../commands/table.js';
import { is } from '../commands/args.js';
import type { ReplyWriter } from '../protocol/writer.js';
import { hold, release as unblock } from './hold.js';
import { collect, parse, start } from './migrate-send.js';
import { lookAhead, queuedBehind, takeEarly } from './migrate-ahead.js';

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

function answer(reply: ReplyWriter, err: string | null): void {
  if (err === null) reply.ok();
  else reply.error(err);
}

function migrate(ctx: CommandContext): void {
  const { srv, client: c } = ctx;
  const early = takeEarly(c, ctx.argv);
  if (early !== undefined) {
    if (early.err !== undefined) return answer(ctx.reply, early.err);
    hold(c, 0, undefined, queuedBehind(srv, c));
    early.then = (err) => {
      answer(c.reply, err);
      unblock(srv, c);
    };
    return;
  }
  const plan = parse(ctx.argv);
  if (typeof plan === 'string') return ctx.reply.error(plan);
  const items = collect(ctx.db, plan);
  if (items.length === 0) return ctx.reply.simple('NOKEY');
  const done = start(srv, ctx.db, plan, items);
  // The client's next commands wait for the target's answer, as with Redis's synchronous MIGRATE.
  hold(c, 0, undefined, queuedBehind(srv, c));
  lookAhead(srv, c);
  void done.then((err) => {
    answer(c.reply, err);
    unblock(srv, c);
  });
}

export const migrateCommand: CommandDef = { name: 'migrate', handler: migrate, getKeys: migrateKeys };
