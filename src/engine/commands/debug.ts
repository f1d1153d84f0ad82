// DEBUG, gated by enable-debug-command like Redis (no / yes / local). Redis's DEBUG has no
// subcommand table, so the subcommands live here as a registry other modules may extend
// (persistence can add RELOAD, replication CHANGE-REPL-ID).
import type { CommandContext, CommandDef, Handler } from './table.js';
import { keyStr } from '../store/types.js';
import { stringEncoding } from '../store/string-encoding.js';
import { is, parseDouble } from './args.js';

/** Lower-case subcommand name -> handler (argv[1] is the subcommand). */
export const debugSubcommands = new Map<string, Handler>();

const NOT_ALLOWED = 'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

function allowed(ctx: CommandContext): boolean {
  const mode = ctx.srv.config.get('enable-debug-command');
  if (mode === 'yes') return true;
  if (mode !== 'local') return false;
  const a = ctx.client.socket?.remoteAddress ?? '';
  return ctx.client.socket === null || a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.');
}

/** Blocks the whole process, like Redis's DEBUG SLEEP (it is meant to stall every client). */
function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

debugSubcommands.set('sleep', (ctx) => {
  const secs = ctx.argv.length > 2 ? parseDouble(ctx.argv[2]) : 0;
  sleepSync(Math.max(0, (secs ?? 0) * 1000));
  ctx.reply.ok();
});

debugSubcommands.set('set-active-expire', (ctx) => {
  if (ctx.argv.length !== 3) return ctx.reply.error("ERR Wrong number of arguments for 'set-active-expire'");
  ctx.srv.activeExpireEnabled = !is(ctx.argv[2], '0');
  ctx.reply.ok();
});

debugSubcommands.set('object', (ctx) => {
  if (ctx.argv.length !== 3) return ctx.reply.error('ERR Wrong number of arguments for DEBUG OBJECT');
  const v = ctx.db.get(keyStr(ctx.argv[2]));
  if (v === undefined) return ctx.reply.error('ERR no such key');
  const enc = Buffer.isBuffer(v) ? stringEncoding(v) : v.encoding();
  const len = Buffer.isBuffer(v) ? v.length : v.memoryUsage();
  ctx.reply.simple(`Value at:0x0 refcount:1 encoding:${enc} serializedlength:${len} lru:0 lru_seconds_idle:0`);
});

// Redis's DEBUG ASSERT crashes the server; here it is the engine's own bug stand-in: half a reply, then
// an exception, which fault isolation (internal-errors.ts) must turn into one error reply.
debugSubcommands.set('assert', (ctx) => {
  ctx.reply.array(2);
  ctx.reply.bulk('half a reply');
  throw new Error('DEBUG ASSERT');
});

debugSubcommands.set('help', (ctx) => {
  const lines = ['DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', ...[...debugSubcommands.keys()].map((k) => k.toUpperCase())];
  ctx.reply.array(lines.length);
  for (const l of lines) ctx.reply.simple(l);
});

export const debugCommands: CommandDef[] = [
  {
    name: 'debug',
    handler(ctx) {
      if (!allowed(ctx)) return ctx.reply.error(NOT_ALLOWED);
      const sub = debugSubcommands.get(ctx.argv[1].toString().toLowerCase());
      if (!sub) return ctx.reply.error(`ERR unknown subcommand or wrong number of arguments for '${ctx.argv[1].toString()}'. Try DEBUG HELP.`);
      sub(ctx);
    },
  },
];
