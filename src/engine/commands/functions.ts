// FCALL, FCALL_RO and FUNCTION LOAD / DELETE / FLUSH / LIST / DUMP / RESTORE / STATS / KILL / HELP.
// The library registry and loading live in src/engine/scripting/functions.ts.
import type { CommandContext, CommandDef } from './table.js';
import { numkeysAt } from './aggregate.js';
import { is } from './args.js';
import { splitKeys } from './scripting.js';
import { scriptingOf } from '../scripting/state.js';
import { functionKey, loadLibrary } from '../scripting/functions.js';
import { preRunError, runScript } from '../scripting/runner.js';
import { killScript } from '../scripting/kill.js';
import { flagNames } from '../scripting/flags.js';
import { dumpFunctions, parseFunctionsPayload } from '../scripting/functions-dump.js';
import { restoreLibraries, type RestorePolicy } from '../scripting/functions-restore.js';
import { globMatch } from '../util/glob.js';

/** The scripting state with its VM created (which compiles libraries an RDB brought before it). */
function withVm(srv: CommandContext['srv']): ReturnType<typeof scriptingOf> {
  const sc = scriptingOf(srv);
  void sc.vm;
  return sc;
}

function fcall(ctx: CommandContext, readOnly: boolean): void {
  const { srv, argv, reply } = ctx;
  const sc = withVm(srv);
  const fn = sc.functions.functions.get(functionKey(argv[1].latin1Slice(0, argv[1].length)));
  if (!fn) return reply.error('ERR Function not found');
  const ka = splitKeys(ctx, 'ERR Bad number of keys provided');
  if (!ka) return;
  const refused = preRunError(ctx, fn.flags, readOnly);
  if (refused !== null) return reply.error(refused);
  runScript(sc, ctx, { ref: fn.ref, name: fn.name, flags: fn.flags, keys: ka.keys, args: ka.args, readOnly, isFunction: true });
}

/** Redis's addReplySubcommandSyntaxError, with the subcommand as the client typed it. */
const subcommandSyntax = (argv: Buffer[]) => `ERR unknown subcommand or wrong number of arguments for '${argv[1].toString('latin1')}'. Try FUNCTION HELP.`;

const FUNCTION_HELP = [
  'FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
  'HELP',
  '    Prints this help.',
];

export const functionCommands: CommandDef[] = [
  { name: 'fcall', handler: (ctx) => fcall(ctx, false), getKeys: numkeysAt(2) },
  { name: 'fcall_ro', handler: (ctx) => fcall(ctx, true), getKeys: numkeysAt(2) },
  {
    name: 'function|load',
    handler({ srv, argv, reply }) {
      let replace = false;
      let i = 2;
      for (; i < argv.length - 1; i++) {
        if (is(argv[i], 'replace')) replace = true;
        else return reply.error(`ERR Unknown option given: ${argv[i].toString('latin1')}`);
      }
      if (i !== argv.length - 1) return reply.error('ERR Function code is missing');
      const sc = withVm(srv);
      const lib = loadLibrary(sc.vm, sc.functions, argv[i], replace);
      if (typeof lib === 'string') return reply.error(lib);
      srv.dirty++;
      reply.bulk(lib.name);
    },
  },
  {
    name: 'function|delete',
    handler({ srv, argv, reply }) {
      const sc = withVm(srv);
      if (!sc.functions.remove(sc.vmIfCreated, argv[2].toString())) return reply.error('ERR Library not found');
      srv.dirty++;
      reply.ok();
    },
  },
  {
    name: 'function|flush',
    handler({ srv, argv, reply }) {
      if (argv.length > 3) return reply.error(subcommandSyntax(argv));
      if (argv.length === 3 && !is(argv[2], 'sync') && !is(argv[2], 'async')) {
        return reply.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
      }
      const sc = withVm(srv);
      sc.functions.flush(sc.vmIfCreated);
      sc.vmIfCreated?.collect();
      srv.dirty++;
      reply.ok();
    },
  },
  {
    name: 'function|list',
    handler({ srv, argv, reply }) {
      let pattern: Buffer | null = null;
      let withCode = false;
      for (let i = 2; i < argv.length; i++) {
        if (is(argv[i], 'withcode') && !withCode) withCode = true;
        else if (is(argv[i], 'libraryname') && pattern === null) {
          if (i + 1 >= argv.length) return reply.error('ERR library name argument was not given');
          pattern = argv[++i];
        } else return reply.error(`ERR Unknown argument ${argv[i].toString('latin1')}`);
      }
      const libs = [...withVm(srv).functions.libraries.values()].filter((l) => pattern === null || globMatch(pattern, Buffer.from(l.name)));
      reply.array(libs.length);
      for (const lib of libs) {
        reply.map(withCode ? 4 : 3);
        reply.bulk('library_name');
        reply.bulk(lib.name);
        reply.bulk('engine');
        reply.bulk('LUA');
        reply.bulk('functions');
        reply.array(lib.functions.size);
        for (const f of lib.functions.values()) {
          reply.map(3);
          reply.bulk('name');
          reply.bulk(f.name);
          reply.bulk('description');
          reply.bulk(f.description);
          reply.bulk('flags');
          const names = flagNames(f.flags);
          reply.set(names.length);
          for (const n of names) reply.simple(n); // status replies, as Redis 7.0 sends them
        }
        if (withCode) {
          reply.bulk('library_code');
          reply.bulk(lib.code);
        }
      }
    },
  },
  {
    name: 'function|dump',
    handler({ srv, reply }) {
      reply.bulk(dumpFunctions(withVm(srv).functions.codes()));
    },
  },
  {
    name: 'function|restore',
    handler({ srv, argv, reply }) {
      let policy: RestorePolicy = 'append';
      if (argv.length > 4) return reply.error(subcommandSyntax(argv));
      if (argv.length === 4) {
        const p = argv[3].toString().toLowerCase();
        if (p !== 'flush' && p !== 'append' && p !== 'replace') return reply.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
        policy = p;
      }
      const codes = parseFunctionsPayload(argv[2]);
      if (typeof codes === 'string') return reply.error(codes);
      const sc = withVm(srv);
      const err = restoreLibraries(sc.vm, sc.functions, codes, policy);
      if (err !== null) return reply.error(err);
      srv.dirty++;
      reply.ok();
    },
  },
  {
    name: 'function|stats',
    handler({ srv, reply }) {
      const sc = withVm(srv);
      reply.map(2);
      reply.bulk('running_script');
      const rc = sc.running;
      if (rc && rc.isFunction) {
        reply.map(3);
        reply.bulk('name');
        reply.bulk(rc.name);
        reply.bulk('command');
        reply.bulkArray(rc.argv);
        reply.bulk('duration_ms');
        reply.int(Date.now() - rc.startedAt);
      } else reply.null();
      reply.bulk('engines');
      reply.map(1);
      reply.bulk('LUA');
      reply.map(2);
      reply.bulk('libraries_count');
      reply.int(sc.functions.libraries.size);
      reply.bulk('functions_count');
      reply.int(sc.functions.functions.size);
    },
  },
  { name: 'function|kill', handler: (ctx) => killScript(ctx, true) },
  {
    name: 'function|help',
    handler({ reply }) {
      reply.array(FUNCTION_HELP.length);
      for (const l of FUNCTION_HELP) reply.simple(l);
    },
  },
];
