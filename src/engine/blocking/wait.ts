// The common shape of every blocking command: parse the timeout, try once now (replying WRONGTYPE
// for a wrong-typed key), and otherwise block, or answer the timeout reply at once where blocking is
// not allowed (inside MULTI/EXEC, scripts, or clients without a socket).
import type { CommandContext } from '../commands/table.js';
import { keyStr } from '../store/types.js';
import { blockingOf } from './registry.js';
import { longDoubleToNumber, parseLongDouble } from '../protocol/long-double.js';

/**
 * Runs the operation; `initial` is the first try, where a wrong-typed key is an error reply.
 * readyKey: on a wake-up, the key whose signal woke the client (undefined when none did).
 */
export type BlockedOp = (emit: (argv: Buffer[]) => void, initial: boolean, readyKey?: string) => boolean;

/**
 * Parses a timeout in (fractional) seconds into an absolute deadline in ms (0 = forever), as Redis
 * 7.0's getTimeoutFromObjectOrReply: strtold (hex floats, inf), ms = (long long)(secs * 1000), so a
 * product past the 64-bit range wraps to LLONG_MIN (x86): "negative", and -0.0001 truncates to 0: forever.
 */
export function parseTimeout(ctx: CommandContext, arg: Buffer): number | null {
  const v = parseLongDouble(arg.latin1Slice(0, arg.length));
  if (v === null) return (ctx.reply.error('ERR timeout is not a float or out of range'), null);
  const product = v === 'inf' ? -Infinity : longDoubleToNumber(v) * 1000;
  const ms = Math.abs(product) >= 2 ** 63 ? -1 : Math.trunc(product);
  if (ms < 0) return (ctx.reply.error('ERR timeout is negative'), null);
  // Past 2^52 ms (142k years) a JS deadline loses precision: that is forever too.
  return ms > 0 && ms < 2 ** 52 ? Date.now() + ms : 0;
}

/** deadline: absolute ms, 0 = block forever, -1 = never block (the non-blocking forms). */
export function serveOrBlock(ctx: CommandContext, keys: Buffer[], deadline: number, op: BlockedOp, timeoutReply: () => void): void {
  const { srv, client } = ctx;
  const now = op((argv) => {
    srv.dirty++;
    (ctx.propagate ??= []).push(argv);
  }, true);
  if (now) return;
  if (deadline < 0 || srv.dispatch.depth > 1 || !client.socket) {
    timeoutReply();
    return;
  }
  blockingOf(srv).block(client, ctx.db, keys.map(keyStr), deadline, (emit, readyKey) => op(emit, false, readyKey), timeoutReply);
}
