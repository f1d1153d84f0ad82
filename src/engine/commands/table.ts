// The command table: facts (arity, flags, key positions, ACL categories, key specs) are data generated
// from redis-server 7.0's COMMAND reply; handlers come from the family files. Dispatch, COMMAND,
// cluster slot checks and replica READONLY checks all read this one table.
import type { Client } from '../client.js';
import type { Db } from '../store/db.js';
import type { ReplyWriter } from '../protocol/writer.js';
import type { Server } from '../server.js';
import type { CommandArgs } from '../protocol/command-args.js';
import { COMMAND_FACTS, type FactNode } from './generated/command-facts.js';

export interface CommandContext {
  srv: Server;
  client: Client;
  db: Db;
  reply: ReplyWriter;
  /** The arguments as owned Buffers (made from the read buffer on first read for a lazy call). */
  readonly argv: Buffer[];
  cmd: Command;
  /** What to propagate to AOF/replicas instead of argv (set by handlers that must be deterministic). */
  propagate: Buffer[][] | null;
}

export type Handler = (ctx: CommandContext) => void;

/**
 * A handler that reads its arguments from the read buffer (CommandArgs) instead of argv, for the hot
 * commands. It returns false, having done nothing, for a form it does not handle (options, counts,
 * odd numbers): the regular handler then runs. Whatever it keeps, it copies (args.stored/key).
 */
export type LazyHandler = (ctx: CommandContext, args: CommandArgs) => boolean;

/** What a family file declares: the handler and, only where the engine differs, overrides of facts. */
export interface CommandDef {
  /** Lower-case name; `parent|sub` for subcommands. */
  name: string;
  handler: Handler;
  /**
   * The read-buffer variant of handler for its common forms (LazyHandler). A command that has one runs
   * on a CallContext the dispatcher reuses for the next call (lazy and, when it returns false, handler):
   * neither may keep ctx past the call (a blocking form's wake-up closure must not capture it).
   */
  lazy?: LazyHandler;
  /** Key argument positions for commands whose keys move (movablekeys), e.g. ZUNIONSTORE, MIGRATE. */
  getKeys?: (argv: Buffer[]) => number[];
  /** Facts for commands redis-server does not list in normal mode (Sentinel's) or engine-only ones. */
  arity?: number;
  flags?: string[];
  keys?: [first: number, last: number, step: number];
}

export class Command {
  readonly flags: Set<string>;
  readonly isWrite: boolean;
  readonly denyOom: boolean;
  /** Flagged `fast` (O(1) or O(log N)): dispatch times a run of them with one clock reading (command-timing.ts). */
  readonly isFast: boolean;
  readonly noAuth: boolean;
  readonly isAdmin: boolean;
  readonly movableKeys: boolean;
  readonly subcommands = new Map<string, Command>();
  parent: Command | null = null;
  /** Redis's CMD_PROTECTED (DEBUG, MODULE LOAD/LOADEX/UNLOAD; COMMAND does not show it): set by
   * commands/protected.ts, checked by dispatch before anything but arity. */
  isProtected = false;

  constructor(
    readonly name: string,
    readonly arity: number,
    flags: string[],
    readonly firstKey: number,
    readonly lastKey: number,
    readonly step: number,
    /** The facts this command was built from (lazy-facts.ts: parsed when read), or null. */
    private readonly facts: Record<string, FactNode> | null,
    public handler: Handler | null,
    readonly getKeysFn?: (argv: Buffer[]) => number[],
    /** CommandDef.lazy */
    readonly lazy: LazyHandler | null = null,
  ) {
    this.flags = new Set(flags);
    this.isWrite = this.flags.has('write');
    this.denyOom = this.flags.has('denyoom');
    this.isFast = this.flags.has('fast');
    this.noAuth = this.flags.has('no_auth');
    this.isAdmin = this.flags.has('admin');
    this.movableKeys = this.flags.has('movablekeys') || getKeysFn !== undefined;
  }

  private factCache: FactNode | null | undefined = undefined;

  /** Redis's COMMAND entry for this command (a subcommand's is nested in its parent's), read on first use. */
  get fact(): FactNode | null {
    if (this.factCache === undefined) {
      let f: FactNode | undefined = undefined;
      if (this.facts && this.parent) {
        const full = this.fullName;
        f = factArr(this.parent.fact ?? undefined)[9] as FactNode | undefined;
        f = factArr(f).find((sub) => factArr(sub)[0] === full);
      } else if (this.facts) {
        f = this.facts[this.name];
      }
      this.factCache = f ?? null;
    }
    return this.factCache;
  }

  /** `config|get` style name used in error messages. */
  get fullName(): string {
    return this.parent ? `${this.parent.name}|${this.name}` : this.name;
  }

  arityOk(argc: number): boolean {
    return this.arity >= 0 ? argc === this.arity : argc >= -this.arity;
  }

  /** Positions in argv that hold keys (for cluster slot checks, COMMAND GETKEYS). */
  keyPositions(argv: Buffer[]): number[] {
    if (this.getKeysFn) return this.getKeysFn(argv);
    if (this.firstKey <= 0) return [];
    const last = this.lastKey < 0 ? argv.length + this.lastKey : this.lastKey;
    const out: number[] = [];
    for (let i = this.firstKey; i <= last && i < argv.length; i += this.step || 1) out.push(i);
    return out;
  }
}

function factArr(n: FactNode | undefined): FactNode[] {
  return n && typeof n === 'object' ? n.v : [];
}

function fromFact(name: string, fact: FactNode, facts: Record<string, FactNode>, handlers: Map<string, CommandDef>): Command {
  const v = factArr(fact);
  const def = handlers.get(name);
  const cmd = new Command(
    name.includes('|') ? name.split('|')[1] : name,
    v[1] as number,
    factArr(v[2]).map((f) => (f && typeof f === 'object' ? f.v[0] : f)) as string[],
    v[3] as number,
    v[4] as number,
    v[5] as number,
    facts,
    def?.handler ?? null,
    def?.getKeys,
    def?.lazy ?? null,
  );
  for (const sub of factArr(v[9])) {
    const subName = factArr(sub)[0] as string;
    const sc = fromFact(subName, sub, facts, handlers);
    sc.parent = cmd;
    cmd.subcommands.set(sc.name, sc);
  }
  return cmd;
}

/**
 * The commands built from one command list and facts. A Command never changes once built
 * (rename-command changes a table's names, not its commands), so every table made from the same list
 * shares them: servers in one process, and nodes started from the start-up snapshot, whose warm-up
 * server built the engine's table while the snapshot was made (snapshot.cts).
 */
const BUILT = new WeakMap<CommandDef[], WeakMap<object, Map<string, Command>>>();

function buildCommands(defs: CommandDef[], facts: Record<string, FactNode>): Map<string, Command> {
  const commands = new Map<string, Command>();
  const handlers = new Map(defs.map((d) => [d.name, d] as [string, CommandDef]));
  // Subcommand defs by parent, built once (scanning every def per command was quadratic at startup).
  const subDefs = new Map<string, CommandDef[]>();
  for (const d of defs) {
    const bar = d.name.indexOf('|');
    if (bar <= 0 || bar === d.name.length - 1) continue;
    const p = d.name.slice(0, bar);
    const list = subDefs.get(p);
    if (list) list.push(d);
    else subDefs.set(p, [d]);
  }
  for (const def of defs) {
    const top = def.name.split('|')[0];
    if (commands.has(top)) continue;
    const fact = facts[top];
    let cmd: Command;
    if (fact) {
      cmd = fromFact(top, fact, facts, handlers);
    } else {
      const [f, l, s] = def.keys ?? [0, 0, 0];
      cmd = new Command(top, def.arity ?? -1, def.flags ?? [], f, l, s, null, handlers.get(top)?.handler ?? null, def.getKeys);
    }
    // Subcommands without a handler are dropped so COMMAND lists only what works.
    for (const [n, sc] of cmd.subcommands) if (!sc.handler) cmd.subcommands.delete(n);
    for (const d of subDefs.get(top) ?? []) {
      const sub = d.name.split('|')[1];
      if (!cmd.subcommands.has(sub)) {
        const [f, l, s] = d.keys ?? [0, 0, 0];
        const sc = new Command(sub, d.arity ?? -2, d.flags ?? [], f, l, s, null, d.handler, d.getKeys);
        sc.parent = cmd;
        cmd.subcommands.set(sub, sc);
      }
    }
    commands.set(top, cmd);
  }
  return commands;
}

/** Built from the generated facts and the families' handlers. Only implemented commands are listed. */
export class CommandTable {
  readonly commands: Map<string, Command>;

  /** `facts`: the generated facts to read (Sentinel adds its own commands' facts). */
  constructor(defs: CommandDef[], facts: Record<string, FactNode> = COMMAND_FACTS) {
    let byFacts = BUILT.get(defs);
    if (!byFacts) BUILT.set(defs, (byFacts = new WeakMap()));
    let built = byFacts.get(facts);
    if (!built) byFacts.set(facts, (built = buildCommands(defs, facts)));
    this.commands = new Map(built);
  }

  lookup(name: string): Command | undefined {
    return this.commands.get(name) ?? this.commands.get(name.toLowerCase());
  }

  /** rename-command: `NEW ""` disables the command. */
  rename(from: string, to: string): boolean {
    const cmd = this.commands.get(from);
    if (!cmd) return false;
    this.commands.delete(from);
    if (to !== '') this.commands.set(to, cmd);
    return true;
  }
}
