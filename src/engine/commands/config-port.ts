// CONFIG SET port: the new port is bound before the command answers, as Redis does. Binding is
// asynchronous in Node, so the client is held (its later commands wait, in order) until the
// listeners moved; a port that cannot be bound rolls the whole CONFIG SET back with Redis's error.
import type { CommandContext } from './table.js';
import { hold, release } from '../cluster/hold.js';

const FAILED = "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.";

export function applyPort(ctx: CommandContext, port: number, rollback: () => void): void {
  const { srv, client: c, reply } = ctx;
  // Inside EXEC the reply cannot wait: answer now, and undo (logged) if the bind fails.
  const held = c.multi === null && c.socket !== null;
  if (held) hold(c);
  else reply.ok();
  srv.relisten(port).then(
    () => {
      if (held) {
        c.reply.ok();
        release(srv, c);
      }
    },
    (e: Error) => {
      srv.log.warning(e.message);
      srv.log.warning('Failed to bind, trying to restore old listening sockets.');
      rollback();
      if (held) {
        c.reply.error(FAILED);
        release(srv, c);
      }
    },
  );
}
