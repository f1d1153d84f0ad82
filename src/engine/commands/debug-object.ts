// DEBUG OBJECT key: Redis 7.0's one-line description of a value, which test suites parse for
// `encoding:`, `serializedlength:` (the RDB body's length), `lru_seconds_idle:` and, for lists, the
// quicklist fields (`ql_nodes:` ...).
import type { CommandContext } from './table.js';
import { keyStr, unpack } from '../store/types.js';
import { ListValue } from '../store/list.js';
import { stringEncoding } from '../store/string-encoding.js';
import { quicklistShape } from '../store/memory-usage.js';
import { dumpValue } from '../persistence/dump.js';
import { idleSeconds } from '../eviction/idle-stamps.js';
import { isSharedInt } from './keys.js';

/** DUMP's footer (2-byte RDB version, 8-byte CRC) and its leading type byte are not the object's body. */
const DUMP_EXTRA = 1 + 2 + 8;

export function debugObject(ctx: CommandContext): void {
  const { db, srv, reply } = ctx;
  const key = keyStr(ctx.argv[2]);
  // Redis looks in the dict itself: a key past its TTL but not yet deleted is still described.
  const stored = db.data.get(key);
  if (stored === undefined) return reply.error('ERR no such key');
  const v = unpack(stored);
  const enc = Buffer.isBuffer(v) ? stringEncoding(v) : v.encoding();
  const idle = idleSeconds(srv, db, key);
  const lru = Math.floor(Date.now() / 1000 - idle) & 0xffffff;
  let extra = '';
  if (v instanceof ListValue) {
    const q = quicklistShape(v);
    const compressed = srv.config.int('list-compress-depth') !== 0 ? 1 : 0;
    const fill = srv.config.int('list-max-listpack-size');
    extra = ` ql_nodes:${q.nodes} ql_avg_node:${(v.length / q.nodes).toFixed(2)} ql_listpack_max:${fill} ql_compressed:${compressed} ql_uncompressed_size:${q.bytes}`;
  }
  const len = dumpValue(v).length - DUMP_EXTRA;
  // Small integers are Redis's shared objects (OBJ_SHARED_REFCOUNT).
  const refcount = Buffer.isBuffer(v) && isSharedInt(v) ? 2147483647 : 1;
  reply.simple(`Value at:0x0 refcount:${refcount} encoding:${enc} serializedlength:${len} lru:${lru} lru_seconds_idle:${idle}${extra}`);
}
