// CLIENT PAUSE timeout [WRITE|ALL] and CLIENT UNPAUSE (the state and the hold are in pause.ts).
import type { CommandDef } from './table.js';
import { is, parseInt64 } from './args.js';
import { pauseOf } from '../pause.js';

export const clientPauseCommands: CommandDef[] = [
  {
    name: 'client|pause',
    handler({ srv, reply, argv }) {
      if (argv.length > 4) return reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].toString('latin1')}'. Try CLIENT HELP.`);
      const ms = parseInt64(argv[2]);
      if (ms === null) return reply.error('ERR timeout is not an integer or out of range');
      if (ms < 0n) return reply.error('ERR timeout is negative');
      let type: 'write' | 'all' = 'all';
      if (argv.length === 4) {
        if (is(argv[3], 'write')) type = 'write';
        else if (!is(argv[3], 'all')) return reply.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
      }
      pauseOf(srv).pause('client', type, Date.now() + Number(ms));
      reply.ok();
    },
  },
  {
    name: 'client|unpause',
    handler({ srv, reply }) {
      pauseOf(srv).unpause('client');
      reply.ok();
    },
  },
];
