// A stream as AOF rewrite commands, as Redis writes it: XADD per entry (or XADD MAXLEN 0 0-1 for an
// empty stream), XSETID with the counters, then per group XGROUP CREATE ... ENTRIESREAD and per
// consumer its pending entries as XCLAIM ... FORCE (or XGROUP CREATECONSUMER when it has none).
import type { StreamValue } from '../store/stream.js';
import { formatId, ID_MAX, ID_MIN } from '../store/stream-id.js';

const b = (s: string) => Buffer.from(s);
const id = (x: bigint) => b(formatId(x));

export function streamCommands(key: Buffer, s: StreamValue): Buffer[][] {
  const out: Buffer[][] = [];
  if (s.length) for (const e of s.range(ID_MIN, ID_MAX)) out.push([b('XADD'), key, id(e.id), ...e.fields.map((f) => Buffer.from(f))]);
  else out.push([b('XADD'), key, b('MAXLEN'), b('0'), b('0-1'), b('x'), b('y')]);
  out.push([b('XSETID'), key, id(s.lastId), b('ENTRIESADDED'), b(String(s.entriesAdded)), b('MAXDELETEDID'), id(s.maxDeletedId)]);
  for (const g of s.sortedGroups()) {
    out.push([b('XGROUP'), b('CREATE'), key, g.name, id(g.lastId), b('ENTRIESREAD'), b(String(g.entriesRead))]);
    for (const c of g.sortedConsumers()) {
      if (c.pel.size === 0) {
        out.push([b('XGROUP'), b('CREATECONSUMER'), key, g.name, c.name]);
        continue;
      }
      for (const [pid, n] of c.pel.entries()) {
        out.push([b('XCLAIM'), key, g.name, c.name, b('0'), id(pid), b('TIME'), b(String(n.deliveryTime)), b('RETRYCOUNT'), b(String(n.deliveryCount)), b('JUSTID'), b('FORCE')]);
      }
    }
  }
  return out;
}
