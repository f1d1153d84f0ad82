// DEBUG DIGEST and DEBUG DIGEST-VALUE with redis-server 7.0's digest: SHA1-based, insensitive to
// the order of unordered members (sets, hashes, sorted sets) and to encodings, sensitive to list and
// stream order and to whether a key has a TTL. The same dataset gives the same 40 hex digits on both
// servers, so test suites can compare an engine node with a redis-server node (or a replica with
// its master) by digest.
import type { CommandContext } from './table.js';
import type { Db } from '../store/db.js';
import type { StoredValue } from '../store/types.js';
import { keyBuf, keyStr } from '../store/types.js';
import { ListValue } from '../store/list.js';
import { HashValue } from '../store/hash.js';
import { SetValue } from '../store/set.js';
import { ZSetValue } from '../store/zset.js';
import { StreamValue } from '../store/stream.js';
import { ID_MAX, ID_MIN, msOf, seqOf } from '../store/stream-id.js';
import { formatDouble17 } from '../protocol/double.js';
import { createHash } from '../util/crypto.cjs';

type Digest = Buffer; // 20 bytes

/** Redis's object type numbers, hashed first for every value. */
const TYPE_IDS: Record<string, number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 };
const EXPIRE_MARK = Buffer.from('!!expire!!');

const sha1 = (data: Uint8Array): Buffer => createHash('sha1').update(data).digest();

/** digest ^= SHA1(data). */
function xorDigest(digest: Digest, data: Uint8Array): void {
  const h = sha1(data);
  for (let j = 0; j < 20; j++) digest[j] ^= h[j];
}

/** digest = SHA1(digest ^ SHA1(data)): order-sensitive. */
function mixDigest(digest: Digest, data: Uint8Array): void {
  xorDigest(digest, data);
  sha1(digest).copy(digest);
}

const text = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Mixes the value's digest into `digest` (Redis's xorObjectDigest). */
function objectDigest(digest: Digest, v: StoredValue, hasTtl: boolean): void {
  const type = typeof v === 'string' || Buffer.isBuffer(v) ? 'string' : v.type;
  const aux = Buffer.alloc(4);
  aux.writeUInt32BE(TYPE_IDS[type] ?? 0);
  mixDigest(digest, aux);
  if (typeof v === 'string') mixDigest(digest, keyBuf(v));
  else if (Buffer.isBuffer(v)) mixDigest(digest, v);
  else if (v instanceof ListValue) {
    for (const e of v) mixDigest(digest, e);
  } else if (v instanceof SetValue) {
    for (const m of v.members()) xorDigest(digest, m);
  } else if (v instanceof ZSetValue) {
    const ele = Buffer.alloc(20);
    for (const [m, score] of v.entries()) {
      ele.fill(0);
      mixDigest(ele, m);
      mixDigest(ele, text(formatDouble17(score)));
      xorDigest(digest, ele);
    }
  } else if (v instanceof HashValue) {
    const ele = Buffer.alloc(20);
    for (const [f, x] of v.entries()) {
      ele.fill(0);
      mixDigest(ele, f);
      mixDigest(ele, x);
      xorDigest(digest, ele);
    }
  } else if (v instanceof StreamValue) {
    // Entries in ID order (consumer groups are not part of the digest, as in Redis).
    for (const e of v.range(ID_MIN, ID_MAX)) {
      mixDigest(digest, text(`${msOf(e.id)}.${seqOf(e.id)}`));
      for (const f of e.fields) mixDigest(digest, f);
    }
  }
  if (hasTtl) xorDigest(digest, EXPIRE_MARK);
}

/** The digest of one key's value (DEBUG DIGEST-VALUE), all zeros when the key is missing. */
function valueDigest(db: Db, key: string): string {
  const v = db.getStored(key);
  if (v === undefined) return '0'.repeat(40);
  const d = Buffer.alloc(20);
  objectDigest(d, v, db.getExpire(key) !== undefined);
  return d.toString('hex');
}

/** DEBUG DIGEST: every db's keys (db id mixed in first), each key+value digest xored together. */
export function debugDigest(ctx: CommandContext): void {
  const final = Buffer.alloc(20);
  for (const db of ctx.srv.dbs) {
    if (db.size === 0) continue;
    const aux = Buffer.alloc(4);
    aux.writeUInt32BE(db.id);
    mixDigest(final, aux);
    for (const [key, v] of db.data) {
      // Redis walks its dict, expired-but-present keys included.
      const d = Buffer.alloc(20);
      mixDigest(d, keyBuf(key));
      objectDigest(d, v, db.expires.has(key));
      xorDigest(final, d);
    }
  }
  ctx.reply.simple(final.toString('hex'));
}

/** DEBUG DIGEST-VALUE key...: one digest per key (without the key name), zeros for missing keys. */
export function debugDigestValue(ctx: CommandContext): void {
  const { argv, reply, db } = ctx;
  reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) reply.simple(valueDigest(db, keyStr(argv[i])));
}
