// Fault isolation: an exception escaping a command handler (an engine bug) must never end the node.
// It is logged (command and stack, rate-limited so a client repeating the bug cannot flood the log),
// counted (INFO stats `kvctl_internal_errors`, which the test harness requires to stay 0), and the
// client gets an error reply instead of whatever half a reply the handler had written.
import type { Server } from './server.js';

/** Log at most this many stacks per window; the rest are counted and summarized. */
const LOG_BURST = 5;
const LOG_WINDOW_MS = 10_000;

/** The log line every internal error starts with (the test harness looks for it too). */
export const INTERNAL_ERROR_LOG = 'Internal error';

export class InternalErrors {
  count = 0;
  private windowStart = 0;
  private loggedInWindow = 0;
  private suppressed = 0;

  constructor(private readonly srv: Server) {}

  /** Records an exception raised while running `where` (a command name, or a task); returns the reply text. */
  record(where: string, e: unknown): string {
    this.count++;
    const now = Date.now();
    if (now - this.windowStart >= LOG_WINDOW_MS) {
      if (this.suppressed > 0) this.srv.log.warning(`${INTERNAL_ERROR_LOG}: ${this.suppressed} more not logged in the last ${LOG_WINDOW_MS / 1000} s`);
      this.windowStart = now;
      this.loggedInWindow = 0;
      this.suppressed = 0;
    }
    if (this.loggedInWindow < LOG_BURST) {
      this.loggedInWindow++;
      const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
      this.srv.log.warning(`${INTERNAL_ERROR_LOG} in '${where}' (the node keeps serving): ${stack}`);
    } else {
      this.suppressed++;
    }
    return `ERR internal error in '${where}', the command was not completed (see the server log)`;
  }
}

const registry = new WeakMap<Server, InternalErrors>();

export function internalErrorsOf(srv: Server): InternalErrors {
  let r = registry.get(srv);
  if (!r) {
    r = new InternalErrors(srv);
    registry.set(srv, r);
  }
  return r;
}
