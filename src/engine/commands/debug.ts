// DEBUG, gated by enable-debug-command like Redis (no / yes / local). Redis's DEBUG has no
// subcommand table, so the subcommands live here as a registry other modules may extend
// (persistence can add RELOAD, replication CHANGE-REPL-ID).
import type { CommandContext, CommandDef, Handler } from './table.js';
import { keyStr } from '../store/types.js';
import { stringEncoding } from '../store/string-encoding.js';
import { is, parseDouble } from './args.js';
import { DEBUG_EXTRA } from './debug-subcommands.js';

/** Lower-case subcommand name -> handler (argv[1] is the subcommand). */
export const debugSubcommands = new Map<string, Handler>();

/** Redis's refusal of a protected command (DEBUG, MODULE LOAD...) its enable-*-command option disallows. */
export const notAllowed = (what: string, option: string): string =>
  `ERR ${what} command not allowed. If the ${option} option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`;

/** enable-debug-command / enable-module-command: yes, or local for loopback and unix-socket clients. */
export function protectedAllowed(ctx: CommandContext, option = 'enable-debug-command'): boolean {
  const mode = ctx.srv.config.get(option);
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
      if (!protectedAllowed(ctx)) return ctx.reply.error(notAllowed('DEBUG', 'enable-debug-command'));
      const name = ctx.argv[1].toString().toLowerCase();
      const extra = DEBUG_EXTRA.find(([n]) => n === name);
      const sub = extra ? (extra[1](ctx.argv.length) ? extra[2] : undefined) : debugSubcommands.get(name);
      if (!sub) return ctx.reply.error(`ERR unknown subcommand or wrong number of arguments for '${ctx.argv[1].toString('latin1')}'. Try DEBUG HELP.`);
      sub(ctx);
    },
  },
];
