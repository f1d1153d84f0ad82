// String commands. The value of a string key is a Buffer.
import type { CommandDef, CommandContext } from './table.js';
import { keyStr } from '../store/types.js';
import { WRONGTYPE } from './errors.js';

/** The string at argv[i]'s key: Buffer, null when missing, or undefined after replying WRONGTYPE. */
export function getString(ctx: CommandContext, keyArg: Buffer): Buffer | null | undefined {
  const v = ctx.db.get(keyStr(keyArg));
  if (v === undefined) return null;
  if (!Buffer.isBuffer(v)) {
    ctx.reply.error(WRONGTYPE);
    return undefined;
  }
  return v;
}

export const stringCommands: CommandDef[] = [
  {
    name: 'get',
    handler(ctx) {
      const v = getString(ctx, ctx.argv[1]);
      if (v === undefined) return;
      if (v === null) ctx.db.misses++;
      else ctx.db.hits++;
      ctx.reply.bulk(v);
    },
  },
  {
    name: 'set',
    handler(ctx) {
      // Only the plain form here; the option parser (NX/XX/GET/EX/PX/EXAT/PXAT/KEEPTTL) lives with it.
      if (ctx.argv.length !== 3) return ctx.reply.error('ERR syntax error');
      ctx.db.set(keyStr(ctx.argv[1]), ctx.argv[2]);
      ctx.srv.dirty++;
      ctx.reply.ok();
    },
  },
];
