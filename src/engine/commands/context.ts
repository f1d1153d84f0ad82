// The context a handler runs with. For a command parsed as a view (CommandArgs), argv is made from
// the read buffer the first time something reads it (a handler declining its lazy form, slowlog,
// MONITOR, propagation, hooks), once; handlers that take the view never pay for it.
import type { Client } from '../client.js';
import type { Db } from '../store/db.js';
import type { ReplyWriter } from '../protocol/writer.js';
import type { Server } from '../server.js';
import type { CommandArgs } from '../protocol/command-args.js';
import type { Command, CommandContext } from './table.js';

export class CallContext implements CommandContext {
  db: Db;
  reply: ReplyWriter;
  propagate: Buffer[][] | null = null;
  private owned: Buffer[] | null;
  /** Set while a reused context (bind) serves a call: a call nested in it gets a new one. */
  inUse = false;

  constructor(
    readonly srv: Server,
    public client: Client,
    public cmd: Command,
    argv: Buffer[] | null,
    /** The read-buffer view when the command came as one (valid during the call only), else null. */
    public args: CommandArgs | null,
  ) {
    this.db = client.db;
    this.reply = client.reply;
    this.owned = argv;
  }

  /** Makes this context the one of a new call on a view, as the constructor would (dispatch reuses
   * one context for the calls on views: nothing keeps a context past its call). */
  bind(client: Client, cmd: Command, args: CommandArgs): this {
    this.client = client;
    this.cmd = cmd;
    this.args = args;
    this.db = client.db;
    this.reply = client.reply;
    this.owned = null;
    this.propagate = null;
    this.inUse = true;
    return this;
  }

  /** Ends a bound call: forgets its argv and propagation (a big value is not kept until the next call). */
  release(): void {
    this.owned = null;
    this.propagate = null;
    this.inUse = false;
  }

  get argv(): Buffer[] {
    return (this.owned ??= (this.args as CommandArgs).argv());
  }
}
