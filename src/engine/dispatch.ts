// Command dispatch, in the order Redis's processCommand checks things: lookup, arity, auth, guards
// (cluster redirect, OOM, MISCONF, NOREPLICAS, READONLY, ...), RESP2 pub/sub context, MULTI queueing,
// then the call itself with dirty tracking and propagation to AOF and replicas.
import type { Client } from './client.js';
import type { Command } from './commands/table.js';
import type { CommandArgs } from './protocol/command-args.js';
import type { Server } from './server.js';
import { discardTransaction, execAbortError } from './commands/transactions.js';
import { CommandTimer, type CommandStat } from './command-timing.js';
import { internalErrorsOf } from './internal-errors.js';
import { CallContext } from './commands/context.js';
import { shownArgs } from './redact.js';

/** A check run before a command; returns the error reply (with its prefix) or null to go on. */
export type Guard = (c: Client, cmd: Command, argv: Buffer[]) => string | null;

/** A guard's check on a command read as a view of the read buffer (valid during the call only). */
export type ViewGuard = (c: Client, cmd: Command, args: CommandArgs) => string | null;

export interface GuardEntry {
  /** Redis's order: cluster 10, OOM 20, MISCONF 30, NOREPLICAS 40, READONLY 50, MASTERDOWN 70, LOADING 80. */
  order: number;
  name: string;
  guard: Guard;
  /** The same check reading a view's arguments in place (executeArgs then copies nothing out for it). */
  viewGuard?: ViewGuard;
  /**
   * The commands the guard may refuse or hold, when that depends on the command alone: for any other
   * command it must return null whatever the state. Dispatch then skips it for those (a guard is a
   * call per command: the nine of a default server cost PING a quarter of its dispatch at -P 16).
   */
  appliesTo?: (cmd: Command) => boolean;
  /**
   * False while the guard's state cannot refuse or hold anything (no maxmemory, not a replica, ...):
   * dispatch skips it without a call. Its owner keeps this true whenever the guard could answer
   * non-null, through Dispatcher.arm when its config or role changes. Absent means armed.
   */
  armed?: boolean;
  /** Set by addGuard: the guard was declared with an argv parameter (Function.length, read once:
   * it is an accessor call, which showed in executeArgs' profile when read per command). */
  takesArgv?: boolean;
}

/** What a guard declared without an argv parameter gets from executeArgs: it cannot read it. */
const NO_ARGV: Buffer[] = [];

const PUBSUB_OK = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe', 'ping', 'quit', 'reset']);
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

function unknownCommand(argv: Buffer[]): string {
  let args = '';
  for (let j = 1; j < argv.length && args.length < 128; j++) {
    args += `'${argv[j].latin1Slice(0, Math.min(argv[j].length, 128 - args.length))}' `;
  }
  // latin1 images: the client's bytes go back unchanged (the writer emits latin1).
  return `ERR unknown command '${argv[0].latin1Slice(0, Math.min(argv[0].length, 128))}', with args beginning with: ${args}`;
}

export class Dispatcher {
  readonly guards: GuardEntry[] = [];
  /** ACL permission check (acl/check.ts): the NOPERM reply, or null to go on. */
  aclCheck: Guard | null = null;
  /** Whether the ACL check passes the client whatever its arguments (an unrestricted user). */
  aclUnrestricted: (c: Client) => boolean = () => true;
  /** enable-debug-command / enable-module-command (commands/protected.ts), for cmd.isProtected. */
  protectedCheck: Guard | null = null;
  /** Nesting of call(): 1 inside a top-level command, 2+ inside EXEC or a script (no blocking there). */
  depth = 0;
  /** Commandstats usec, slow log and afterCall timing; server.ts onData brackets each read with it. */
  readonly timer: CommandTimer;

  /** The context reused by calls on views (call()). */
  private viewCtx: CallContext | null = null;

  /** The last command's stats entry (srv.commandStats), forgotten on CONFIG RESETSTAT. */
  private statsCmd: Command | null = null;
  private statsEntry: CommandStat | undefined = undefined;

  constructor(private readonly srv: Server) {
    this.timer = new CommandTimer(srv);
    srv.hooks.resetStat.push(() => {
      this.statsCmd = null;
      this.statsEntry = undefined;
    });
  }

  addGuard(entry: GuardEntry): void {
    entry.takesArgv = entry.guard.length > 2;
    this.guards.push(entry);
    this.guards.sort((a, b) => a.order - b.order);
    this.forgetGuardLists();
  }

  /** Arms or disarms a guard (GuardEntry.armed); takes effect from the next command on. */
  arm(entry: GuardEntry, on: boolean): void {
    if ((entry.armed !== false) === on) return;
    entry.armed = on;
    this.forgetGuardLists();
  }

  private forgetGuardLists(): void {
    this.guardsByCmd.clear();
    this.guardsCmd = null;
  }

  /** The armed guards a command goes through, in order (GuardEntry.appliesTo), one list per command. */
  private readonly guardsByCmd = new Map<Command, GuardEntry[]>();
  /** The last command's list: a pipeline repeats one command. */
  private guardsCmd: Command | null = null;
  private guardsOfCmd: GuardEntry[] = [];

  /** The armed guards a command goes through now. */
  armedGuards(cmd: Command): readonly GuardEntry[] {
    return this.guardsFor(cmd);
  }

  private guardsFor(cmd: Command): GuardEntry[] {
    if (cmd === this.guardsCmd) return this.guardsOfCmd;
    let list = this.guardsByCmd.get(cmd);
    if (list === undefined) {
      list = this.guards.filter((g) => g.armed !== false && (g.appliesTo === undefined || g.appliesTo(cmd)));
      this.guardsByCmd.set(cmd, list);
    }
    this.guardsCmd = cmd;
    this.guardsOfCmd = list;
    return list;
  }

  /** Command names as clients spell them (GET, get, Get) -> command; bounded against junk names. */
  private readonly spellings = new Map<string, Command>();
  private lastNameBuf: Buffer | null = null;
  private lastNameCmd: Command | undefined = undefined;

  /** Resolves argv to a command (descending into subcommands) or returns the error text; c: the
   * client that sent it, whose last name is remembered (Client.nameBuf). */
  resolve(argv: Buffer[], c: Client | null = null): Command | string {
    const cmd = this.lookupName(argv[0], c);
    if (!cmd) return unknownCommand(argv);
    if (cmd.subcommands.size > 0 && argv.length >= 2) {
      const subName = argv[1].toString().toLowerCase();
      const sub = cmd.subcommands.get(subName);
      if (!sub) {
        if (cmd.handler) return cmd; // container with its own handler (e.g. SCRIPT-like fallbacks)
        return `ERR unknown subcommand '${argv[1].toString().slice(0, 128)}'. Try ${cmd.name.toUpperCase()} HELP.`;
      }
      if (!sub.arityOk(argv.length)) return `ERR wrong number of arguments for '${sub.fullName}' command`;
      return sub;
    }
    if (!cmd.arityOk(argv.length)) return `ERR wrong number of arguments for '${cmd.fullName}' command`;
    if (!cmd.handler) return `ERR wrong number of arguments for '${cmd.fullName}' command`;
    return cmd;
  }

  /** The command a name (argv[0]) spells, top-level only. */
  private lookupName(nameBuf: Buffer, c: Client | null): Command | undefined {
    // The parser hands a client's repeated command name over as the same Buffer: resolve it once.
    if (c !== null && nameBuf === c.nameBuf) return c.nameCmd;
    if (nameBuf === this.lastNameBuf) return this.lastNameCmd;
    const name = nameBuf.latin1Slice(0, nameBuf.length);
    let cmd = this.spellings.get(name);
    if (cmd === undefined) {
      cmd = this.srv.table.lookup(name);
      if (cmd && this.spellings.size < 4096) this.spellings.set(name, cmd);
    }
    if (cmd) {
      this.lastNameBuf = nameBuf;
      this.lastNameCmd = cmd;
      if (c !== null) {
        c.nameBuf = nameBuf;
        c.nameCmd = cmd;
      }
    }
    return cmd;
  }

  /**
   * Entry point for a command parsed as a view of the read buffer (valid during this call only). A
   * command with a lazy handler, from a client in the plain state (no MULTI, not blocked, authenticated,
   * not subscribed, unrestricted ACL user) runs on the view; anything else gets owned argv first.
   */
  executeArgs(c: Client, args: CommandArgs): void {
    const cmd = this.lookupName(args.name, c);
    if (
      cmd === undefined ||
      cmd.lazy === null ||
      c.blocked !== null ||
      c.multi !== null ||
      !c.authenticated ||
      c.inPubSubContext ||
      cmd.isProtected ||
      !cmd.arityOk(args.count) ||
      (this.aclCheck !== null && !this.aclUnrestricted(c))
    ) {
      return this.execute(c, args.argv());
    }
    for (const g of this.guardsFor(cmd)) {
      // A guard declared with an argv parameter and no viewGuard gets the arguments copied out (an
      // armed guard may read them: the pause guard).
      const err = g.viewGuard !== undefined ? g.viewGuard(c, cmd, args) : g.guard(c, cmd, g.takesArgv !== false ? args.argv() : NO_ARGV);
      if (err !== null) {
        if (c.blocked) return void c.pending.unshift(args.argv());
        // No argv for reject: it reads it only to spot EXEC, which has no lazy form.
        return this.reject(c, err);
      }
    }
    this.call(c, cmd, args);
  }

  /** Entry point for every command from a socket, the master link or the AOF loader. */
  execute(c: Client, argv: Buffer[]): void {
    if (c.blocked) {
      c.pending.push(argv);
      c.blocked.queued?.(argv);
      return;
    }
    if (c.early !== null) {
      const started = c.early.get(argv);
      if (started !== undefined) {
        c.early.delete(argv);
        if (c.early.size === 0) c.early = null;
        return this.call(c, started, argv);
      }
    }
    const resolved = this.resolve(argv, c);
    if (typeof resolved === 'string') {
      if (c.multi) c.multi.error = true;
      return this.reject(c, resolved, argv);
    }
    const cmd = resolved;
    // Redis checks protected commands right after arity: before auth, ACL, guards and MULTI.
    const refused = cmd.isProtected && this.protectedCheck !== null ? this.protectedCheck(c, cmd, argv) : null;
    if (refused !== null) {
      if (c.multi) c.multi.error = true;
      return this.reject(c, refused, argv);
    }
    if (c.multi && cmd.flags.has('no_multi')) {
      c.multi.error = true;
      return this.reject(c, 'ERR Command not allowed inside a transaction', argv);
    }
    if (!c.authenticated && !cmd.noAuth) {
      if (c.multi) c.multi.error = true;
      return this.reject(c, 'NOAUTH Authentication required.', argv);
    }
    const denied = this.aclCheck === null ? null : this.aclCheck(c, cmd, argv);
    if (denied !== null) {
      if (c.multi) c.multi.error = true;
      return this.reject(c, denied, argv);
    }
    for (const g of this.guardsFor(cmd)) {
      const err = g.guard(c, cmd, argv);
      if (err !== null) {
        // A guard that blocked the client holds the command back (cluster manual failover pause): rerun on unblock.
        if (c.blocked) return void c.pending.unshift(argv);
        if (c.multi) c.multi.error = true;
        return this.reject(c, err, argv);
      }
    }
    if (c.inPubSubContext && !PUBSUB_OK.has(cmd.parent ? cmd.parent.name : cmd.name)) {
      if (c.multi) c.multi.error = true;
      return this.reject(c, `ERR Can't execute '${cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`, argv);
    }
    if (c.multi && !MULTI_IMMEDIATE.has(cmd.parent ? cmd.parent.name : cmd.name)) {
      c.multi.queue.push({ cmd, argv });
      if (c.replyMode === 'on') c.reply.simple('QUEUED');
      return;
    }
    this.call(c, cmd, argv);
  }

  private reject(c: Client, err: string, argv?: Buffer[]): void {
    this.srv.stats.rejectedCalls++;
    // A refused EXEC (arity, auth, a guard, pub/sub context) ends the transaction and answers EXECABORT,
    // in or out of MULTI, as Redis's rejectCommand -> execCommandAbort does.
    if (argv && argv[0].length === 4 && argv[0].toString().toLowerCase() === 'exec') {
      discardTransaction(c);
      err = execAbortError(err);
    }
    this.replyOrMute(c, () => c.reply.error(err));
  }

  private replyOrMute(c: Client, fn: () => void): void {
    if (c.replyMode === 'on') return fn();
    c.reply.muted = true;
    fn();
    c.reply.muted = false;
    if (c.replyMode === 'skip') c.replyMode = 'on';
  }

  /**
   * Runs a resolved command: dirty tracking, propagation, stats, slowlog, after-hooks. args: a view
   * of the read buffer (executeArgs), whose argv is copied out only if something reads it.
   */
  call(c: Client, cmd: Command, argv: Buffer[] | CommandArgs): void {
    const srv = this.srv;
    const view = Array.isArray(argv) ? null : argv;
    // A call on a view (the -P 16 path) takes the reused context unless a call it nested in holds it
    // (a blocked client served from an afterCommand hook): one object less per command, ~4-8% of the
    // JS request path at -P 16 through fewer scavenges.
    const reused = view !== null && (this.viewCtx === null || !this.viewCtx.inUse);
    const ctx = reused ? (this.viewCtx ??= new CallContext(srv, c, cmd, null, view)).bind(c, cmd, view) : new CallContext(srv, c, cmd, view === null ? (argv as Buffer[]) : null, view);
    const dirty0 = srv.dirty;
    // The timer's clock readings are shared by INFO commandstats, the slow log and the afterCall
    // hooks (latency): the latency module's own before/after pair cost ~4% at -P 16. A top-level
    // fast command in a socket read joins a run timed as a whole (command-timing.ts).
    const timer = this.timer;
    const timed = srv.slowlog.thresholdUs >= 0 || srv.hooks.afterCall.length > 0;
    const inRun = timed && cmd.isFast && this.depth === 0 && timer.sharing;
    const t0 = timed && !inRun ? timer.start() : 0;
    const mode = c.replyMode;
    if (mode !== 'on') c.reply.muted = true;
    this.depth++;
    for (const h of srv.hooks.beforeCall) h(c, cmd, ctx);
    const mark = c.reply.mark();
    try {
      if (view === null || !(cmd.lazy as NonNullable<typeof cmd.lazy>)(ctx, view)) (cmd.handler as NonNullable<typeof cmd.handler>)(ctx);
    } catch (e) {
      // An engine bug: answer an error in place of any half-written reply and keep serving.
      c.reply.rollback(mark);
      c.reply.error(internalErrorsOf(srv).record(cmd.fullName, e));
    } finally {
      this.depth--;
      if (mode !== 'on') {
        c.reply.muted = false;
        // CLIENT REPLY SKIP mutes exactly the next command's reply.
        if (mode === 'skip' && c.replyMode === 'skip') c.replyMode = 'on';
      }
    }
    srv.stats.commands++;
    // A pipeline repeats one command: its stats entry is remembered (until CONFIG RESETSTAT).
    let st: CommandStat | undefined = cmd === this.statsCmd ? this.statsEntry : srv.commandStats.get(cmd.fullName);
    if (st === undefined) {
      st = { calls: 0, usec: 0, failed: 0, rejected: 0 };
      srv.commandStats.set(cmd.fullName, st);
    }
    this.statsCmd = cmd;
    this.statsEntry = st;
    st.calls++;
    if (inRun) timer.defer(c, cmd, view === null ? (argv as Buffer[]) : view, st);
    else if (timed) timer.finish(c, cmd, ctx, st, t0);
    c.lastCommand = cmd.fullName;
    // After the call like Redis 7.0: SELECT shows its new db, EXEC follows the commands it ran.
    if (srv.monitors.size > 0 && !cmd.flags.has('skip_monitor') && !cmd.isAdmin) srv.monitors.feed(c, shownArgs(cmd, ctx.argv));
    if (srv.dirty !== dirty0) {
      const out = ctx.propagate;
      // A view's argv is copied out only when a sink takes it.
      if (out === null) {
        if (view === null || srv.propagation.wanted) srv.propagate(c.dbIndex, ctx.argv, c.isMaster);
      }
      else for (const a of out) srv.propagate(c.dbIndex, a, c.isMaster);
    }
    for (const h of srv.hooks.afterCommand) h(c, cmd, ctx);
    // Not reached when a hook throws: later calls then allocate, as before.
    if (reused) ctx.release();
  }
}
