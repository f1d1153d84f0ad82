// Commands as the AOF holds them: RESP arrays of bulk strings, and the command form of a dataset
// (the AOF base when aof-use-rdb-preamble is no), in batches of 64 items per command like Redis.
import type { RedisValue } from '../store/types.js';
import { ListValue } from '../store/list.js';
import { HashValue } from '../store/hash.js';
import { SetValue } from '../store/set.js';
import { ZSetValue } from '../store/zset.js';
import { StreamValue } from '../store/stream.js';
import { streamCommands } from './aof-stream.js';
import { encodeCommand } from '../protocol/command-encoder.js';
import { keyBuf, unpack } from '../store/types.js';
import { d2string } from './rdb-writer.js';
import type { LoadedRdb } from './rdb.js';

const ITEMS_PER_CMD = 64;

const b = (s: string) => Buffer.from(s);

function batches(cmd: string, key: Buffer, items: Buffer[], per: number): Buffer[][] {
  const out: Buffer[][] = [];
  for (let i = 0; i < items.length; i += per) out.push([b(cmd), key, ...items.slice(i, i + per)]);
  return out;
}

function valueCommands(key: Buffer, v: RedisValue): Buffer[][] {
  if (Buffer.isBuffer(v)) return [[b('SET'), key, v]];
  if (v instanceof ListValue) return batches('RPUSH', key, [...v], ITEMS_PER_CMD);
  if (v instanceof SetValue) return batches('SADD', key, [...v.members()], ITEMS_PER_CMD);
  if (v instanceof HashValue) return batches('HMSET', key, [...v.entries()].flat(), ITEMS_PER_CMD * 2);
  if (v instanceof ZSetValue) return batches('ZADD', key, [...v.entries()].flatMap(([m, s]) => [b(d2string(s)), m]), ITEMS_PER_CMD * 2);
  if (v instanceof StreamValue) return streamCommands(key, v);
  throw new Error(`can't rewrite a value of type ${v.type}`);
}

/** The dataset as commands: SELECT per db, the value's commands, then PEXPIREAT for keys with a TTL. */
export function datasetCommands(loaded: LoadedRdb): Buffer[] {
  const out: Buffer[] = [];
  for (const [id, db] of [...loaded.dbs].sort((x, y) => x[0] - y[0])) {
    if (db.data.size === 0) continue;
    out.push(encodeCommand([b('SELECT'), b(String(id))]));
    for (const [k, v] of db.data) {
      const key = keyBuf(k);
      for (const argv of valueCommands(key, typeof v === 'string' ? unpack(v) : v)) out.push(encodeCommand(argv));
      const at = db.expires.get(k);
      if (at !== undefined) out.push(encodeCommand([b('PEXPIREAT'), key, b(String(at))]));
    }
  }
  return out;
}
