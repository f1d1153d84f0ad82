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
  readonly db: Db;
  readonly reply: ReplyWriter;
  propagate: Buffer[][] | null = null;
  private owned: Buffer[] | null;

  constructor(
    readonly srv: Server,
    readonly client: Client,
    readonly cmd: Command,
    argv: Buffer[] | null,
    /** The read-buffer view when the command came as one (valid during the call only), else null. */
    readonly args: CommandArgs | null,
  ) {
    this.db = client.db;
    this.reply = client.reply;
    this.owned = argv;
  }

  get argv(): Buffer[] {
    return (this.owned ??= (this.args as CommandArgs).argv());
  }
}
