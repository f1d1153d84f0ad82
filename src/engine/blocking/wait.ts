// The common shape of every blocking command: parse the timeout, try once now (replying WRONGTYPE
// for a wrong-typed key), and otherwise block, or answer the timeout reply at once where blocking is
// not allowed (inside MULTI/EXEC, scripts, or clients without a socket).
import type { CommandContext } from '../commands/table.js';
import { keyStr } from '../store/types.js';
import { blockingOf } from './registry.js';

/**
 * Runs the operation; `initial` is the first try, where a wrong-typed key is an error reply.
 * readyKey: on a wake-up, the key whose signal woke the client (undefined when none did).
 */
export type BlockedOp = (emit: (argv: Buffer[]) => void, initial: boolean, readyKey?: string) => boolean;

/** Parses a timeout in (fractional) seconds into an absolute deadline in ms (0 = forever). */
export function parseTimeout(ctx: CommandContext, arg: Buffer): number | null {
  const s = arg.latin1Slice(0, arg.length);
  const bad = () => (ctx.reply.error('ERR timeout is not a float or out of range'), null);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return bad();
  const secs = Number(s);
  if (!Number.isFinite(secs)) return bad();
  if (secs < 0) return (ctx.reply.error('ERR timeout is negative'), null);
  const ms = Math.floor(secs * 1000);
  if (ms > Number.MAX_SAFE_INTEGER / 2) return (ctx.reply.error('ERR timeout is out of range'), null);
  return ms > 0 ? Date.now() + ms : 0;
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
