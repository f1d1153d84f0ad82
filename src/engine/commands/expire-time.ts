// Turning an EX/PX/EXAT/PXAT argument into an absolute unix time in ms with Redis's checks and
// messages (shared by SET, GETEX, SETEX, PSETEX), and the argv that propagates such a time.
import { parseInt64 } from './args.js';
import { INVALID_EXPIRE, NOT_INTEGER } from './errors.js';
import type { CommandContext } from './table.js';
import { keyStr } from '../store/types.js';
import { notifyKeyspaceEvent } from '../pubsub/notify.js';

export type ExpireUnit = 'ex' | 'px' | 'exat' | 'pxat';

const LLONG_MAX = 9223372036854775807n;

/** Absolute ms, or the error reply text. `cmd` names the command in "invalid expire time". */
export function expireAt(arg: Buffer, unit: ExpireUnit, now: number, cmd: string): number | string {
  const v = parseInt64(arg);
  if (v === null) return NOT_INTEGER;
  const seconds = unit === 'ex' || unit === 'exat';
  if (v <= 0n || (seconds && v > LLONG_MAX / 1000n)) return INVALID_EXPIRE(cmd);
  let ms = seconds ? v * 1000n : v;
  if (unit === 'ex' || unit === 'px') ms += BigInt(now);
  if (ms <= 0n || ms > LLONG_MAX) return INVALID_EXPIRE(cmd);
  return Number(ms);
}

/** `PEXPIREAT key ms`-style argv for propagating an absolute expiry. */
export function msArg(ms: number): Buffer {
  return Buffer.from(String(ms));
}

const B_DEL = Buffer.from('DEL');
const B_PEXPIREAT = Buffer.from('PEXPIREAT');

/**
 * Gives an existing key the absolute expiry `at` (EXPIRE family, GETEX): a time already past deletes
 * the key and propagates DEL (on a master only, like Redis's checkAlreadyExpired), otherwise the
 * expiry is set and propagated as PEXPIREAT.
 */
export function applyExpireAt(ctx: CommandContext, keyArg: Buffer, at: number): void {
  const { srv, db } = ctx;
  if (at <= srv.now() && !srv.isReplica && !ctx.client.isMaster) {
    db.delete(keyStr(keyArg));
    ctx.propagate = [[B_DEL, keyArg]];
    notifyKeyspaceEvent(srv, 'g', 'del', keyArg, db.id);
  } else {
    db.setExpire(keyStr(keyArg), at);
    ctx.propagate = [[B_PEXPIREAT, keyArg, msArg(at)]];
    notifyKeyspaceEvent(srv, 'g', 'expire', keyArg, db.id);
  }
}
