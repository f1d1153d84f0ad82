// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD / EXISTS / FLUSH / KILL / HELP.
// The VM, the cache and the run live in src/engine/scripting/.
import type { CommandContext, CommandDef } from './table.js';
import { numkeysAt } from './aggregate.js';
import { parseInt64 } from './args.js';
import { scriptingOf } from '../scripting/state.js';
import { sha1hex } from '../scripting/script-cache.js';
import { preRunError, runScript } from '../scripting/runner.js';
import { killScript } from '../scripting/kill.js';

/**
 * Parses numkeys at argv[2]: the keys and the args after them, or writes the error and returns null.
 * `notANumber`: the error when numkeys is no long long (FCALL words it its own way).
 */
export function splitKeys(ctx: CommandContext, notANumber = 'ERR value is not an integer or out of range'): { keys: Buffer[]; args: Buffer[] } | null {
  const { argv, reply } = ctx;
  const nk = argv[2];
  let n: number;
  // One digit is the common case: no string, no BigInt.
  if (nk.length === 1 && nk[0] >= 48 && nk[0] <= 57) n = nk[0] - 48;
  else {
    // numkeys is a long long: 2^53 and beyond are still "greater than the number of args".
    const big = parseInt64(nk);
    if (big === null) {
      reply.error(notANumber);
      return null;
    }
    n = big > BigInt(argv.length) ? argv.length : big < -1n ? -1 : Number(big);
  }
  if (n < 0) {
    reply.error("ERR Number of keys can't be negative");
    return null;
  }
  if (n > argv.length - 3) {
    reply.error("ERR Number of keys can't be greater than number of args");
    return null;
  }
  return { keys: argv.slice(3, 3 + n), args: argv.slice(3 + n) };
}

function evalGeneric(ctx: CommandContext, bySha: boolean, readOnly: boolean): void {
  const { srv, argv, reply } = ctx;
  const sc = scriptingOf(srv);
  // EVALSHA answers NOSCRIPT for a sha of the wrong length before it reads numkeys.
  if (bySha && argv[1].length !== 40) return reply.error('NOSCRIPT No matching script. Please use EVAL.');
  const ka = splitKeys(ctx);
  if (!ka) return;
  let entry;
  if (bySha) {
    const sha = argv[1].latin1Slice(0, argv[1].length).toLowerCase();
    entry = sha.length === 40 ? sc.cache.get(sha) : undefined;
    if (!entry) return reply.error('NOSCRIPT No matching script. Please use EVAL.');
  } else {
    const body = argv[1];
    const added = sc.cache.add(sc.vm, body, sha1hex(body));
    if (typeof added === 'string') return reply.error(added);
    entry = added;
  }
  const refused = preRunError(ctx, entry.flags, readOnly);
  if (refused !== null) return reply.error(refused);
  runScript(sc, ctx, { ref: entry.ref, name: entry.sha, flags: entry.flags, keys: ka.keys, args: ka.args, readOnly, isFunction: false });
}

const SCRIPT_HELP = [
  'SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
  'HELP',
  '    Prints this help.',
];

const keysOf = numkeysAt(2);

export const scriptingCommands: CommandDef[] = [
  { name: 'eval', handler: (ctx) => evalGeneric(ctx, false, false), getKeys: keysOf },
  { name: 'evalsha', handler: (ctx) => evalGeneric(ctx, true, false), getKeys: keysOf },
  { name: 'eval_ro', handler: (ctx) => evalGeneric(ctx, false, true), getKeys: keysOf },
  { name: 'evalsha_ro', handler: (ctx) => evalGeneric(ctx, true, true), getKeys: keysOf },
  {
    name: 'script|load',
    handler({ srv, argv, reply }) {
      const sc = scriptingOf(srv);
      const added = sc.cache.add(sc.vm, argv[2]);
      if (typeof added === 'string') return reply.error(added);
      reply.bulk(added.sha);
    },
  },
  {
    name: 'script|exists',
    handler({ srv, argv, reply }) {
      const cache = scriptingOf(srv).cache;
      reply.array(argv.length - 2);
      for (let i = 2; i < argv.length; i++) reply.int(cache.get(argv[i].latin1Slice(0, argv[i].length).toLowerCase()) ? 1 : 0);
    },
  },
  {
    name: 'script|flush',
    handler({ srv, argv, reply }) {
      if (argv.length > 3) return reply.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
      if (argv.length === 3) {
        const mode = argv[2].toString().toLowerCase();
        if (mode !== 'sync' && mode !== 'async') return reply.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
      }
      const sc = scriptingOf(srv);
      sc.cache.flush(sc.vmIfCreated);
      reply.ok();
    },
  },
  { name: 'script|kill', handler: (ctx) => killScript(ctx, false) },
  {
    name: 'script|help',
    handler({ reply }) {
      reply.array(SCRIPT_HELP.length);
      for (const l of SCRIPT_HELP) reply.simple(l);
    },
  },
];
