// Generic keyspace commands.
import type { CommandDef } from './table.js';
import { keyStr } from '../store/types.js';

export const keyCommands: CommandDef[] = [
  {
    name: 'del',
    handler(ctx) {
      let n = 0;
      for (let i = 1; i < ctx.argv.length; i++) if (ctx.db.delete(keyStr(ctx.argv[i]))) n++;
      ctx.srv.dirty += n;
      ctx.reply.int(n);
    },
  },
  {
    name: 'exists',
    handler(ctx) {
      let n = 0;
      for (let i = 1; i < ctx.argv.length; i++) if (ctx.db.has(keyStr(ctx.argv[i]))) n++;
      ctx.reply.int(n);
    },
  },
];
