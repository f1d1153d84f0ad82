// Delivering entries to readers (Redis's streamReplyWithRange): plain XREAD ranges, and group reads
// that advance the group's last ID and entries-read counter, fill the PELs and say what replicas
// must apply (one XCLAIM ... FORCE JUSTID LASTID per delivered entry, or CREATECONSUMER + SETID
// for NOACK reads), and history reads from a consumer's own PEL.
import type { ReplyWriter } from '../protocol/writer.js';
import type { StreamValue, ReadEntry } from '../store/stream.js';
import { ENTRIES_READ_INVALID, type ConsumerGroup, type Consumer, type Nack } from '../store/stream-group.js';
import { ID_MAX, formatId, type StreamId } from '../store/stream-id.js';
import { replyEntry, bs } from './stream-common.js';

export interface GroupReader {
  key: Buffer;
  groupName: Buffer;
  group: ConsumerGroup;
  consumer: Consumer;
  /** The consumer was created by this read (NOACK reads then propagate its creation). */
  created: boolean;
  noack: boolean;
}

// The fixed words of the propagated XCLAIM, made once (argv Buffers are never written to).
const [XCLAIM, ZERO, TIME, RETRYCOUNT, FORCE, JUSTID, LASTID] = ['XCLAIM', '0', 'TIME', 'RETRYCOUNT', 'FORCE', 'JUSTID', 'LASTID'].map(bs);

/**
 * The XCLAIM Redis propagates for a pending entry (also used by XCLAIM/XAUTOCLAIM themselves).
 * lastId: the group's last ID as a Buffer when the caller has it (a group read: the entry's own ID).
 */
export function xclaimArgv(key: Buffer, groupName: Buffer, group: ConsumerGroup, id: Buffer, nack: Nack, lastId = bs(formatId(group.lastId))): Buffer[] {
  return [XCLAIM, key, groupName, nack.consumer.name, ZERO, id, TIME, timeBuf(nack.deliveryTime), RETRYCOUNT, countBuf(nack.deliveryCount), FORCE, JUSTID, LASTID, lastId];
}

/** The last delivery time as a Buffer: every entry delivered in the same millisecond shares it. */
let lastTime = -1;
let lastTimeBuf = ZERO;
function timeBuf(ms: number): Buffer {
  if (ms !== lastTime) {
    lastTime = ms;
    lastTimeBuf = bs(String(ms));
  }
  return lastTimeBuf;
}

/** Delivery counts as Buffers; the small ones (almost all) made once. */
const COUNTS = Array.from({ length: 16 }, (_, i) => bs(String(i)));
const countBuf = (n: number): Buffer => (n < COUNTS.length ? COUNTS[n] : bs(String(n)));

export function setIdArgv(key: Buffer, groupName: Buffer, group: ConsumerGroup): Buffer[] {
  return [bs('XGROUP'), bs('SETID'), key, groupName, bs(formatId(group.lastId)), bs('ENTRIESREAD'), bs(String(group.entriesRead))];
}

/**
 * Replies entries with id >= start (at most count, 0 = all); with a group reader, delivers them.
 * emit null: nothing takes propagated writes now (no replica, backlog or AOF), so the XCLAIMs are not
 * built; the return value is how many writes were left unemitted (the caller counts them dirty).
 */
export function deliver(reply: ReplyWriter, s: StreamValue, start: StreamId, count: number, r: GroupReader | null, emit: ((argv: Buffer[]) => void) | null, now: number): number {
  const entries: ReadEntry[] = [];
  s.collectFrom(start, count, entries);
  reply.array(entries.length);
  let propagateLastId = false;
  let skipped = 0;
  for (const e of entries) {
    if (r && e.id > r.group.lastId) {
      const g = r.group;
      if (g.entriesRead !== ENTRIES_READ_INVALID && !s.rangeHasTombstones(e.id)) g.entriesRead++;
      else if (s.entriesAdded) g.entriesRead = s.estimateEntriesRead(e.id);
      g.lastId = e.id;
      if (r.noack) propagateLastId = true;
    }
    replyEntry(reply, e, e.str);
    if (r && !r.noack) {
      const nack = r.group.assign(e.id, r.consumer, now, 1);
      if (emit) {
        const idBuf = Buffer.from(e.str, 'latin1');
        emit(xclaimArgv(r.key, r.groupName, r.group, idBuf, nack, r.group.lastId === e.id ? idBuf : undefined));
      } else skipped++;
    }
  }
  if (r && propagateLastId) {
    if (r.created) {
      if (emit) emit([bs('XGROUP'), bs('CREATECONSUMER'), r.key, r.groupName, r.consumer.name]);
      else skipped++;
    }
    if (emit) emit(setIdArgv(r.key, r.groupName, r.group));
    else skipped++;
  }
  return skipped;
}

/** XREADGROUP with an ID: the consumer's own pending entries from start, bumping their delivery count. */
export function deliverHistory(reply: ReplyWriter, s: StreamValue, start: StreamId, count: number, c: Consumer, now: number): void {
  const out: [StreamId, Nack][] = [];
  for (const pair of c.pel.range(start, ID_MAX)) {
    out.push(pair);
    if (count > 0 && out.length >= count) break;
  }
  reply.array(out.length);
  for (const [id, nack] of out) {
    const e = s.get(id);
    if (!e) {
      reply.array(2);
      reply.bulk(formatId(id));
      reply.nullArray();
      continue;
    }
    replyEntry(reply, e);
    nack.deliveryTime = now;
    nack.deliveryCount++;
  }
}
