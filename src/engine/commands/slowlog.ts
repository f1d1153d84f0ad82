// SLOWLOG GET [count] | LEN | RESET | HELP. Entries are recorded by SlowLog.push (slowlog.ts).
import type { CommandDef } from './table.js';
import { parseInt64 } from './args.js';

const HELP = [
  'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
  'HELP',
  '    Prints this help.',
];

export const slowlogCommands: CommandDef[] = [
  {
    name: 'slowlog|get',
    handler({ srv, reply, argv }) {
      let count = 10;
      if (argv.length > 3) return reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].latin1Slice()}'. Try SLOWLOG HELP.`);
      if (argv.length === 3) {
        const n = parseInt64(argv[2]);
        if (n === null || n < -1n) return reply.error('ERR count should be greater than or equal to -1');
        count = n === -1n ? srv.slowlog.entries.length : Number(n > 1000000n ? 1000000n : n);
      }
      const entries = srv.slowlog.entries.slice(0, count);
      reply.array(entries.length);
      for (const e of entries) {
        reply.array(6);
        reply.int(e.id);
        reply.int(e.time);
        reply.int(e.usec);
        reply.bulkArray(e.argv);
        reply.bulk(e.addr);
        reply.bulk(e.name);
      }
    },
  },
  { name: 'slowlog|len', handler: ({ srv, reply }) => reply.int(srv.slowlog.entries.length) },
  {
    name: 'slowlog|reset',
    handler({ srv, reply }) {
      srv.slowlog.reset();
      reply.ok();
    },
  },
  {
    name: 'slowlog|help',
    handler({ reply }) {
      reply.array(HELP.length);
      for (const l of HELP) reply.simple(l);
    },
  },
];
