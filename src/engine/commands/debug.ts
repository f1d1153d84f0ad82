// DEBUG (gated by enable-debug-command in commands/protected.ts, as Redis). Redis's DEBUG has no
// subcommand table, so the subcommands live here as a registry other modules may extend
// (persistence can add RELOAD, replication CHANGE-REPL-ID).
import type { CommandDef, Handler } from './table.js';
import { DEBUG_EXTRA, DEBUG_UNSUPPORTED } from './debug-subcommands.js';

/** Lower-case subcommand name -> handler (argv[1] is the subcommand). */
export const debugSubcommands = new Map<string, Handler>();

// Redis's DEBUG ASSERT crashes the server; here it is the engine's own bug stand-in: half a reply, then
// an exception, which fault isolation (internal-errors.ts) must turn into one error reply.
debugSubcommands.set('assert', (ctx) => {
  ctx.reply.array(2);
  ctx.reply.bulk('half a reply');
  throw new Error('DEBUG ASSERT');
});

debugSubcommands.set('help', (ctx) => {
  const names = [...DEBUG_EXTRA.map(([n]) => n), ...debugSubcommands.keys()].sort();
  const lines = ['DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', ...names.map((k) => k.toUpperCase())];
  ctx.reply.array(lines.length);
  for (const l of lines) ctx.reply.simple(l);
});

export const debugCommands: CommandDef[] = [
  {
    name: 'debug',
    handler(ctx) {
      const name = ctx.argv[1].toString().toLowerCase();
      const extra = DEBUG_EXTRA.find(([n]) => n === name);
      const sub = extra ? (extra[1](ctx.argv.length) ? extra[2] : undefined) : debugSubcommands.get(name);
      if (!sub && DEBUG_UNSUPPORTED.has(name)) return ctx.reply.error(`ERR DEBUG ${name.toUpperCase()} is not supported by this server`);
      if (!sub) return ctx.reply.error(`ERR unknown subcommand or wrong number of arguments for '${ctx.argv[1].toString('latin1')}'. Try DEBUG HELP.`);
      sub(ctx);
    },
  },
];
