// Streams in RDB (Redis 7.0: RDB_TYPE_STREAM_LISTPACKS_2 = 19; 15 read too):
//   nodes: count, then per node the 16-byte big-endian master ID and the listpack, both as strings
//   length, last ID (ms, seq) [v2: first ID, max deleted ID, entries added]
//   groups: count, then per group name, last ID [v2: entries read], the group PEL (raw 16-byte ID,
//   delivery time ms as int64 LE, delivery count) and consumers (name, seen time, their PEL IDs).
import type { RdbWriter } from './rdb-writer.js';
import type { RdbReader } from './rdb-reader.js';
import { StreamValue } from '../store/stream.js';
import { StreamNode } from '../store/stream-node.js';
import { ConsumerGroup, ENTRIES_READ_INVALID } from '../store/stream-group.js';
import { LpError } from '../store/lp-codec.js';
import { idOf, msOf, seqOf, type StreamId } from '../store/stream-id.js';
import { RdbError } from './errors.js';
import { T } from './rdb-types.js';

function idBytes(id: StreamId): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeBigUInt64BE(msOf(id), 0);
  b.writeBigUInt64BE(seqOf(id), 8);
  return b;
}

const idFromBytes = (b: Buffer): StreamId => idOf(b.readBigUInt64BE(0), b.readBigUInt64BE(8));

/** rdbSaveLen for a u64 (the writer's len() takes JS numbers). */
function lenU64(w: RdbWriter, v: bigint): void {
  if (v <= 0xffffffffn) return w.len(Number(v));
  w.u8(0x81);
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(v, 0);
  w.bytes(b);
}

function msTime(w: RdbWriter, t: number): void {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64LE(BigInt(t), 0);
  w.bytes(b);
}

export function writeStream(w: RdbWriter, s: StreamValue): void {
  const nodes = s.liveNodes();
  w.len(nodes.length);
  for (const n of nodes) {
    w.str(idBytes(n.master));
    w.str(n.bytesView());
  }
  w.len(s.length);
  lenU64(w, msOf(s.lastId));
  lenU64(w, seqOf(s.lastId));
  lenU64(w, msOf(s.firstId));
  lenU64(w, seqOf(s.firstId));
  lenU64(w, msOf(s.maxDeletedId));
  lenU64(w, seqOf(s.maxDeletedId));
  w.len(s.entriesAdded);
  const groups = s.sortedGroups();
  w.len(groups.length);
  for (const g of groups) {
    w.str(g.name);
    lenU64(w, msOf(g.lastId));
    lenU64(w, seqOf(g.lastId));
    lenU64(w, BigInt.asUintN(64, BigInt(g.entriesRead)));
    w.len(g.pel.size);
    for (const [id, nack] of g.pel.entries()) {
      w.bytes(idBytes(id));
      msTime(w, nack.deliveryTime);
      w.len(nack.deliveryCount);
    }
    const consumers = g.sortedConsumers();
    w.len(consumers.length);
    for (const c of consumers) {
      w.str(c.name);
      msTime(w, c.seenTime);
      w.len(c.pel.size);
      for (const [id] of c.pel.entries()) w.bytes(idBytes(id));
    }
  }
}

function readU64(r: RdbReader): bigint {
  const b = r.u8();
  const kind = b >> 6;
  if (kind === 0) return BigInt(b & 0x3f);
  if (kind === 1) return BigInt(((b & 0x3f) << 8) | r.u8());
  if (b === 0x80) return BigInt(r.take(4).readUInt32BE(0));
  if (b === 0x81) return r.take(8).readBigUInt64BE(0);
  throw new RdbError(`Unknown length encoding ${b} in rdbLoadLen()`);
}

const readId = (r: RdbReader): StreamId => {
  const ms = readU64(r);
  return idOf(ms, readU64(r));
};

export function readStream(r: RdbReader, type: number): StreamValue {
  const s = new StreamValue();
  const nodes = r.len();
  try {
    for (let i = 0; i < nodes; i++) {
      const key = r.str();
      if (key.length !== 16) throw new RdbError('Stream node key entry is not the size of a stream ID');
      const view = r.strView();
      const lp = Buffer.allocUnsafeSlow(view.length); // own memory: a pooled copy would pin a slab
      view.copy(lp);
      if (lp.length <= 7 || lp[6] === 0xff) throw new RdbError('Empty listpack inside stream');
      s.pushNode(StreamNode.fromListpack(idFromBytes(key), lp));
    }
  } catch (e) {
    if (e instanceof LpError) throw new RdbError(`Stream listpack integrity check failed: ${e.message}`);
    throw e;
  }
  s.length = r.len();
  s.lastId = readId(r);
  if (type === T.STREAM_LISTPACKS_2) {
    s.firstId = readId(r);
    s.maxDeletedId = readId(r);
    s.entriesAdded = Number(readU64(r));
  } else {
    // RDB 9 has no counters: as Redis, take the stream as never having had deletions.
    s.firstId = s.length ? s.edgeId(true) : 0n;
    s.maxDeletedId = 0n;
    s.entriesAdded = s.length;
  }
  let live = 0;
  for (const n of s.liveNodes()) live += n.valid;
  if (live !== s.length) throw new RdbError('Stream length does not match its entries');
  const ngroups = r.len();
  for (let i = 0; i < ngroups; i++) {
    const name = r.str();
    const lastId = readId(r);
    let entriesRead: number;
    if (type === T.STREAM_LISTPACKS_2) {
      const v = BigInt.asIntN(64, readU64(r));
      entriesRead = v < 0n ? ENTRIES_READ_INVALID : Number(v);
    } else entriesRead = s.estimateEntriesRead(lastId);
    const g = new ConsumerGroup(name, lastId, entriesRead);
    if (s.group(name)) throw new RdbError('Duplicated consumer group name');
    s.groups.set(name.latin1Slice(0, name.length), g);
    const pending = new Map<string, { time: number; count: number }>(); // keyed by the 16 ID bytes (BigInt keys hash badly)
    const npel = r.len();
    for (let j = 0; j < npel; j++) {
      const raw = r.take(16);
      const time = r.ms();
      pending.set(raw.latin1Slice(0, 16), { time, count: r.len() });
    }
    const nconsumers = r.len();
    for (let j = 0; j < nconsumers; j++) {
      const cname = r.str();
      const seen = r.ms();
      const c = g.createConsumer(cname, seen);
      if (!c) throw new RdbError('Duplicated consumer name');
      const n = r.len();
      for (let k = 0; k < n; k++) {
        const raw = r.take(16);
        const k = raw.latin1Slice(0, 16);
        const p = pending.get(k);
        if (!p) throw new RdbError('Consumer PEL NACK not found in group PEL');
        pending.delete(k);
        g.assign(idFromBytes(raw), c, p.time, p.count);
      }
    }
    // Redis drops group PEL entries no consumer owns (they cannot be claimed consistently).
    if (pending.size > 0) throw new RdbError('Stream group PEL entry without a consumer');
  }
  return s;
}
