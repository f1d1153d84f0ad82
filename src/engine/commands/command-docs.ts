// COMMAND DOCS, GETKEYSANDFLAGS and HELP. Docs come from generated/command-docs.ts (redis-server's
// own COMMAND DOCS reply, captured by scripts/gen-command-facts.ts), restricted to what the engine
// implements. Key flags come from the command's key specs, evaluated as Redis evaluates them.
import type { Command, CommandContext } from './table.js';
import type { FactNode } from './generated/command-facts.js';
import { commandDocs } from './generated/command-docs.js';
import { parseInt64 } from './args.js';

type Obj = { t: 'set' | 'map' | 'arr' | 'simple'; v: FactNode[] };
const isObj = (n: FactNode | undefined): n is Obj => typeof n === 'object' && n !== null;

/** Value of `key` in a RESP3-shaped map node. */
function get(map: FactNode | undefined, key: string): FactNode | undefined {
  if (!isObj(map)) return undefined;
  for (let i = 0; i < map.v.length; i += 2) if (map.v[i] === key) return map.v[i + 1];
  return undefined;
}

/** Writes a docs node, dropping subcommands the engine does not implement. */
function writeDocs(ctx: CommandContext, n: FactNode, cmd: Command | null, inSubcommands = false): void {
  const r = ctx.reply;
  if (n === null) return r.null();
  if (typeof n === 'string') return r.bulk(n);
  if (typeof n === 'number') return r.int(n);
  if (typeof n === 'boolean') return r.bool(n);
  if (n.t === 'simple') return r.simple(String(n.v[0]));
  if (n.t !== 'map') {
    if (n.t === 'set') r.set(n.v.length);
    else r.array(n.v.length);
    for (const x of n.v) writeDocs(ctx, x, null);
    return;
  }
  const pairs: [string, FactNode, Command | null][] = [];
  for (let i = 0; i < n.v.length; i += 2) {
    const k = n.v[i] as string;
    if (inSubcommands) {
      const sub = cmd?.subcommands.get(k.split('|')[1] ?? '');
      if (sub) pairs.push([k, n.v[i + 1], sub]);
    } else pairs.push([k, n.v[i + 1], cmd]);
  }
  r.map(pairs.length);
  for (const [k, v, c] of pairs) {
    r.bulk(k);
    writeDocs(ctx, v, c, !inSubcommands && k === 'subcommands');
  }
}

export function commandDocsHandler(ctx: CommandContext): void {
  const { srv, argv } = ctx;
  const cmds = argv.length > 2
    ? argv.slice(2).map((a) => srv.table.lookup(a.toString().toLowerCase())).filter((c): c is Command => c !== undefined)
    : [...srv.table.commands.values()];
  const entries = cmds.map((c) => [c, commandDocs(c.name)] as const).filter(([, d]) => d !== undefined);
  ctx.reply.map(entries.length);
  for (const [c, d] of entries) {
    ctx.reply.bulk(c.name);
    writeDocs(ctx, d as FactNode, c);
  }
}

/** Key positions with their flags from the command's key specs; null when a spec cannot be applied. */
function keysFromSpecs(cmd: Command, argv: Buffer[]): [number, string[]][] | null | 'bad-numkeys' {
  const specs = isObj(cmd.fact) ? cmd.fact.v[8] : undefined;
  if (!isObj(specs) || specs.v.length === 0) return null;
  const out: [number, string[]][] = [];
  const argc = argv.length;
  for (const spec of specs.v) {
    const flags = (get(spec, 'flags') as Obj | undefined)?.v.map((f) => String((f as Obj).v[0])) ?? [];
    if (flags.includes('incomplete') || flags.includes('variable_flags')) return null;
    const bs = get(spec, 'begin_search');
    const bsSpec = get(bs, 'spec');
    let first = 0;
    if (get(bs, 'type') === 'index') first = get(bsSpec, 'index') as number;
    else if (get(bs, 'type') === 'keyword') {
      const word = String(get(bsSpec, 'keyword')).toLowerCase();
      const from = get(bsSpec, 'startfrom') as number;
      const start = from > 0 ? from : argc + from;
      const end = from > 0 ? argc - 1 : 0;
      const inc = from > 0 ? 1 : -1;
      for (let i = start; i !== end; i += inc) {
        if (i >= argc || i < 1) break;
        if (argv[i].toString('latin1').toLowerCase() === word) {
          first = i + 1;
          break;
        }
      }
      if (!first) continue;
    } else return null;
    const fk = get(spec, 'find_keys');
    const fkSpec = get(fk, 'spec');
    let last: number;
    let step: number;
    if (get(fk, 'type') === 'range') {
      step = get(fkSpec, 'keystep') as number;
      const lastkey = get(fkSpec, 'lastkey') as number;
      const limit = get(fkSpec, 'limit') as number;
      last = lastkey >= 0 ? first + lastkey : !limit ? argc + lastkey : first + (Math.floor((argc - first) / limit) + lastkey);
    } else if (get(fk, 'type') === 'keynum') {
      step = get(fkSpec, 'keystep') as number;
      const idx = get(fkSpec, 'keynumidx') as number;
      if (idx >= argc - first) return 'bad-numkeys';
      const n = parseInt64(argv[first + idx]);
      if (n === null || n < 0n) return 'bad-numkeys';
      first += get(fkSpec, 'firstkey') as number;
      last = first + Number(n) - 1;
    } else return null;
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) out.push([i, flags]);
  }
  return out;
}

const RW_UPDATE = ['RW', 'access', 'update'];

/**
 * COMMAND GETKEYSANDFLAGS's keys: from key specs; SET and BITFIELD (whose flags depend on their
 * arguments) and commands with incomplete specs as Redis's own key finders flag them.
 */
export function keysAndFlags(cmd: Command, argv: Buffer[]): [number, string[]][] {
  const args = (from: number) => argv.slice(from).map((a) => a.toString('latin1').toLowerCase());
  if (cmd.fullName === 'set') return [[1, args(3).includes('get') ? RW_UPDATE : ['OW', 'update']]];
  if (cmd.fullName === 'bitfield') return [[1, args(2).some((a) => a === 'set' || a === 'incrby') ? RW_UPDATE : ['RO', 'access']]];
  const fromSpecs = keysFromSpecs(cmd, argv);
  if (fromSpecs === 'bad-numkeys') return []; // Redis's own finders reject a bad numkeys too
  if (fromSpecs) return fromSpecs;
  // The first key is the first spec's; later ones (a STORE destination...) the last spec's.
  const specs = isObj(cmd.fact) && isObj(cmd.fact.v[8]) ? cmd.fact.v[8].v : [];
  const flagsOf = (i: number): string[] =>
    ((get(specs[i === 0 ? 0 : specs.length - 1], 'flags') as Obj | undefined)?.v ?? []).map((f) => String((f as Obj).v[0])).filter((f) => f !== 'incomplete');
  return cmd.keyPositions(argv).map((p, i) => [p, flagsOf(i)]);
}

const HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

export function commandHelp(ctx: CommandContext): void {
  ctx.reply.array(HELP.length);
  for (const l of HELP) ctx.reply.simple(l);
}
