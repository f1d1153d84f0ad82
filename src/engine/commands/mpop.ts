// Argument parsing shared by LMPOP/BLMPOP and ZMPOP/BZMPOP: `numkeys key... WHERE [COUNT n]`.
import type { CommandContext } from './table.js';
import { is, parseIntArg } from './args.js';
import { SYNTAX } from './errors.js';

export interface MpopArgs<W> {
  keys: Buffer[];
  where: W;
  count: number;
}

/** Parses from argv[at] (numkeys); `side` maps the WHERE word, null = syntax error. */
export function parseMpopTail<W>(ctx: CommandContext, at: number, side: (b: Buffer) => W | null): MpopArgs<W> | null {
  const argv = ctx.argv;
  const numkeys = parseIntArg(argv[at]);
  if (numkeys === null || numkeys < 1) return (ctx.reply.error('ERR numkeys should be greater than 0'), null);
  const whereIdx = at + 1 + numkeys;
  if (whereIdx >= argv.length) return (ctx.reply.error(SYNTAX), null);
  const where = side(argv[whereIdx]);
  if (where === null) return (ctx.reply.error(SYNTAX), null);
  let count = -1;
  for (let i = whereIdx + 1; i < argv.length; i++) {
    if (count < 0 && is(argv[i], 'count') && i + 1 < argv.length) {
      const n = parseIntArg(argv[++i]);
      if (n === null || n < 1) return (ctx.reply.error('ERR count should be greater than 0'), null);
      count = n;
    } else {
      return (ctx.reply.error(SYNTAX), null);
    }
  }
  return { keys: argv.slice(at + 1, whereIdx), where, count: count < 0 ? 1 : count };
}
