// Every command Redis 7.0 knows (the generated facts, not only what the engine implements), numbered
// for ACL bitmaps: a rule like +xadd or -@stream must be accepted and described exactly as Redis does,
// even for commands the engine has no handler for. Each entry carries its ACL categories (a bitmask)
// and its key specs (for key permission checks).
import { COMMAND_FACTS, type FactNode } from '../commands/generated/command-facts.js';
import { parseKeySpecs, type KeySpec } from './keyspecs.js';

/** Redis 7.0's categories, in ACL CAT's order (the describe algorithm breaks ties in this order). */
export const CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection',
  'transaction', 'scripting',
] as const;

export interface AclCommand {
  id: number;
  /** Full name: `get`, `config|get`. */
  name: string;
  parent: AclCommand | null;
  subs: AclCommand[];
  /** Bit i set = member of CATEGORIES[i]. */
  categories: number;
  arity: number;
  noAuth: boolean;
  specs: KeySpec[];
}

function arr(n: FactNode | undefined): FactNode[] {
  return n && typeof n === 'object' ? n.v : [];
}

function simpleNames(n: FactNode | undefined): string[] {
  return arr(n).map((f) => (f && typeof f === 'object' ? String(f.v[0]) : String(f)));
}

export class CommandUniverse {
  /** Parents and subcommands; index = id. The last bitmap bit (id === size) is Redis's "future commands" bit. */
  readonly all: AclCommand[] = [];
  /** Top-level commands in a stable order (alphabetical, as the facts are). */
  readonly top: AclCommand[] = [];
  private readonly byName = new Map<string, AclCommand>();

  constructor(facts: Record<string, FactNode>) {
    for (const name of Object.keys(facts).sort()) this.top.push(this.add(facts[name], null));
  }

  private add(fact: FactNode, parent: AclCommand | null): AclCommand {
    const v = arr(fact);
    let cats = 0;
    for (const c of simpleNames(v[6])) {
      const i = CATEGORIES.indexOf(c.slice(1) as (typeof CATEGORIES)[number]);
      if (i >= 0) cats |= 1 << i;
    }
    const cmd: AclCommand = {
      id: this.all.length,
      name: String(v[0]),
      parent,
      subs: [],
      categories: cats,
      arity: Number(v[1]),
      noAuth: simpleNames(v[2]).includes('no_auth'),
      specs: parseKeySpecs(v[8]),
    };
    this.all.push(cmd);
    this.byName.set(cmd.name, cmd);
    for (const sub of arr(v[9])) cmd.subs.push(this.add(sub, cmd));
    return cmd;
  }

  get size(): number {
    return this.all.length;
  }

  /** `get`, `config|get` (case-insensitive). */
  lookup(name: string): AclCommand | undefined {
    return this.byName.get(name.toLowerCase());
  }
}

let universe: CommandUniverse | null = null;

/** The shared universe, built on first use. */
export function commandUniverse(): CommandUniverse {
  universe ??= new CommandUniverse(COMMAND_FACTS);
  return universe;
}

export function categoryIndex(name: string): number {
  return CATEGORIES.indexOf(name.toLowerCase() as (typeof CATEGORIES)[number]);
}
