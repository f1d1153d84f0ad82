// SORT and SORT_RO over lists, sets and sorted sets: BY patterns (a constant pattern such as `nosort`
// keeps the native order; `*->field` reads hash fields), GET patterns (`#` is the element itself),
// LIMIT, ASC/DESC, ALPHA, STORE (a list). Scores are parsed as Redis does with strtod; equal scores
// fall back to comparing the elements' bytes, so the order is deterministic as in Redis.
import type { CommandContext, CommandDef } from './table.js';
import { ListValue } from '../store/list.js';
import { SetValue } from '../store/set.js';
import { ZSetValue } from '../store/zset.js';
import { HashValue } from '../store/hash.js';
import { keyBuf, keyStr } from '../store/types.js';
import { is, parseInt64 } from './args.js';
import { NOT_INTEGER, SYNTAX, WRONGTYPE } from './errors.js';
import { notifyKeyspaceEvent } from '../pubsub/notify.js';
import { strtod } from '../util/strtod.js';
import { partialSort } from './sort-partial.js';

interface Item {
  obj: Buffer;
  score: number;
  /** The BY value compared with ALPHA, or null when the BY key is missing. */
  cmp: Buffer | null;
}

/** Redis's lookupKeyByPattern: the string (or hash field) a pattern names for an element, or null. */
function byPattern(ctx: CommandContext, pattern: Buffer, subst: Buffer): Buffer | null {
  if (pattern.length === 1 && pattern[0] === 0x23) return subst; // '#'
  // C string functions: the pattern ends at its first NUL byte for the searches.
  const nul = pattern.indexOf(0);
  const cpat = nul < 0 ? pattern : pattern.subarray(0, nul);
  const star = cpat.indexOf(0x2a);
  if (star < 0) return null;
  const arrow = cpat.indexOf('->', star + 1);
  let field: Buffer | null = null;
  let fieldLen = 0;
  if (arrow >= 0 && arrow + 2 < cpat.length) {
    field = pattern.subarray(arrow + 2);
    fieldLen = field.length;
  }
  const postLen = pattern.length - (star + 1) - (field ? fieldLen + 2 : 0);
  const key = Buffer.concat([pattern.subarray(0, star), subst, pattern.subarray(star + 1, star + 1 + postLen)]);
  const v = ctx.db.get(keyStr(key));
  if (v === undefined) return null;
  if (field) return v instanceof HashValue ? (v.get(field) ?? null) : null;
  return Buffer.isBuffer(v) ? v : null;
}

/** memcmp then length, as compareStringObjects. */
function compareBytes(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

/** strcoll in the C locale: bytes up to the first NUL. */
function collate(a: Buffer, b: Buffer): number {
  const ca = a.indexOf(0);
  const cb = b.indexOf(0);
  return Buffer.compare(ca < 0 ? a : a.subarray(0, ca), cb < 0 ? b : b.subarray(0, cb));
}

function sortCommand(ctx: CommandContext, readonly: boolean): void {
  const { argv, reply, db, srv } = ctx;
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let dontsort = false;
  let sortBy: Buffer | null = null;
  let storeKey: Buffer | null = null;
  const gets: Buffer[] = [];
  const cluster = srv.config.bool('cluster-enabled');
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j];
    const left = argv.length - j - 1;
    if (is(a, 'asc')) desc = false;
    else if (is(a, 'desc')) desc = true;
    else if (is(a, 'alpha')) alpha = true;
    else if (is(a, 'limit') && left >= 2) {
      const s = parseInt64(argv[j + 1]);
      const c = s === null ? null : parseInt64(argv[j + 2]);
      if (s === null || c === null) return reply.error(NOT_INTEGER);
      limitStart = Number(s);
      limitCount = Number(c);
      j += 2;
    } else if (!readonly && is(a, 'store') && left >= 1) {
      storeKey = argv[++j];
    } else if (is(a, 'by') && left >= 1) {
      sortBy = argv[++j];
      // A pattern without '*' names no per-element key: keep the native order.
      const nul = sortBy.indexOf(0);
      if ((nul < 0 ? sortBy : sortBy.subarray(0, nul)).indexOf(0x2a) < 0) dontsort = true;
      else if (cluster) return reply.error('ERR BY option of SORT denied in Cluster mode.');
    } else if (is(a, 'get') && left >= 1) {
      if (cluster) return reply.error('ERR GET option of SORT denied in Cluster mode.');
      gets.push(argv[++j]);
    } else {
      return reply.error(SYNTAX);
    }
  }
  const v = db.get(keyStr(argv[1]));
  if (v !== undefined && !(v instanceof ListValue || v instanceof SetValue || v instanceof ZSetValue)) return reply.error(WRONGTYPE);
  const src = v ?? new ListValue();
  // A set has no order of its own: sorting it into a key must not depend on hash order.
  if (dontsort && src instanceof SetValue && storeKey) {
    dontsort = false;
    alpha = true;
    sortBy = null;
  }
  // As sort.c does, even when the sort then fails on a score: OBJECT ENCODING shows it.
  if (src instanceof ZSetValue) src.toSkiplist();
  let len = src instanceof ListValue ? src.length : src.size;
  let start = limitStart < 0 ? 0 : limitStart;
  let end = limitCount < 0 ? len - 1 : start + limitCount - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  let items: Item[];
  const item = (obj: Buffer): Item => ({ obj, score: 0, cmp: null });
  if (dontsort && !(src instanceof SetValue)) {
    // Native order (reversed for DESC), only the LIMIT range.
    if (start !== 0 || end !== len - 1) len = end - start + 1;
    items = [];
    if (end >= start) {
      if (src instanceof ListValue) {
        for (let k = 0; k < len; k++) items.push(item(src.at(desc ? src.length - 1 - start - k : start + k) as Buffer));
      } else {
        const z = src as ZSetValue;
        z.walk(desc ? z.size - 1 - start : start, len, desc, (m) => void items.push(item(keyBuf(m))));
      }
      end -= start;
      start = 0;
    }
  } else if (src instanceof ListValue) {
    items = src.toArray().map(item);
  } else if (src instanceof SetValue) {
    items = [...src.members()].map(item);
  } else {
    items = src.memberNames().map((m) => item(keyBuf(m)));
  }

  let conversionError = false;
  if (!dontsort) {
    for (const it of items) {
      let by: Buffer | null = it.obj;
      if (sortBy) {
        by = byPattern(ctx, sortBy, it.obj);
        if (by === null) continue;
      }
      if (alpha) {
        if (sortBy) it.cmp = by;
        continue;
      }
      // strtod must consume everything up to the end (or an embedded NUL), without ERANGE or NaN.
      const r = strtod(by.latin1Slice(0, by.length));
      it.score = r.value;
      if ((r.end < by.length && by[r.end] !== 0) || r.erange || Number.isNaN(r.value)) conversionError = true;
    }
    const sign = desc ? -1 : 1;
    let cmp: (a: Item, b: Item) => number;
    if (!alpha) cmp = (a, b) => (a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.obj, b.obj));
    else if (sortBy) {
      const strcmp = storeKey ? compareBytes : collate;
      cmp = (a, b) => (a.cmp === null || b.cmp === null ? (a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1) : strcmp(a.cmp, b.cmp));
    } else cmp = storeKey ? (a, b) => compareBytes(a.obj, b.obj) : (a, b) => collate(a.obj, b.obj);
    const signed = (a: Item, b: Item): number => sign * cmp(a, b);
    // With BY and a LIMIT short of everything Redis sorts partially (its tie order is that
    // algorithm's); otherwise with glibc's qsort, a stable merge sort, as Array#sort is.
    if (sortBy && (start !== 0 || end !== len - 1)) partialSort(items, signed, start, end);
    else items.sort(signed);
  }

  const count = end >= start ? end - start + 1 : 0;
  if (conversionError) return reply.error("ERR One or more scores can't be converted into double");
  if (!storeKey) {
    reply.array(gets.length ? gets.length * count : count);
    for (let j = start; j <= end; j++) {
      if (!gets.length) reply.bulk(items[j].obj);
      for (const g of gets) reply.bulk(byPattern(ctx, g, items[j].obj));
    }
    return;
  }
  const out: Buffer[] = [];
  for (let j = start; j <= end; j++) {
    if (!gets.length) out.push(items[j].obj);
    for (const g of gets) out.push(byPattern(ctx, g, items[j].obj) ?? Buffer.alloc(0));
  }
  if (out.length) {
    db.set(keyStr(storeKey), ListValue.from(out));
    srv.signalKeyAsReady(db, keyStr(storeKey));
    notifyKeyspaceEvent(srv, 'l', 'sortstore', storeKey, db.id);
    srv.dirty += out.length;
  } else if (db.delete(keyStr(storeKey))) {
    notifyKeyspaceEvent(srv, 'g', 'del', storeKey, db.id);
    srv.dirty++;
  }
  reply.int(out.length);
}

/** SORT's keys: the source and the last STORE destination, skipping LIMIT/GET/BY arguments as Redis does. */
function sortKeys(argv: Buffer[]): number[] {
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    if (is(argv[i], 'limit')) i += 2;
    else if (is(argv[i], 'get') || is(argv[i], 'by')) i += 1;
    else if (is(argv[i], 'store') && i + 1 < argv.length) store = i + 1;
  }
  return store < 0 ? [1] : [1, store];
}

export const sortCommands: CommandDef[] = [
  { name: 'sort', handler: (ctx) => sortCommand(ctx, false), getKeys: sortKeys },
  { name: 'sort_ro', handler: (ctx) => sortCommand(ctx, true) },
];
