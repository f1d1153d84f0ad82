// `numkeys key... [LIMIT limit]` parsing shared by SINTERCARD and ZINTERCARD.
import type { CommandContext } from './table.js';
import { is, parseIntArg } from './args.js';
import { SYNTAX } from './errors.js';

export function parseCardLimit(ctx: CommandContext): { keys: Buffer[]; limit: number } | null {
  const argv = ctx.argv;
  const numkeys = parseIntArg(argv[1]);
  if (numkeys === null || numkeys < 1) return (ctx.reply.error('ERR numkeys should be greater than 0'), null);
  if (numkeys > argv.length - 2) return (ctx.reply.error("ERR Number of keys can't be greater than number of args"), null);
  let limit = 0;
  for (let i = 2 + numkeys; i < argv.length; i++) {
    if (is(argv[i], 'limit') && i + 1 < argv.length) {
      const n = parseIntArg(argv[++i]);
      if (n === null || n < 0) return (ctx.reply.error("ERR LIMIT can't be negative"), null);
      limit = n;
    } else {
      return (ctx.reply.error(SYNTAX), null);
    }
  }
  return { keys: argv.slice(2, 2 + numkeys), limit };
}
