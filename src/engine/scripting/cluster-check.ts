// The cluster check Redis 7.0 makes before each redis.call in a cluster node (scriptVerifyClusterState):
// the command's keys must be served here as the cluster guard would serve them (else "non local key",
// whatever the guard's own verdict: MOVED, ASK, TRYAGAIN, CROSSSLOT), and, unless the script allows
// cross-slot keys (flag, or an EVAL without shebang), every key the script touches must share the slot
// of the keys the caller declared (or of the first key it touched when it declared none).
import type { Command } from '../commands/table.js';
import type { Cluster } from '../cluster/cluster.js';
import { keyHashSlot } from '../cluster/crc16.js';
import { keyStr } from '../store/types.js';
import { F_ALLOW_CROSS_SLOT, F_EVAL_COMPAT } from './flags.js';
import type { RunCtx } from './run-context.js';

const NON_LOCAL = 'ERR Script attempted to access a non local key in a cluster node';
const CROSS_SLOT = 'ERR Script attempted to access keys that do not hash to the same slot';
const DOWN = 'ERR Script attempted to execute a command while the cluster is down';
const DOWN_RO = 'ERR Script attempted to execute a write command while the cluster is down and readonly';

/** The one slot of the keys, -1 for none, -2 when they hash to several. */
export function slotOfKeys(keys: Buffer[]): number {
  let slot = -1;
  for (const k of keys) {
    const s = keyHashSlot(k);
    if (slot === -1) slot = s;
    else if (s !== slot) return -2;
  }
  return slot;
}

/** Null when the command may run inside the script; else the error redis.call raises. */
export function scriptClusterCheck(cl: Cluster, ctx: RunCtx, cmd: Command, argv: Buffer[]): string | null {
  const positions = cmd.keyPositions(argv);
  if (positions.length === 0) return null;
  const keys = positions.map((p) => argv[p]);
  const slot = slotOfKeys(keys);
  if (slot === -2) return NON_LOCAL;
  const st = cl.state;
  const me = st.myself;
  const owner = st.slots[slot];
  if (!owner) return NON_LOCAL;
  if (!st.ok) {
    if (!ctx.srv.config.bool('cluster-allow-reads-when-down')) return DOWN;
    if (cmd.isWrite) return DOWN_RO;
  }
  const db = ctx.fake.db;
  if (owner === me) {
    // A migrating slot is ours only for keys still here (else ASK / TRYAGAIN to the caller).
    if (st.migrating.has(slot) && keys.some((k) => !db.has(keyStr(k)))) return NON_LOCAL;
  } else if (st.importing.has(slot) && ctx.caller.asking) {
    if (keys.length > 1 && keys.some((k) => !db.has(keyStr(k)))) return NON_LOCAL;
  } else if (!(ctx.caller.readOnlyMode && !cmd.isWrite && !me.isMaster && me.master === owner)) {
    return NON_LOCAL;
  }
  if ((ctx.flags & (F_ALLOW_CROSS_SLOT | F_EVAL_COMPAT)) !== 0) return null;
  if (ctx.slot === -1) ctx.slot = slot;
  else if (ctx.slot !== slot) return CROSS_SLOT;
  return null;
}
